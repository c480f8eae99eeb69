package controller_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// notStalled matches an object without a Stalled condition: the operator
// removes it, never leaves it False.
func notStalled() OmegaMatcher {
	return WithTransform(func(hi *hostingv1alpha1.HostingInstance) *metav1.Condition {
		return meta.FindStatusCondition(hi.Status.Conditions, hostingv1alpha1.ConditionStalled)
	}, BeNil())
}

// What kstatus (Flux health checks, Helm's --wait, kpt) computes from:
// observedGeneration, then Stalled (Failed) before Ready (InProgress when
// False). The specs assert those fields, the kstatus module not being a
// dependency.
var _ = Describe("Stalled (kstatus)", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	It("is True with the reason while Gandi has the name for an instance this one did not make, gone while paused, and gone once renamed", func() {
		w.startManager(managerOptions{})
		existing := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "taken-site", Size: "starter", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
		hi := instance("taken-site")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionStalled, metav1.ConditionTrue, hostingv1alpha1.ReasonAlreadyExists))
		synced := cond(hi, hostingv1alpha1.ConditionSynced)
		Expect(synced.Reason).To(Equal(hostingv1alpha1.ReasonAlreadyExists))
		Expect(cond(hi, hostingv1alpha1.ConditionStalled).Message).To(And(Equal(synced.Message), ContainSubstring(existing)))
		Expect(hi.Status.ObservedGeneration).To(Equal(hi.Generation), "kstatus reads Stalled only for an observed generation")

		// Paused: the user's choice, not a failure.
		annotate(hi, hostingv1alpha1.AnnotationPaused, "true")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(notStalled(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonReconcilePaused)))
		annotate(hi, hostingv1alpha1.AnnotationPaused, "false")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionStalled, metav1.ConditionTrue, hostingv1alpha1.ReasonAlreadyExists))

		setSpec(hi, func() { hi.Spec.Name = "free-site" })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), notStalled()))
		Expect(w.sim.PaidCreates()).To(Equal(1))
	})

	It("is True with Ready's CreateRefused when Gandi refuses the create, and gone once the spec is corrected", func() {
		w.startManager(managerOptions{})
		hi := instance("refused-size", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Size = "m" })
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionStalled, metav1.ConditionTrue, hostingv1alpha1.ReasonCreateRefused))
		ready := cond(hi, hostingv1alpha1.ConditionReady)
		Expect(ready.Reason).To(Equal(hostingv1alpha1.ReasonCreateRefused))
		Expect(cond(hi, hostingv1alpha1.ConditionStalled).Message).To(And(Equal(ready.Message), ContainSubstring("size")))
		Expect(hi.Status.ObservedGeneration).To(Equal(hi.Generation))

		setSpec(hi, func() { hi.Spec.Size = "starter" })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), notStalled()))
	})

	It("is True while the credentials Secret is missing, before any generation is observed, and gone once it exists", func() {
		w.startManager(managerOptions{})
		hi := instance("late-credentials", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "later"}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionStalled, metav1.ConditionTrue, hostingv1alpha1.ReasonCredentialsNotFound))
		// Absent (omitempty), so kstatus goes on to the conditions.
		Expect(hi.Status.ObservedGeneration).To(BeZero())

		w.secret("later", map[string]string{"token": orgToken})
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), notStalled()))
	})

	It("is never set for a create Gandi answers with its 5xx, sent again by itself", func() {
		writes := &statusWrites[*hostingv1alpha1.HostingInstance]{}
		w.startManager(managerOptions{wrap: writes.wrap()})
		w.sim.FailNextPaid(gandisim.RouteCreateInstance, 3, http.StatusServiceUnavailable, 0)
		hi := instance("gandi-down")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.PaidCreates()).To(Equal(1))

		unavailable := 0
		for _, o := range writes.ofGeneration(hi.Generation) {
			if c := meta.FindStatusCondition(o.Status.Conditions, hostingv1alpha1.ConditionSynced); c != nil && c.Reason == hostingv1alpha1.ReasonGandiUnavailable {
				unavailable++
			}
			Expect(meta.FindStatusCondition(o.Status.Conditions, hostingv1alpha1.ConditionStalled)).To(BeNil(),
				"a status with Stalled for a failure retried by itself")
		}
		Expect(unavailable).To(BeNumerically(">", 0), "the 5xx was reported")
	})
})
