package controller_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// "For routine observation a list that fails is no object's error: the
// objects it would have served read their own details with a GET". The
// instance's vhost list is what tells a HostingInstance with Vhost objects
// that its detail (status.vhosts, status.access.deploy, the connection
// Secret) changed; while that list fails, its Vhosts fall back to their own
// GETs, but the HostingInstance keeps being served its old detail from the
// list of instances, so a vhost made at Gandi meanwhile shows only at the
// detail interval.
var _ = Describe("Batched observation while an instance's vhost list fails", func() {
	observed := controller.Timing{Poll: 2 * time.Second, Transitional: 100 * time.Millisecond, CreateGrace: time.Second, Usage: time.Hour, Detail: time.Hour}
	withinOnePoll := observed.Poll + observed.Poll/10 + 2*time.Second

	It("reports a vhost made at Gandi behind the operator's back in its HostingInstance's status within one poll", func() {
		w := newWorld()
		w.startManager(managerOptions{timing: &observed})
		hi := instance("site")
		vh := vhost("www", "www.example.com")
		w.create(hi)
		w.create(vh)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", ConsistOf("www.example.com")))
		time.Sleep(2 * observed.Poll)

		w.sim.FailNext(gandisim.RouteListVhosts, 100000, 500, 0)
		Expect(w.byHand().CreateVhost(suiteCtx, hi.Status.ID, gandi.CreateVhostRequest{FQDN: "api.example.com"})).To(Succeed())
		// Three polls, to leave no doubt: the detail interval is an hour.
		Eventually(fetch(hi)).WithTimeout(3 * withinOnePoll).WithPolling(50 * time.Millisecond).Should(And(
			HaveField("Status.Vhosts", ConsistOf("www.example.com", "api.example.com")),
			WithTransform(deployVhosts, ConsistOf("www.example.com", "api.example.com"))))
	})
})
