package controller_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
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
		// Bought by this object: its enabled: true is its own word (on an
		// instance it takes hold of, it is not: see below). The
		// simulator's clock moves past Gandi's days: the instance must not
		// expire meanwhile.
		hi = instance("boosted", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.DurationMonths = 12
			hi.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.ID", Not(BeEmpty())))
		id = hi.Status.ID
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

	// spec.booster.size is "the size the booster gives the instance while
	// it runs", and Gandi's PATCH takes booster_options.size on its own.
	// Changed while the boost runs, it must reach Gandi or be reported:
	// never Synced UpToDate while status.booster.size says otherwise.
	It("does not report UpToDate when spec.booster.size changes while the boost runs and Gandi keeps the old size", func() {
		Expect(hi.Status.Booster).NotTo(BeNil())
		Expect(hi.Status.Booster.Size).To(Equal("starter"))
		get(hi)
		hi.Spec.Booster.Size = "pro"
		err := k8sClient.Update(suiteCtx, hi)
		if apierrors.IsInvalid(err) {
			Expect(err.Error()).To(ContainSubstring("spec.booster.size"), "refused at admission, naming the field")
			return
		}
		Expect(err).NotTo(HaveOccurred())
		gen := hi.Generation
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.ObservedGeneration", gen))
		Eventually(func() string {
			if v, _ := w.sim.Instance(id); v.BoosterSize == "pro" {
				return "sent"
			}
			o := get(hi).(*hostingv1alpha1.HostingInstance)
			c := cond(o, hostingv1alpha1.ConditionSynced)
			if c.Status == metav1.ConditionFalse && strings.Contains(c.Message, "spec.booster.size") {
				return "reported"
			}
			return fmt.Sprintf("Synced %s %s (%s) with status.booster.size %s", c.Status, c.Reason, c.Message, o.Status.Booster.Size)
		}).WithTimeout(6*testTiming.Poll).Should(BeElementOf("sent", "reported"),
			"spec.booster.size pro is neither sent nor reported while the running boost is starter")
	})

	It("resizes the running boost once, as a paid change, and reports UpToDate only once Gandi shows the new size", func() {
		setSpec(hi, func() { hi.Spec.Booster.Size = "pro" })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
			HaveField("Status.Booster.Size", "pro"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
		Expect(w.sim.PaidChanges()).To(Equal(2), "the boost bought, then its resize: one paid PATCH each")
		Expect(hi.Annotations).NotTo(HaveKey("effects.hosting.gandi-operator.dev/paid-change"), "the resize Gandi shows is settled")
		Consistently(w.sim.PaidChanges).WithTimeout(4*testTiming.Poll).Should(Equal(2), "the resize is not sent again")
		Expect(boosterOn()).To(BeTrue(), "the boost runs on: a resize buys no new boost")
	})

	It("buys no boost on an instance it is re-pointed to: the record of the boost delivered on the former one is dropped, the turn-on held", func() {
		other := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "boosted", Size: "starter", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"},
			ExpireAt: time.Now().AddDate(1, 0, 0)})
		annotate(hi, hostingv1alpha1.AnnotationExternalID, other)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(HaveField("Status.ID", other),
			HaveField("ObjectMeta.Annotations", HaveKeyWithValue(boosterRecord, "baseline"))))
		Consistently(w.sim.PaidChanges).WithTimeout(4*testTiming.Poll).Should(Equal(1), "a boost was bought on the instance re-pointed to")
		v, _ := w.sim.Instance(other)
		Expect(v.Booster).To(BeFalse())
		Expect(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonRequestNotPerformed)()).To(ConsistOf(
			HaveField("Note", ContainSubstring("spec.booster.enabled (true) already set when this object took hold of "+other))))
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

var _ = Describe("HostingInstance booster on an instance the object did not create", func() {
	const day = 24 * time.Hour

	// A cluster rebuilt from Git: the manifest still says enabled: true,
	// the word an earlier object gave (and Gandi delivered, long ago).
	// Adopting the live instance must not buy a boost with it.
	It("buys no boost for the enabled: true its manifest held when it adopts the instance, says so, and buys one when enabled goes false then true", func() {
		w := newWorld()
		timing := testTiming
		timing.Detail = 2 * testTiming.Poll
		w.startManager(managerOptions{timing: &timing})
		id := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "prod-site", Size: "m", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"},
			ExpireAt: time.Now().AddDate(1, 0, 0)})
		By("a boost bought by someone else ran and its cooldown is over: Gandi offers the booster again")
		w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Booster = true })
		w.sim.Advance(38 * day)
		boosterOn := func() bool { v, _ := w.sim.Instance(id); return v.Booster }
		Expect(boosterOn()).To(BeFalse())

		hi := instance("prod-site", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
			hi.Spec.Size = "m"
			hi.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", id),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
		Expect(w.sim.PaidChanges()).To(BeZero(), "a boost was bought on adoption for a word given to another object")
		Consistently(w.sim.PaidChanges).WithTimeout(4*testTiming.Poll).Should(BeZero(), "a boost was bought on adoption")
		Expect(boosterOn()).To(BeFalse())
		Expect(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonRequestNotPerformed)()).To(ConsistOf(
			HaveField("Note", And(ContainSubstring("spec.booster.enabled (true) already set when this object took hold of "+id),
				ContainSubstring("set it to false, then back to true, to buy a boost")))))
		Expect(get(hi).GetAnnotations()).To(HaveKeyWithValue("effects.hosting.gandi-operator.dev/booster", "baseline"))
		Expect(cond(get(hi).(*hostingv1alpha1.HostingInstance), hostingv1alpha1.ConditionSynced).Message).To(
			ContainSubstring("none is; set spec.booster.enabled to false, then back to true, to buy one"))

		By("false, then true: the user's word, one boost bought")
		setSpec(hi, func() { hi.Spec.Booster.Enabled = false })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			HaveField("ObjectMeta.Annotations", HaveKeyWithValue("effects.hosting.gandi-operator.dev/booster", "off")))
		setSpec(hi, func() { hi.Spec.Booster.Enabled = true })
		Eventually(boosterOn).WithTimeout(eventually).Should(BeTrue())
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate))
		Consistently(w.sim.PaidChanges).WithTimeout(4 * testTiming.Poll).Should(Equal(1))
	})
})

var _ = Describe("HostingInstance booster that runs and ends while the manager is down", func() {
	const day = 24 * time.Hour

	// The PATCH booster:true is accepted (its record and confirmation say
	// so) and the boost runs its 7 days and ends while no pass looks: no
	// pass ever sees it running. Gandi's cooldown, counted from the end of
	// a boost later than the record, shows that it ran.
	It("records the boost delivered from the cooldown Gandi shows, buys none meanwhile, and buys one more when enabled goes false then true after the cooldown", func() {
		w := newWorld()
		timing := testTiming
		timing.Detail = 2 * testTiming.Poll
		stop := w.startManager(managerOptions{timing: &timing})
		hi := instance("boosted", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.DurationMonths = 12 })
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
		id := hi.Status.ID
		t := gandisim.FastTimings()
		t.InstanceUpdate = 5 * testTiming.Poll
		w.sim.SetTimings(t)
		paid := w.sim.PaidChanges()
		setSpec(hi, func() { hi.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true} })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUpdating))
		Expect(w.sim.PaidChanges()).To(Equal(paid + 1))

		By("the manager is down while the boost runs its 7 days and ends")
		stop()
		w.sim.Advance(8 * day)
		v, _ := w.sim.Instance(id)
		Expect(v.Booster).To(BeFalse(), "the boost ran and ended")
		w.startManager(managerOptions{timing: &timing})
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
			HaveField("Status.Booster.AvailableAt", Not(BeNil())),
			HaveField("ObjectMeta.Annotations", HaveKeyWithValue("effects.hosting.gandi-operator.dev/booster", HavePrefix("delivered:"))),
			HaveField("ObjectMeta.Annotations", Not(HaveKey("effects.hosting.gandi-operator.dev/paid-change"))),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(And(
			ContainSubstring("it is not bought again"), Not(ContainSubstring("waiting for the instance to show it"))))
		Consistently(w.sim.PaidChanges).WithTimeout(4*testTiming.Poll).Should(Equal(paid+1), "not bought twice")

		By("after the cooldown, enabled false then true buys one more boost")
		w.sim.Advance(31 * day)
		setSpec(hi, func() { hi.Spec.Booster.Enabled = false })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			HaveField("ObjectMeta.Annotations", HaveKeyWithValue("effects.hosting.gandi-operator.dev/booster", "off")))
		setSpec(hi, func() { hi.Spec.Booster.Enabled = true })
		Eventually(w.sim.PaidChanges).WithTimeout(eventually).Should(Equal(paid + 2))
		Eventually(func() bool { v, _ := w.sim.Instance(id); return v.Booster }).WithTimeout(eventually).Should(BeTrue())
		Consistently(w.sim.PaidChanges).WithTimeout(4 * testTiming.Poll).Should(Equal(paid + 2))
	})
})
