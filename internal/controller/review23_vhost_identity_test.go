package controller_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// A vhost's Gandi ID is its FQDN, so the ID alone does not tell the vhost
// this Vhost created from one a person made later under the same name:
// Gandi's creation date does, and the status records it.
var _ = Describe("A Vhost whose vhost was deleted at Gandi", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	// deletedThenMadeByHand is a Vhost made Ready on a seeded instance whose
	// vhost someone deleted at Gandi (the Vhost reports ExternalNotFound),
	// then a colleague made again by hand an hour later: their site. It
	// returns the instance's ID.
	deletedThenMadeByHand := func(vh *hostingv1alpha1.Vhost) string {
		id := w.seedInstance()
		w.startManager(managerOptions{})
		onInstance(id)(vh)
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		createdAt := vh.Status.CreatedAt.Time

		hand := w.byHand()
		Expect(hand.DeleteVhost(suiteCtx, id, "www.example.com")).To(Succeed())
		Eventually(func() bool { _, ok := w.sim.Vhost(id, "www.example.com"); return ok }).WithTimeout(eventually).Should(BeFalse())
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))
		Expect(cond(vh, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring("remove the annotation " + hostingv1alpha1.AnnotationExternalID))

		w.sim.Advance(time.Hour)
		Expect(hand.CreateVhost(suiteCtx, id, gandi.CreateVhostRequest{FQDN: "www.example.com"})).To(Succeed())
		theirs, ok := w.sim.Vhost(id, "www.example.com")
		Expect(ok).To(BeTrue())
		Expect(theirs.CreatedAt).To(BeTemporally(">", createdAt.Add(30*time.Minute)), "Gandi dates the colleague's site after the one this Vhost created")
		return id
	}

	readyReason := func(vh *hostingv1alpha1.Vhost) func() string {
		return func() string {
			get(vh)
			c := cond(vh, hostingv1alpha1.ConditionReady)
			return string(c.Status) + " " + c.Reason + ": " + c.Message
		}
	}

	It("does not report as its own, Ready, the vhost a colleague made again by hand under its FQDN after its own was deleted at Gandi, nor change it", func() {
		vh := vhost("www", "www.example.com")
		deletedThenMadeByHand(vh)
		patches, purges := w.sim.Requests(gandisim.RoutePatchVhost), w.sim.Requests(gandisim.RoutePurgeVhostCache)

		Consistently(readyReason(vh)).WithTimeout(4*testTiming.Poll).ShouldNot(HavePrefix("True"),
			"the Vhost reports the colleague's site as its own vhost, Ready")
		Expect(w.sim.Requests(gandisim.RoutePatchVhost)).To(Equal(patches))
		Expect(w.sim.Requests(gandisim.RoutePurgeVhostCache)).To(Equal(purges))
	})

	It("deleted once its own vhost was deleted at Gandi, leaves the vhost a colleague made again by hand under its FQDN", func() {
		vh := vhost("www", "www.example.com")
		id := deletedThenMadeByHand(vh)

		Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Vhost(id, "www.example.com")
		Expect(still).To(BeTrue(), "deleting the Vhost deleted a site it did not create and nobody handed over")
		Expect(w.sim.Requests(gandisim.RouteDeleteVhost)).To(Equal(1), "only the person's own delete")
	})

	It("asked to create its vhost again (its external-id removed, as ExternalNotFound says), does not take for what its own create made the vhost a colleague made by hand meanwhile", func() {
		vh := vhost("www", "www.example.com")
		id := deletedThenMadeByHand(vh)

		// The user does what the message says. A new Vhost would then
		// report AlreadyExists and claim nothing; so must this one: its own
		// create was made, seen and deleted an hour before the colleague's.
		setSpec(vh, func() { delete(vh.Annotations, hostingv1alpha1.AnnotationExternalID) })
		Eventually(readyReason(vh)).WithTimeout(eventually).Should(HavePrefix("False "+hostingv1alpha1.ReasonAlreadyExists),
			"the colleague's site is taken for what this Vhost's create made an hour before it")
		Expect(eventsAbout(w, "Vhost", vh.Name, "Adopted")()).To(BeEmpty())

		Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Vhost(id, "www.example.com")
		Expect(still).To(BeTrue(), "deleting the Vhost deleted a site it did not create and nobody handed over")
	})

	It("new, does not take as one of its HostingInstance's initial vhosts a vhost a colleague made by hand under that FQDN after the initial one was deleted at Gandi", func() {
		w.startManager(managerOptions{})
		hi := instance("site", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.InitialVhosts = []hostingv1alpha1.InitialVhost{{FQDN: "www.example.com"}}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		id := hi.Status.ID
		Eventually(func() bool { _, ok := w.sim.Vhost(id, "www.example.com"); return ok }).WithTimeout(eventually).Should(BeTrue())

		By("the initial vhost is deleted at Gandi; an hour later a colleague makes a site of that name by hand")
		hand := w.byHand()
		Expect(hand.DeleteVhost(suiteCtx, id, "www.example.com")).To(Succeed())
		Eventually(func() bool { _, ok := w.sim.Vhost(id, "www.example.com"); return ok }).WithTimeout(eventually).Should(BeFalse())
		w.sim.Advance(time.Hour)
		Expect(hand.CreateVhost(suiteCtx, id, gandi.CreateVhostRequest{FQDN: "www.example.com"})).To(Succeed())

		By("a Vhost for that FQDN is created: the colleague's site was not sent with the instance's create")
		vh := vhost("www", "www.example.com")
		w.create(vh)
		Eventually(readyReason(vh)).WithTimeout(eventually).Should(HavePrefix("False "+hostingv1alpha1.ReasonAlreadyExists),
			"the colleague's site is adopted as one the HostingInstance made with the instance")

		Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Vhost(id, "www.example.com")
		Expect(still).To(BeTrue(), "deleting the Vhost deleted a site it did not create and nobody handed over")
	})
})
