package controller_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

var _ = Describe("A requested reconcile (annotation requested-at)", func() {
	It("wakes the object at once and is reported handled only by a pass that observed it at Gandi", func() {
		w := newWorld()
		// A poll of an hour: only the annotation change can explain a pass.
		timing := testTiming
		timing.Poll = time.Hour
		w.startManager(managerOptions{timing: &timing})
		id := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "seeded", Size: "starter"})
		hi := instance("seeded", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
			hi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(hi.Status.LastHandledReconcileAt).To(BeEmpty(), "nothing was requested yet")

		reads := w.sim.Requests(gandisim.RouteGetInstance)
		first := time.Now().UTC().Format(time.RFC3339Nano)
		annotate(hi, hostingv1alpha1.AnnotationRequestedAt, first)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.LastHandledReconcileAt", first))
		Expect(w.sim.Requests(gandisim.RouteGetInstance)).To(BeNumerically(">", reads), "the handled pass read the instance at Gandi")

		By("a paused object is not observed, so a request waits until it is resumed")
		annotate(hi, hostingv1alpha1.AnnotationPaused, "true")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonReconcilePaused))
		second := time.Now().UTC().Add(time.Second).Format(time.RFC3339Nano)
		annotate(hi, hostingv1alpha1.AnnotationRequestedAt, second)
		// The paused pass that this change triggers runs within the
		// transitional interval; it must leave the old value.
		Consistently(fetch(hi)).WithTimeout(time.Second).Should(HaveField("Status.LastHandledReconcileAt", first))
		setSpec(hi, func() { delete(hi.Annotations, hostingv1alpha1.AnnotationPaused) })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.LastHandledReconcileAt", second))
	})

	It("is answered by a pass that judges the object another's to manage, which leaves observedGeneration and sends nothing", func() {
		w := newWorld()
		timing := testTiming
		timing.Poll = time.Hour
		w.startManager(managerOptions{timing: &timing})
		shop := instance("shop")
		w.create(shop)
		Eventually(fetch(shop)).WithTimeout(eventually).Should(beReady())
		// A copy keeping the original's external-id: the original manages
		// the instance, the copy reports it.
		dup := instance("shop-copy", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: shop.Status.ID}
		})
		w.create(dup)
		Eventually(fetch(dup)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
		writes := w.sim.Writes()
		requested := time.Now().UTC().Format(time.RFC3339Nano)
		annotate(dup, hostingv1alpha1.AnnotationRequestedAt, requested)
		// With an hour's poll only the request explains a pass; the report
		// it judges again stands, unchanged, so only the answer shows it.
		Eventually(fetch(dup)).WithTimeout(eventually).Should(HaveField("Status.LastHandledReconcileAt", requested))
		Expect(dup.Status.ObservedGeneration).To(BeZero(), "nothing was read at Gandi for it")
		Expect(dup).To(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
		Expect(w.sim.Writes()).To(Equal(writes), "the judging pass sent nothing")
	})

	It("is not answered by a TemplateApplication waiting for its Template, which reads nothing at Gandi", func() {
		w := newWorld()
		w.startManager(managerOptions{})
		ta := application("apply", func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Spec.TemplateRef = &hostingv1alpha1.LocalObjectReference{Name: "missing"}
		})
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonWaitingForTemplate))
		Expect(ta.Status.ObservedGeneration).To(BeZero(), "no pass read anything at Gandi")
		reads := w.sim.RequestCounts()
		requested := time.Now().UTC().Format(time.RFC3339Nano)
		annotate(ta, hostingv1alpha1.AnnotationRequestedAt, requested)
		Consistently(fetch(ta)).WithTimeout(2*time.Second).ShouldNot(HaveField("Status.LastHandledReconcileAt", requested),
			"handled without any read at Gandi")
		Expect(w.sim.RequestCounts()).To(Equal(reads))
	})
})

// A pass that ends on what Gandi showed (nothing to observe, a name taken
// by an object this one did not make) has answered the spec and the
// request: observedGeneration and lastHandledReconcileAt move, so kstatus,
// Flux and `kubectl gandi reconcile` see the report instead of a pass in
// progress forever.
var _ = Describe("A pass that concludes from what Gandi shows", func() {
	var w *world
	BeforeEach(func() { w = newWorld() })
	const requested = "2026-12-07T22:30:00Z"
	// answered is an object whose status describes its current generation
	// and answers the reconcile requested.
	answered := func(generation, observed func() int64, handled func() string) func() []any {
		return func() []any { return []any{observed() == generation(), handled()} }
	}
	templateAnswered := func(t *hostingv1alpha1.Template) func() []any {
		return answered(func() int64 { fetch(t)(); return t.Generation }, func() int64 { return t.Status.ObservedGeneration },
			func() string { return t.Status.LastHandledReconcileAt })
	}

	It("answers a Template under Observe with nothing at Gandi, and creates nothing", func() {
		w.startManager(managerOptions{})
		t := recordsTemplate("watched", "203.0.113.1")
		t.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
		t.Annotations = map[string]string{hostingv1alpha1.AnnotationRequestedAt: requested}
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))
		Eventually(templateAnswered(t)).WithTimeout(5*testTiming.Poll).Should(Equal([]any{true, requested}),
			"the pass looked the template up and found nothing to observe")
		Expect(w.sim.Writes()).To(BeZero())
	})

	It("answers a Template whose name Gandi already has for a template it did not make", func() {
		_, err := w.sim.AddTemplate(orgID, gandisim.SeedTemplate{Name: "dns", Payload: map[string]any{"dns:records": map[string]any{"default": true}}})
		Expect(err).NotTo(HaveOccurred())
		w.startManager(managerOptions{})
		t := recordsTemplate("dns", "203.0.113.1")
		t.Annotations = map[string]string{hostingv1alpha1.AnnotationRequestedAt: requested}
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists))
		Eventually(templateAnswered(t)).WithTimeout(5*testTiming.Poll).Should(Equal([]any{true, requested}),
			"the pass read Gandi and found what the user must sort out")
		Expect(w.sim.Writes()).To(BeZero())
	})

	It("answers a HostingInstance under Observe with nothing at Gandi, and buys nothing", func() {
		w.startManager(managerOptions{})
		hi := instance("watched", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationRequestedAt: requested}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))
		Eventually(answered(func() int64 { fetch(hi)(); return hi.Generation }, func() int64 { return hi.Status.ObservedGeneration },
			func() string { return hi.Status.LastHandledReconcileAt })).WithTimeout(5*testTiming.Poll).Should(Equal([]any{true, requested}),
			"the pass looked the instance up and found nothing to observe")
		Expect(w.sim.Writes()).To(BeZero())
		Expect(w.sim.PaidCreates()).To(BeZero())
	})
})
