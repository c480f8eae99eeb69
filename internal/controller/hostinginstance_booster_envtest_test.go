package controller_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

var _ = Describe("HostingInstance booster", func() {
	const (
		day           = 24 * time.Hour
		boosterRecord = "effects.hosting.gandi-operator.dev/booster"
	)
	var (
		w  *world
		hi *hostingv1alpha1.HostingInstance
		id string
	)
	boosterOn := func() bool { v, _ := w.sim.Instance(id); return v.Booster }
	patches := func() int { return w.sim.Requests(gandisim.RoutePatchInstance) }

	BeforeEach(func() {
		w = newWorld()
		// The booster is only in the instance's detail: read it at every
		// other poll, so that a boost ending is seen within the spec.
		timing := testTiming
		timing.Detail = 2 * testTiming.Poll
		w.startManager(managerOptions{timing: &timing})
		// The simulator's clock moves past Gandi's days: the instance
		// must not expire meanwhile.
		id = w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "boosted", Size: "m", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"},
			ExpireAt: time.Now().AddDate(1, 0, 0)})
		hi = instance("boosted", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
			hi.Spec.Size = "m"
			hi.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true}
		})
		w.create(hi)
		By("enabled: true buys one boost, recorded delivered once it runs")
		Eventually(boosterOn).WithTimeout(eventually).Should(BeTrue())
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate),
			WithTransform(func(o *hostingv1alpha1.HostingInstance) string { return o.Annotations[boosterRecord] }, HavePrefix("delivered:"))))
		Expect(w.sim.PaidChanges()).To(Equal(1))
	})

	It("is not bought again when the boost it bought ends, and Synced says why", func() {
		expiresAt := hi.Status.Booster.ExpiresAt.UTC().Format(time.RFC3339)
		By("a restart keeps the record: it is an annotation")
		for _, stop := range w.stopsNow() {
			stop()
		}
		timing := testTiming
		timing.Detail = 2 * testTiming.Poll
		w.startManager(managerOptions{timing: &timing})
		// Past the boost's 7 days and its 30 days of cooldown: Gandi
		// would sell another one.
		w.sim.Advance(38 * day)
		Expect(boosterOn()).To(BeFalse())
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			WithTransform(func(o *hostingv1alpha1.HostingInstance) string {
				return cond(o, hostingv1alpha1.ConditionSynced).Message
			},
				ContainSubstring("the booster bought for spec.booster ran until "+expiresAt+"; it is not bought again")))
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Status).To(Equal(metav1.ConditionTrue))
		Consistently(w.sim.PaidChanges).WithTimeout(4*testTiming.Poll).Should(Equal(1), "a boost that ran is not bought again by itself")
		Expect(boosterOn()).To(BeFalse())
	})

	It("sends nothing while Gandi does not offer the booster, names the date, then buys exactly one when enabled goes false then true", func() {
		By("enabled: false turns the boost off: its cooldown starts")
		setSpec(hi, func() { hi.Spec.Booster.Enabled = false })
		Eventually(boosterOn).WithTimeout(eventually).Should(BeFalse())
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate),
			WithTransform(func(o *hostingv1alpha1.HostingInstance) string { return o.Annotations[boosterRecord] }, Equal("off"))))
		paid := w.sim.PaidChanges()

		By("enabled: true during the cooldown: no PATCH, Synced names the date Gandi offers it again")
		setSpec(hi, func() { hi.Spec.Booster.Enabled = true })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonBoosterUnavailable))
		Expect(hi.Status.Booster).NotTo(BeNil())
		Expect(hi.Status.Booster.AvailableAt).NotTo(BeNil())
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring(
			"Gandi offers the booster again at " + hi.Status.Booster.AvailableAt.UTC().Format(time.RFC3339)))
		sent := patches()
		Consistently(patches).WithTimeout(4*testTiming.Poll).Should(Equal(sent), "no booster:true while Gandi says it is not available")
		Expect(w.sim.PaidChanges()).To(Equal(paid))

		By("after the cooldown: exactly one new boost")
		w.sim.Advance(31 * day)
		Eventually(boosterOn).WithTimeout(eventually).Should(BeTrue())
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate))
		Consistently(w.sim.PaidChanges).WithTimeout(4 * testTiming.Poll).Should(Equal(paid + 1))
	})
})
