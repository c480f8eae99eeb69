package controller_test

import (
	"context"
	"maps"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// restoredFrom replaces obj as a lost cluster and its restore leave it:
// the managers stopped, obj deleted (finalizers dropped) and created again
// with the labels, finalizers and annotations of the backup, and the spec
// obj has now (synced again from Git). Status, UID and creationTimestamp
// do not come back.
func restoredFrom(w *world, obj client.Object, backup map[string]string) client.Object {
	for _, stop := range w.stopsNow() {
		stop()
	}
	return restoredWith(get(obj), backup)
}

// metadataWrites counts the operator's writes (status aside) of the object
// named name: the interceptor for a manager, and the count.
func metadataWrites(name string) (interceptor.Funcs, func() int32) {
	var n atomic.Int32
	return interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			if obj.GetName() == name {
				n.Add(1)
			}
			return c.Patch(ctx, obj, patch, opts...)
		},
	}, n.Load
}

var _ = Describe("an object restored from a backup", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	Describe("PaaSInstance", func() {
		var pi *hostingv1alpha1.PaaSInstance
		actions := func() [2]int { v := w.paasView(pi)(); return [2]int{v.Restarts, v.Upgrades} }

		BeforeEach(func() {
			w.paasAccount()
			w.secret("paas-password", map[string]string{"password": "first-password"})
			w.startManager(managerOptions{})
			pi = paasInstance("site")
			w.create(pi)
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
		})

		// An object of an earlier version (no held-by-uid) upgraded in
		// place records its UID once, so that a backup taken from then on
		// carries it: restored with its status by a tool that writes the
		// status after the create (Velero's restoreStatus), it would
		// otherwise look upgraded in place again.
		It("pays once for a renewal made after a backup taken since an upgrade in place, when restored with its status", func() {
			for _, stop := range w.stopsNow() {
				stop()
			}
			setSpec(pi, func() { delete(pi.Annotations, hostingv1alpha1.AnnotationHeldByUID) })
			counting, writes := metadataWrites(pi.Name)
			w.startManager(managerOptions{wrap: counting})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				HaveField("ObjectMeta.Annotations", HaveKeyWithValue(hostingv1alpha1.AnnotationHeldByUID, string(pi.UID))))
			Consistently(writes).WithTimeout(2*testTiming.Poll).Should(Equal(int32(1)), "the upgrade costs one write, once")

			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "2027", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "2027"), beUpToDate()))
			backup, status := maps.Clone(get(pi).GetAnnotations()), pi.Status.DeepCopy()

			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "2028"), beUpToDate()))
			Expect(w.sim.PaasPaidRenews()).To(Equal(2))

			pi = restoredFrom(w, pi, backup).(*hostingv1alpha1.PaaSInstance)
			pi.Status = *status
			Expect(k8sClient.Status().Update(suiteCtx, pi)).To(Succeed())
			w.startManager(managerOptions{})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beReady())
			Consistently(w.sim.PaasPaidRenews).WithTimeout(3*testTiming.Poll).Should(Equal(2), "renewal 2028 was paid a second time")
			Eventually(eventsAbout(w, "PaaSInstance", pi.Name, hostingv1alpha1.ReasonRequestNotPerformed)).WithTimeout(eventually).Should(ConsistOf(
				HaveField("Note", ContainSubstring("spec.renew.request (2028)"))))
		})

		// The records come back from last night's backup, the spec from Git
		// (a GitOps re-sync after the restore): the renewal and the restart
		// asked after the backup have no record there.
		It("pays once for a renewal made after the backup it is restored from, its spec synced again from Git, and restarts once; new requests are performed", func() {
			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "2027", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "2027"), beUpToDate()))
			backup := get(pi).GetAnnotations()

			setSpec(pi, func() {
				pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "1m"}
				pi.Spec.RestartRequest = "r1"
			})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "2028"),
				HaveField("Status.LastRequests.Restart", "r1"), beUpToDate()))
			Expect(w.sim.PaasPaidRenews()).To(Equal(2))
			Expect(actions()).To(Equal([2]int{1, 0}))

			pi = restoredFrom(w, pi, backup).(*hostingv1alpha1.PaaSInstance)
			w.startManager(managerOptions{})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beReady())
			Consistently(w.sim.PaasPaidRenews).WithTimeout(3*testTiming.Poll).Should(Equal(2), "renewal 2028 was paid a second time")
			Expect(actions()).To(Equal([2]int{1, 0}), "restart r1 was performed a second time")
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
				HaveField("ObjectMeta.Annotations", HaveKeyWithValue(hostingv1alpha1.AnnotationHeldByUID, string(pi.UID)))))
			Expect(eventsAbout(w, "PaaSInstance", pi.Name, hostingv1alpha1.ReasonRequestNotPerformed)()).To(ConsistOf(
				HaveField("Note", And(ContainSubstring("spec.renew.request (2028)"), ContainSubstring("spec.restartRequest (r1)"), ContainSubstring("again")))))

			setSpec(pi, func() {
				pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "2029", Duration: "1m"}
				pi.Spec.RestartRequest = "r2"
			})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "2029"),
				HaveField("Status.LastRequests.Restart", "r2"), beUpToDate()))
			Consistently(w.sim.PaasPaidRenews).WithTimeout(2 * testTiming.Poll).Should(Equal(3))
			Expect(actions()).To(Equal([2]int{2, 0}))
		})

		// The records come back from a backup taken before a resize, the
		// spec from Git (size l). Gandi's operations for the resize still
		// run, and paas.info shows the old size and no state that says so:
		// the object that takes hold again waits a grace (here longer than
		// the operations) before it pays for a change, and by then Gandi
		// shows the resize.
		It("pays once for a resize made after the backup it is restored from while its operations still run, its spec synced again from Git", func() {
			operations := 8 * testTiming.Poll
			t := gandisim.FastTimings()
			t.PaasUpdate = operations
			w.sim.SetTimings(t)
			backup := maps.Clone(get(pi).GetAnnotations())
			paid := w.sim.PaasPaidUpdates()

			setSpec(pi, func() { pi.Spec.Size = "l" })
			Eventually(w.sim.PaasPaidUpdates).WithTimeout(eventually).Should(Equal(paid + 1))

			pi = restoredFrom(w, pi, backup).(*hostingv1alpha1.PaaSInstance)
			timing := testTiming
			timing.CreateGrace = operations + 2*testTiming.Poll
			w.startManager(managerOptions{timing: &timing})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonPaidChangeHeld)))
			Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("the paid change to size l waits until"))
			Expect(w.sim.PaasPaidUpdates()).To(Equal(paid + 1))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(), HaveField("Status.Size", "l")))
			Consistently(w.sim.PaasPaidUpdates).WithTimeout(timing.CreateGrace).Should(Equal(paid+1), "the resize to l was paid a second time")
		})

		// The spec, synced again from Git, asks for a size the lost
		// cluster never sent: nothing is under way at Gandi. The declared
		// size is not held back for ever: it is sent once the grace is
		// over, once.
		It("sends a resize its spec asks for and nobody sent once the grace after the restore is over, once", func() {
			backup := maps.Clone(get(pi).GetAnnotations())
			for _, stop := range w.stopsNow() {
				stop()
			}
			setSpec(pi, func() { pi.Spec.Size = "l" })
			paid := w.sim.PaasPaidUpdates()

			pi = restoredFrom(w, pi, backup).(*hostingv1alpha1.PaaSInstance)
			timing := testTiming
			timing.CreateGrace = 4 * testTiming.Poll
			w.startManager(managerOptions{timing: &timing})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonPaidChangeHeld))
			Expect(pi.Annotations).To(HaveKey("effects.hosting.gandi-operator.dev/paid-change.held-since"))
			Expect(w.sim.PaasPaidUpdates()).To(Equal(paid))
			Eventually(w.sim.PaasPaidUpdates).WithTimeout(eventually).Should(Equal(paid + 1))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(), HaveField("Status.Size", "l")))
			Consistently(w.sim.PaasPaidUpdates).WithTimeout(2 * testTiming.Poll).Should(Equal(paid + 1))
			Expect(pi.Annotations).NotTo(HaveKey("effects.hosting.gandi-operator.dev/paid-change.held-since"), "dropped with the record once Gandi shows the size")
		})

		It("performs nothing when restored from an up-to-date backup, and writes the object at most once", func() {
			setSpec(pi, func() {
				pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "2027", Duration: "1m"}
				pi.Spec.RestartRequest, pi.Spec.UpgradeRequest = "r1", "u1"
			})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "2027"),
				HaveField("Status.LastRequests.Restart", "r1"), HaveField("Status.LastRequests.Upgrade", "u1"), beUpToDate()))
			Expect(w.sim.PaasPaidRenews()).To(Equal(1))

			pi = restoredFrom(w, pi, get(pi).GetAnnotations()).(*hostingv1alpha1.PaaSInstance)
			counting, writes := metadataWrites(pi.Name)
			w.startManager(managerOptions{wrap: counting})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate(),
				HaveField("ObjectMeta.Annotations", HaveKeyWithValue(hostingv1alpha1.AnnotationHeldByUID, string(pi.UID)))))
			Consistently(writes).WithTimeout(3*testTiming.Poll).Should(BeNumerically("<=", 1), "one write records the new UID; a settled pass writes nothing")
			Expect(w.sim.PaasPaidRenews()).To(Equal(1))
			Expect(actions()).To(Equal([2]int{1, 1}))
			Expect(eventsAbout(w, "PaaSInstance", pi.Name, hostingv1alpha1.ReasonRequestNotPerformed)()).To(BeEmpty(), "nothing was held back")
		})
	})

	Describe("HostingInstance", func() {
		// An earlier version wrote the create intent without held-by-uid
		// and was stopped (the upgrade) after Gandi accepted the purchase,
		// before the ID was recorded. The object is the very one whose
		// intent it holds (created before it): nothing is held back.
		It("buys the boost of an instance whose create was in flight across an upgrade from a version that recorded no held-by-uid", func() {
			timing := testTiming
			timing.Detail = 2 * testTiming.Poll
			dies, stopped := diesAtPatch(func(obj client.Object) bool { return obj.GetAnnotations()[hostingv1alpha1.AnnotationExternalID] != "" })
			stop := w.startManager(managerOptions{wrap: dies, timing: &timing})
			hi := instance("mid-create", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.DurationMonths = 12
				hi.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true}
			})
			w.create(hi)
			Eventually(stopped).WithTimeout(eventually).Should(BeClosed())
			stop()
			Expect(get(hi).GetAnnotations()).To(HaveKey(hostingv1alpha1.AnnotationCreatePending))
			Expect(w.sim.PaidCreates()).To(Equal(1))
			setSpec(hi, func() { delete(hi.Annotations, hostingv1alpha1.AnnotationHeldByUID) })

			w.startManager(managerOptions{timing: &timing})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Eventually(w.sim.PaidChanges).WithTimeout(eventually).Should(Equal(1), "the boost asked for at create was never bought")
			Expect(w.sim.PaidCreates()).To(Equal(1))
			Expect(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonRequestNotPerformed)()).To(BeEmpty(), "the object upgraded mid-create was told it was restored")
		})

		// An earlier operator version recorded the ID without the UID of
		// the object that took hold. The object itself, upgraded in place,
		// keeps its status: what it asks for is performed, not held back
		// as for a restore.
		It("performs the restart asked just before an upgrade from a version that recorded no held-by-uid, and reports nothing held", func() {
			stop := w.startManager(managerOptions{})
			hi := instance("site")
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
			id := hi.Status.ID
			stop()

			setSpec(hi, func() {
				delete(hi.Annotations, hostingv1alpha1.AnnotationHeldByUID)
				hi.Spec.RestartRequest = "r1"
			})
			w.startManager(managerOptions{})
			Eventually(func() []string { return w.sim.Actions(id) }).WithTimeout(eventually).Should(Equal([]string{"restart"}))
			Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.LastActions.Restart", "r1"))
			Expect(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonRequestNotPerformed)()).To(BeEmpty(), "nothing is held back on an upgrade in place")
		})

		It("restarts once for a restart asked after the backup it is restored from, its spec synced again from Git; a new request is performed", func() {
			w.startManager(managerOptions{})
			hi := instance("site")
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
			id, created := hi.Status.ID, hi.UID
			backup := get(hi).GetAnnotations()

			setSpec(hi, func() { hi.Spec.RestartRequest = "r1" })
			Eventually(func() []string { return w.sim.Actions(id) }).WithTimeout(eventually).Should(Equal([]string{"restart"}))

			hi = restoredFrom(w, hi, backup).(*hostingv1alpha1.HostingInstance)
			w.startManager(managerOptions{})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Consistently(func() []string { return w.sim.Actions(id) }).WithTimeout(3*testTiming.Poll).Should(HaveLen(1), "restart r1 was performed a second time")
			Expect(backup).To(HaveKeyWithValue(hostingv1alpha1.AnnotationHeldByUID, string(created)), "recorded in the write that recorded the ID")
			Eventually(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonRequestNotPerformed)).WithTimeout(eventually).Should(ConsistOf(
				HaveField("Note", ContainSubstring("spec.restartRequest (r1)"))))

			setSpec(hi, func() { hi.Spec.RestartRequest = "r2" })
			Eventually(func() []string { return w.sim.Actions(id) }).WithTimeout(eventually).Should(HaveLen(2))
			Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.LastActions.Restart", "r2"))
		})

		// The records come back from a backup taken before more storage was
		// asked, the spec from Git. Gandi accepted the PATCH (202) and
		// still applies it: a GET shows the old storage and the instance
		// active. The object that takes hold again waits a grace (here
		// longer than Gandi takes) before it pays for a change.
		It("pays once for storage asked after the backup it is restored from while Gandi still applies it, its spec synced again from Git", func() {
			applying := 8 * testTiming.Poll
			t := gandisim.FastTimings()
			t.InstanceUpdate = applying
			w.sim.SetTimings(t)
			w.startManager(managerOptions{})
			hi := instance("site")
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
			id := hi.Status.ID
			backup := maps.Clone(get(hi).GetAnnotations())
			paid := w.sim.PaidChanges()

			setSpec(hi, func() { hi.Spec.StorageAdditionalSizeGB = ptr[int32](50) })
			Eventually(w.sim.PaidChanges).WithTimeout(eventually).Should(Equal(paid + 1))

			hi = restoredFrom(w, hi, backup).(*hostingv1alpha1.HostingInstance)
			timing := testTiming
			timing.CreateGrace = applying + 2*testTiming.Poll
			w.startManager(managerOptions{timing: &timing})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonPaidChangeHeld)))
			Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("the paid change to additional storage 50 GB waits until"))
			Expect(w.sim.PaidChanges()).To(Equal(paid + 1))
			Eventually(func() int { v, _ := w.sim.Instance(id); return v.StorageAdditionalSize }).WithTimeout(eventually).Should(Equal(50))
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
			Consistently(w.sim.PaidChanges).WithTimeout(timing.CreateGrace).Should(Equal(paid+1), "the storage was paid a second time")
		})

		// The backup predates the boost: its booster record is absent. The
		// boost bought after it ran and Gandi offers the booster again;
		// the spec, synced again from Git, still says enabled: true.
		It("buys no boost again for the enabled: true of a spec synced again from Git, restored from a backup older than the boost", func() {
			timing := testTiming
			timing.Detail = 2 * testTiming.Poll
			w.startManager(managerOptions{timing: &timing})
			hi := instance("site", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.DurationMonths = 12 })
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
			id := hi.Status.ID
			backup := get(hi).GetAnnotations()
			Expect(backup).NotTo(HaveKey("effects.hosting.gandi-operator.dev/booster"))

			setSpec(hi, func() { hi.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true} })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				HaveField("ObjectMeta.Annotations", HaveKeyWithValue("effects.hosting.gandi-operator.dev/booster", HavePrefix("delivered:"))))
			Expect(w.sim.PaidChanges()).To(Equal(1))
			w.sim.Advance(38 * 24 * time.Hour)
			Expect(func() bool { v, _ := w.sim.Instance(id); return v.Booster }()).To(BeFalse())

			hi = restoredFrom(w, hi, backup).(*hostingv1alpha1.HostingInstance)
			w.startManager(managerOptions{timing: &timing})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				HaveField("ObjectMeta.Annotations", HaveKeyWithValue(hostingv1alpha1.AnnotationHeldByUID, string(hi.UID)))))
			Consistently(w.sim.PaidChanges).WithTimeout(4*testTiming.Poll).Should(Equal(1), "the boost was bought a second time")
			Eventually(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonRequestNotPerformed)).WithTimeout(eventually).Should(ConsistOf(
				HaveField("Note", And(ContainSubstring("spec.booster.enabled (true)"), ContainSubstring("again")))))
		})

		// The backup was taken while the create was in flight: it holds
		// the create intent, no ID and no booster record. The original
		// then got its instance and its boost, which ran; Gandi offers the
		// booster again. Restored (new UID), the object finds the instance
		// through the intent, which says nothing of the boost bought after
		// the backup.
		It("buys no boost again when restored from a backup taken while its create was in flight, and finds its instance through the intent", func() {
			timing := testTiming
			timing.Detail = 2 * testTiming.Poll
			w.startManager(managerOptions{timing: &timing})
			w.sim.SetLatency(gandisim.RouteCreateInstance, 3*time.Second)
			hi := instance("site", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.DurationMonths = 12
				hi.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true}
			})
			w.create(hi)
			var backup map[string]string
			Eventually(func() bool {
				ann := get(hi).GetAnnotations()
				_, pending := ann[hostingv1alpha1.AnnotationCreatePending]
				if pending {
					backup = maps.Clone(ann)
				}
				return pending
			}).WithTimeout(eventually).WithPolling(50 * time.Millisecond).Should(BeTrue())
			Expect(backup).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID))
			w.sim.SetLatency(gandisim.RouteCreateInstance, 0)

			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				HaveField("ObjectMeta.Annotations", HaveKeyWithValue("effects.hosting.gandi-operator.dev/booster", HavePrefix("delivered:"))))
			id := hi.Status.ID
			Expect(w.sim.PaidChanges()).To(Equal(1), "the object created here buys its boost")
			w.sim.Advance(38 * 24 * time.Hour)
			Expect(func() bool { v, _ := w.sim.Instance(id); return v.Booster }()).To(BeFalse())

			hi = restoredFrom(w, hi, backup).(*hostingv1alpha1.HostingInstance)
			w.startManager(managerOptions{timing: &timing})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", id)))
			Consistently(w.sim.PaidChanges).WithTimeout(4*testTiming.Poll).Should(Equal(1), "the boost was bought a second time")
			Eventually(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonRequestNotPerformed)).WithTimeout(eventually).Should(ConsistOf(
				HaveField("Note", ContainSubstring("spec.booster.enabled (true)"))))
		})
	})
})
