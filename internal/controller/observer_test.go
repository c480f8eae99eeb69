package controller_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// Batched observation: settled objects are answered from Gandi's list
// routes, and a change made at Gandi behind the operator's back is still
// reported within one poll.
var _ = Describe("Batched observation", func() {
	// A poll long enough to count what a settled poll sends, a detail
	// interval longer than the test: only a change brings a detail GET.
	observed := controller.Timing{Poll: 2 * time.Second, Transitional: 100 * time.Millisecond, CreateGrace: time.Second, Usage: time.Hour, Detail: time.Hour}
	// One poll, and the time a pass takes on a busy machine.
	withinOnePoll := observed.Poll + observed.Poll/10 + 2*time.Second

	var (
		w  *world
		hi *hostingv1alpha1.HostingInstance
		vh *hostingv1alpha1.Vhost
		id string
	)
	BeforeEach(func() {
		w = newWorld()
		w.startManager(managerOptions{timing: &observed})
		hi = instance("site")
		vh = vhost("www", "www.example.com")
		w.create(hi)
		w.create(vh)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		id = hi.Status.ID
	})

	It("answers settled objects from the lists: no GET of either object, and no write, for two polls", func() {
		type counts struct{ getInstance, getVhost, writes int }
		now := func() counts {
			return counts{w.sim.Requests(gandisim.RouteGetInstance), w.sim.Requests(gandisim.RouteGetVhost), w.sim.Writes()}
		}
		// The first settled poll may read each object once more (the list
		// it is compared with dated from before it was Ready).
		Eventually(func(g Gomega) {
			before, lists := now(), w.sim.Requests(gandisim.RouteListVhosts)
			g.Consistently(now).WithTimeout(2 * observed.Poll).WithPolling(100 * time.Millisecond).Should(Equal(before))
			g.Expect(w.sim.Requests(gandisim.RouteListVhosts)).To(BeNumerically(">", lists), "the vhost list is the observation")
		}).WithTimeout(4 * withinOnePoll).Should(Succeed())
	})

	It("reports an instance changed at Gandi within one poll", func() {
		w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "locked" })
		Eventually(fetch(hi)).WithTimeout(withinOnePoll).WithPolling(50 * time.Millisecond).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Locked"))
	})

	It("reports a vhost changed at Gandi within one poll", func() {
		w.sim.SetVhostStatus(id, "www.example.com", "locked")
		Eventually(fetch(vh)).WithTimeout(withinOnePoll).WithPolling(50 * time.Millisecond).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Locked"))
	})

	// The list of instances shows no vhost: a vhost made or deleted at
	// Gandi shows in the vhost list www's pass fetches at every poll, and
	// the instance's detail (status.vhosts, status.access.deploy) is read
	// again then, not a detail interval later.
	It("reports a vhost made at Gandi behind the operator's back in its HostingInstance's status within one poll", func() {
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", ConsistOf("www.example.com")))
		// Settle: the operator's own vhost is read.
		time.Sleep(2 * observed.Poll)

		Expect(w.byHand().CreateVhost(suiteCtx, id, gandi.CreateVhostRequest{FQDN: "api.example.com"})).To(Succeed())
		Eventually(fetch(hi)).WithTimeout(withinOnePoll).WithPolling(50 * time.Millisecond).Should(And(
			HaveField("Status.Vhosts", ConsistOf("www.example.com", "api.example.com")),
			WithTransform(deployVhosts, ConsistOf("www.example.com", "api.example.com"))))
	})

	It("reports a vhost made at Gandi behind the operator's back in its HostingInstance's status within one poll while its only Vhost object is paused (which reads no vhost list)", func() {
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", ConsistOf("www.example.com")))
		// kubectl gandi suspend vhost/www
		annotate(vh, hostingv1alpha1.AnnotationPaused, "true")
		DeferCleanup(func() { annotate(vh, hostingv1alpha1.AnnotationPaused, "false") })
		Eventually(fetch(vh)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonReconcilePaused))
		time.Sleep(2 * observed.Poll)

		Expect(w.byHand().CreateVhost(suiteCtx, id, gandi.CreateVhostRequest{FQDN: "api.example.com"})).To(Succeed())
		// Three polls, to leave no doubt: the detail interval is an hour.
		Eventually(fetch(hi)).WithTimeout(3 * withinOnePoll).WithPolling(50 * time.Millisecond).Should(And(
			HaveField("Status.Vhosts", ConsistOf("www.example.com", "api.example.com")),
			WithTransform(deployVhosts, ConsistOf("www.example.com", "api.example.com"))))
	})

	// While the vhost list fails, the Vhosts fall back to their own GETs,
	// which do not show the instance its vhosts: the HostingInstance reads
	// its detail too.
	It("reports a vhost made at Gandi behind the operator's back in its HostingInstance's status within one poll while the instance's vhost list fails", func() {
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", ConsistOf("www.example.com")))
		time.Sleep(2 * observed.Poll)

		w.sim.FailNext(gandisim.RouteListVhosts, 100000, 500, 0)
		Expect(w.byHand().CreateVhost(suiteCtx, id, gandi.CreateVhostRequest{FQDN: "api.example.com"})).To(Succeed())
		// Three polls, to leave no doubt: the detail interval is an hour.
		Eventually(fetch(hi)).WithTimeout(3 * withinOnePoll).WithPolling(50 * time.Millisecond).Should(And(
			HaveField("Status.Vhosts", ConsistOf("www.example.com", "api.example.com")),
			WithTransform(deployVhosts, ConsistOf("www.example.com", "api.example.com"))))
	})

	It("reports a vhost deleted at Gandi behind the operator's back in its HostingInstance's status within one poll", func() {
		api := w.byHand()
		// Someone's vhost, made by hand before; a spec change has the
		// HostingInstance read its detail and show it.
		Expect(api.CreateVhost(suiteCtx, id, gandi.CreateVhostRequest{FQDN: "api.example.com"})).To(Succeed())
		annotate(hi, hostingv1alpha1.AnnotationRequestedAt, "1")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", ConsistOf("www.example.com", "api.example.com")))
		time.Sleep(2 * observed.Poll)

		Expect(api.DeleteVhost(suiteCtx, id, "api.example.com")).To(Succeed())
		// Gandi deletes it in the background: one poll from when it is gone.
		Eventually(func() int { return len(w.sim.Vhosts(id)) }).WithTimeout(eventually).WithPolling(50 * time.Millisecond).Should(Equal(1))
		Eventually(fetch(hi)).WithTimeout(withinOnePoll).WithPolling(50 * time.Millisecond).Should(And(
			HaveField("Status.Vhosts", ConsistOf("www.example.com")),
			WithTransform(deployVhosts, ConsistOf("www.example.com"))))
	})

	It("reports a template changed at Gandi within one poll", func() {
		t := gandiTemplate("dns")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
		// Someone renames it with the same token, outside the cluster.
		api := w.byHand()
		patches := w.sim.Requests(gandisim.RoutePatchTemplate)
		Expect(api.UpdateTemplate(suiteCtx, t.Status.ID, gandi.UpdateTemplateRequest{Name: "renamed-by-hand"})).To(Succeed())
		// The operator sees it and puts the spec's name back.
		Eventually(func() string { return w.simTemplate(t)().Name }).WithTimeout(withinOnePoll).WithPolling(50 * time.Millisecond).Should(Equal("dns"))
		Expect(w.sim.Requests(gandisim.RoutePatchTemplate)).To(Equal(patches+2), "the hand-made rename, then the operator's")
	})
})

// byHand is a client of the simulator with the test organization's token:
// someone working at Gandi behind the operator's back.
func (w *world) byHand() *gandi.Client {
	api, err := gandi.New(gandi.Config{BaseURL: w.server.URL, Credential: gandi.Credential{Token: orgToken}, ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1}})
	Expect(err).NotTo(HaveOccurred())
	return api
}

// deployVhosts are the vhosts status.access.deploy of hi names.
func deployVhosts(hi *hostingv1alpha1.HostingInstance) []string {
	var out []string
	if a := hi.Status.Access; a != nil {
		for _, d := range a.Deploy {
			out = append(out, d.VhostFQDN)
		}
	}
	return out
}

// connectionData reads the data of the Secret name in hi's namespace
// (none when it is missing).
func connectionData(hi *hostingv1alpha1.HostingInstance, name string) func() map[string][]byte {
	return func() map[string][]byte {
		s := &corev1.Secret{}
		_ = k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: hi.Namespace, Name: name}, s)
		return s.Data
	}
}

// readyWithConnection runs a manager with timing in w, and gives a Ready
// HostingInstance "site" with no vhost yet whose connection Secret
// "site-conn" the manager wrote, and that Secret's data as it stands.
func readyWithConnection(w *world, timing controller.Timing) (*hostingv1alpha1.HostingInstance, func() map[string][]byte) {
	w.startManager(managerOptions{timing: &timing})
	hi := instance("site", func(hi *hostingv1alpha1.HostingInstance) {
		hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: "site-conn"}
	})
	w.create(hi)
	Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
	connection := connectionData(hi, "site-conn")
	Eventually(connection).WithTimeout(eventually).Should(HaveKey("admin_url"))
	Expect(connection()).NotTo(HaveKey("sftp_server"), "no vhost yet")
	return hi, connection
}

// An instance with no Vhost object (its vhosts made by hand, or the
// instance imported alone): its own pass is served the instance's vhost
// list at every poll, so a vhost made or deleted at Gandi behind the
// operator's back shows in its status and connection Secret within one
// poll, not a detail interval later; a settled poll reads the list, and
// neither the instance's detail nor writes anything.
var _ = Describe("Batched observation of an instance with no Vhost object", func() {
	observed := controller.Timing{Poll: 2 * time.Second, Transitional: 100 * time.Millisecond, CreateGrace: time.Second, Usage: time.Hour, Detail: time.Hour}
	withinOnePoll := observed.Poll + observed.Poll/10 + 2*time.Second

	It("reports a vhost made, then deleted, at Gandi behind the operator's back in its status and connection Secret within one poll", func() {
		w := newWorld()
		hi, connection := readyWithConnection(w, observed)
		id := hi.Status.ID

		// Settled: each poll reads the vhost list, no detail, and writes
		// neither to Gandi nor to the API server.
		type counts struct {
			getInstance, writes int
			resourceVersion     string
		}
		now := func() counts {
			cur := &hostingv1alpha1.HostingInstance{}
			Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(hi), cur)).To(Succeed())
			return counts{w.sim.Requests(gandisim.RouteGetInstance), w.sim.Writes(), cur.ResourceVersion}
		}
		Eventually(func(g Gomega) {
			before, lists := now(), w.sim.Requests(gandisim.RouteListVhosts)
			g.Consistently(now).WithTimeout(2 * observed.Poll).WithPolling(100 * time.Millisecond).Should(Equal(before))
			g.Expect(w.sim.Requests(gandisim.RouteListVhosts)).To(BeNumerically(">", lists), "the vhost list is read at every poll")
		}).WithTimeout(4 * withinOnePoll).Should(Succeed())

		api := w.byHand()
		Expect(api.CreateVhost(suiteCtx, id, gandi.CreateVhostRequest{FQDN: "www.example.com"})).To(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(fetch(hi)()).To(And(
				HaveField("Status.Vhosts", ConsistOf("www.example.com")),
				WithTransform(deployVhosts, ConsistOf("www.example.com"))))
			g.Expect(connection()).To(HaveKey("sftp_server"))
		}).WithTimeout(withinOnePoll).WithPolling(50 * time.Millisecond).Should(Succeed())

		Expect(api.DeleteVhost(suiteCtx, id, "www.example.com")).To(Succeed())
		// Gandi deletes it in the background: one poll from when it is gone.
		Eventually(func() []gandisim.VhostView { return w.sim.Vhosts(id) }).WithTimeout(eventually).WithPolling(50 * time.Millisecond).Should(BeEmpty())
		Eventually(func(g Gomega) {
			g.Expect(fetch(hi)()).To(And(HaveField("Status.Vhosts", BeEmpty()), WithTransform(deployVhosts, BeEmpty())))
			g.Expect(connection()).NotTo(HaveKey("sftp_server"))
		}).WithTimeout(withinOnePoll).WithPolling(50 * time.Millisecond).Should(Succeed())
	})
})

// A list fetched again wakes the settled objects whose entry changed: with
// a poll far longer than the test, only a new object's lookup fetches the
// list, and the changed object reports what it shows at once instead of a
// poll later.
var _ = Describe("Batched observation wakes what a list shows changed", func() {
	longPoll := controller.Timing{Poll: time.Hour, Transitional: 100 * time.Millisecond, CreateGrace: time.Second, Usage: time.Hour, Detail: time.Hour}
	var w *world
	BeforeEach(func() {
		w = newWorld()
		w.startManager(managerOptions{timing: &longPoll})
	})

	It("reports an instance changed at Gandi when another object's lookup lists it", func() {
		hi := instance("site")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		w.sim.UpdateInstance(hi.Status.ID, func(v *gandisim.InstanceView) { v.Status = "locked" })
		w.create(instance("shop"))
		Eventually(fetch(hi)).WithTimeout(eventually).WithPolling(50 * time.Millisecond).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Locked"))
	})

	It("reports a vhost changed at Gandi when another vhost's lookup lists it", func() {
		hi := instance("site")
		www := vhost("www", "www.example.com")
		w.create(hi)
		w.create(www)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Eventually(fetch(www)).WithTimeout(eventually).Should(beReady())
		w.sim.SetVhostStatus(hi.Status.ID, "www.example.com", "locked")
		// A new Vhost's create is its own lookup (createFirst); one the
		// user hands over is looked up first.
		w.create(vhost("api", "api.example.com", func(vh *hostingv1alpha1.Vhost) {
			vh.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
		}))
		Eventually(fetch(www)).WithTimeout(eventually).WithPolling(50 * time.Millisecond).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Locked"))
	})
})

// A vhost the operator creates or deletes changes what its instance's
// detail shows (status.vhosts, status.access.deploy, the connection
// Secret), not its entry in the list of instances: the HostingInstance
// is woken and reads it, instead of serving the detail read before for a
// whole detail interval.
var _ = Describe("Batched observation of the vhosts the operator makes", func() {
	observed := controller.Timing{Poll: 2 * time.Second, Transitional: 100 * time.Millisecond, CreateGrace: time.Second, Usage: time.Hour, Detail: time.Hour}
	withinFewPolls := 3*observed.Poll + 2*time.Second

	It("shows a vhost the operator created, then deleted, in its HostingInstance's status and connection Secret", func() {
		w := newWorld()
		hi, connection := readyWithConnection(w, observed)

		vh := vhost("www", "www.example.com")
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Eventually(fetch(hi)).WithTimeout(withinFewPolls).Should(HaveField("Status.Vhosts", ContainElement("www.example.com")))
		Eventually(connection).WithTimeout(withinFewPolls).Should(HaveKey("sftp_server"))

		Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		Expect(w.sim.Vhosts(hi.Status.ID)).To(BeEmpty(), "Gandi deleted the vhost")
		Eventually(fetch(hi)).WithTimeout(withinFewPolls).Should(HaveField("Status.Vhosts", BeEmpty()))
		Eventually(connection).WithTimeout(withinFewPolls).ShouldNot(HaveKey("sftp_server"))
	})
})
