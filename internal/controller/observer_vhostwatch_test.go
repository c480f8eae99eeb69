package controller_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// A HostingInstance with a Vhost object naming it by instanceRef does not
// read its instance's vhost list: it counts on its Vhosts' passes to read
// it at every poll and wake it when the list names other vhosts than its
// detail. When no Vhost pass reads that list (the Vhost is paused, or
// stops before observing: its credentials are missing), a vhost made at
// Gandi behind the operator's back stays out of status.vhosts,
// status.access.deploy and the connection Secret for the whole detail
// interval (30 minutes by default), not one poll.
var _ = Describe("Batched observation of an instance whose Vhost objects do not read its vhost list", func() {
	observed := controller.Timing{Poll: 2 * time.Second, Transitional: 100 * time.Millisecond, CreateGrace: time.Second, Usage: time.Hour, Detail: time.Hour}
	withinOnePoll := observed.Poll + observed.Poll/10 + 2*time.Second
	var w *world
	BeforeEach(func() {
		w = newWorld()
		w.startManager(managerOptions{timing: &observed})
	})

	It("reports a vhost made at Gandi behind the operator's back within one poll while its only Vhost object names missing credentials", func() {
		hi := instance("site")
		vh := vhost("www", "www.example.com", func(v *hostingv1alpha1.Vhost) {
			v.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "typo"}
		})
		w.create(hi)
		w.create(vh)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		time.Sleep(2 * observed.Poll)

		Expect(w.byHand().CreateVhost(suiteCtx, hi.Status.ID, gandi.CreateVhostRequest{FQDN: "api.example.com"})).To(Succeed())
		Eventually(fetch(hi)).WithTimeout(3 * withinOnePoll).WithPolling(50 * time.Millisecond).Should(And(
			HaveField("Status.Vhosts", ConsistOf("api.example.com")),
			WithTransform(deployVhosts, ConsistOf("api.example.com"))))
	})
})
