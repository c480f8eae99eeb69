package controller_test

import (
	"context"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// A vhost's Gandi ID is its FQDN, known before the create: it is recorded
// with the create intent, in one write, and the intent is resolved only by
// what Gandi shows under it.
var _ = Describe("A Vhost's ID recorded with its create intent", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	// crashedAfterIntent leaves on vh, created with no manager running,
	// what a manager that died between its one metadata write and the POST
	// leaves: the finalizer, the FQDN as ID, and an intent recorded after
	// the object was created.
	crashedAfterIntent := func(vh *hostingv1alpha1.Vhost) {
		before := vh.DeepCopy()
		vh.Annotations = map[string]string{
			hostingv1alpha1.AnnotationExternalID:    vh.Spec.FQDN,
			hostingv1alpha1.AnnotationCreatePending: time.Now().UTC().Format(time.RFC3339Nano),
		}
		vh.Finalizers = []string{controller.Finalizer}
		Expect(k8sClient.Patch(suiteCtx, vh, client.MergeFrom(before))).To(Succeed())
	}
	// restoredFrom is a Vhost restored from a backup taken at intent, its
	// status left behind: the annotations and finalizer of a Vhost whose
	// intent and ID were recorded then.
	restoredFrom := func(fqdn string, intent time.Time) func(*hostingv1alpha1.Vhost) {
		return func(vh *hostingv1alpha1.Vhost) {
			vh.Annotations = map[string]string{
				hostingv1alpha1.AnnotationExternalID:    fqdn,
				hostingv1alpha1.AnnotationCreatePending: intent.UTC().Format(time.RFC3339Nano),
			}
			vh.Finalizers = []string{controller.Finalizer}
		}
	}

	It("writes the finalizer, the intent and the ID in one patch, and resolves the intent from Gandi's creation date", func() {
		id := w.seedInstance()
		var metadataPatches atomic.Int32
		w.startManager(managerOptions{wrap: interceptor.Funcs{
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				if _, ok := obj.(*hostingv1alpha1.Vhost); ok {
					metadataPatches.Add(1)
				}
				return c.Patch(ctx, obj, patch, opts...)
			},
		}})
		vh := vhost("www", "www.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Expect(vh.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationExternalID, "www.example.com"))
		Expect(vh.Annotations).To(HaveKey(hostingv1alpha1.AnnotationCreatePending))
		intent, err := time.Parse(time.RFC3339Nano, vh.Annotations[hostingv1alpha1.AnnotationCreatePending])
		Expect(err).NotTo(HaveOccurred())
		Expect(vh.Status.CreatedAt).NotTo(BeNil())
		Expect(vh.Status.CreatedAt.Time).To(BeTemporally(">=", intent.Add(-time.Minute)))
		Expect(metadataPatches.Load()).To(Equal(int32(1)), "finalizer, intent and ID in one write")
		Expect(w.sim.Requests(gandisim.RouteCreateVhost)).To(Equal(1))
	})

	It("creates a vhost once, and reports SendWindowPassed, when its pass pauses past the send window after its record", func() {
		// The pass stops for 0.7 of a grace right after its record (the
		// FQDN as ID, with the intent) landed: the create is dropped as too
		// late after its record, reported as such (not as an operator
		// bug), the record taken back, and the next pass creates once.
		w.startManager(managerOptions{wrap: pausesAfterPatch(func(obj client.Object) bool {
			_, isVhost := obj.(*hostingv1alpha1.Vhost)
			_, intent := obj.GetAnnotations()[hostingv1alpha1.AnnotationCreatePending]
			return isVhost && intent
		}, 7*testTiming.CreateGrace/10)})
		hi := instance("site")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		vh := vhost("www", "www.example.com")
		w.create(vh)
		Eventually(eventsAbout(w, "Vhost", vh.Name, hostingv1alpha1.ReasonSendWindowPassed)).WithTimeout(eventually).Should(
			ContainElement(HaveField("Note", ContainSubstring("too late after its record"))))
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.Requests(gandisim.RouteCreateVhost)).To(Equal(1))
		Expect(get(vh).GetAnnotations()).To(HaveKeyWithValue(hostingv1alpha1.AnnotationExternalID, "www.example.com"))
		Consistently(func() int { return w.sim.Requests(gandisim.RouteCreateVhost) }).WithTimeout(2 * testTiming.CreateGrace).Should(Equal(1))
	})

	It("sends the create once when the manager died between recording the ID and sending it", func() {
		id := w.seedInstance()
		vh := vhost("www", "www.example.com", onInstance(id))
		w.create(vh)
		crashedAfterIntent(vh)
		w.startManager(managerOptions{})
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Consistently(func() int { return w.sim.Requests(gandisim.RouteCreateVhost) }).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
		Expect(w.sim.Vhosts(id)).To(HaveLen(1))
	})

	It("reports a vhost deleted at Gandi after it was seen, and never creates it again on its own", func() {
		id := w.seedInstance()
		w.startManager(managerOptions{})
		vh := vhost("www", "www.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		w.sim.SetVhostStatus(id, "www.example.com", "being_deleted")
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))
		Consistently(func() int { return w.sim.Requests(gandisim.RouteCreateVhost) }).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})

	It("never claims a same-named vhost made before its intent: the recorded ID is taken back and deleting leaves the site", func() {
		id := w.seedInstance(gandisim.SeedVhost{FQDN: "shop.example.com", CreatedAt: time.Now().Add(-24 * time.Hour)})
		vh := vhost("shop", "shop.example.com", onInstance(id))
		w.create(vh)
		crashedAfterIntent(vh)
		w.startManager(managerOptions{})
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists))
		Eventually(func() map[string]string { return get(vh).GetAnnotations() }).WithTimeout(eventually).ShouldNot(
			Or(HaveKey(hostingv1alpha1.AnnotationExternalID), HaveKey(hostingv1alpha1.AnnotationCreatePending)))
		Consistently(fetch(vh)).WithTimeout(2 * testTiming.Poll).ShouldNot(beReady())

		Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Vhost(id, "shop.example.com")
		Expect(still).To(BeTrue(), "a site this Vhost did not make must stay")
		Expect(w.sim.Writes()).To(BeZero())
	})

	It("lets go of a Vhost deleted with its create never sent", func() {
		id := w.seedInstance()
		vh := vhost("www", "www.example.com", onInstance(id))
		w.create(vh)
		crashedAfterIntent(vh)
		Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
		w.startManager(managerOptions{})
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		Expect(w.sim.Writes()).To(BeZero(), "nothing to create and nothing to delete")
	})

	It("stays Ready, without a second POST, when restored without its status", func() {
		id, vh := readyThenStopped(w)

		clearStatus(get(vh))
		w.startManager(managerOptions{})
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Expect(vh.Status.CreatedAt).NotTo(BeNil())
		Consistently(func() int { return w.sim.Requests(gandisim.RouteCreateVhost) }).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
		Expect(w.sim.Vhosts(id)).To(HaveLen(1))
	})

	It("reports a vhost deleted at Gandi since its backup, when restored without its status, and creates nothing", func() {
		id, vh := readyThenStopped(w)

		// The cluster is lost; the vhost is deleted at Gandi; the Vhost comes
		// back from an hour-old backup, annotations and finalizer kept.
		lost := get(vh)
		lost.SetFinalizers(nil)
		Expect(k8sClient.Update(suiteCtx, lost)).To(Succeed())
		Expect(k8sClient.Delete(suiteCtx, lost)).To(Succeed())
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		w.sim.SetVhostStatus(id, "www.example.com", "being_deleted")
		Eventually(func() bool { _, ok := w.sim.Vhost(id, "www.example.com"); return ok }).WithTimeout(eventually).Should(BeFalse())

		back := vhost("www", "www.example.com", onInstance(id), restoredFrom("www.example.com", time.Now().Add(-time.Hour)))
		w.create(back)
		w.startManager(managerOptions{})
		Eventually(fetch(back)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))
		Consistently(func() int { return w.sim.Requests(gandisim.RouteCreateVhost) }).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})
})

// A vhost's Gandi ID is its FQDN, so the ID alone does not tell the vhost
// this Vhost created from one a person made later under the same name:
// Gandi's creation date does, and the status records it
// (status.createdAt).
var _ = Describe("A Vhost whose vhost was deleted at Gandi and made again by someone under its FQDN", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	// deletedThenMadeByHand is a Vhost made Ready on a seeded instance whose
	// vhost someone deleted at Gandi (the Vhost reports ExternalNotFound),
	// then a colleague made again by hand an hour later: their site. With
	// whileDown, the manager is stopped before the colleague's create and
	// started again after whileDown ran. It returns the instance's ID.
	deletedThenMadeByHand := func(vh *hostingv1alpha1.Vhost, whileDown func()) string {
		id := w.seedInstance()
		stop := w.startManager(managerOptions{})
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

		if whileDown != nil {
			stop()
		}
		w.sim.Advance(time.Hour)
		Expect(hand.CreateVhost(suiteCtx, id, gandi.CreateVhostRequest{FQDN: "www.example.com"})).To(Succeed())
		theirs, ok := w.sim.Vhost(id, "www.example.com")
		Expect(ok).To(BeTrue())
		Expect(theirs.CreatedAt).To(BeTemporally(">", createdAt.Add(30*time.Minute)), "Gandi dates the colleague's site after the one this Vhost created")
		if whileDown != nil {
			whileDown()
			w.startManager(managerOptions{})
		}
		return id
	}

	It("does not report as its own, Ready, the vhost a colleague made again by hand under its FQDN after its own was deleted at Gandi, nor change it", func() {
		vh := vhost("www", "www.example.com")
		deletedThenMadeByHand(vh, nil)
		patches, purges := w.sim.Requests(gandisim.RoutePatchVhost), w.sim.Requests(gandisim.RoutePurgeVhostCache)

		Consistently(readyText(vh)).WithTimeout(4*testTiming.Poll).ShouldNot(HavePrefix("True"),
			"the Vhost reports the colleague's site as its own vhost, Ready")
		Expect(w.sim.Requests(gandisim.RoutePatchVhost)).To(Equal(patches))
		Expect(w.sim.Requests(gandisim.RoutePurgeVhostCache)).To(Equal(purges))
	})

	It("deleted once its own vhost was deleted at Gandi, leaves the vhost a colleague made again by hand under its FQDN", func() {
		vh := vhost("www", "www.example.com")
		// Deleted while the manager is down: its first pass since is the
		// deletion's, which meets the colleague's site under the ID.
		id := deletedThenMadeByHand(vh, func() { Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed()) })

		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Vhost(id, "www.example.com")
		Expect(still).To(BeTrue(), "deleting the Vhost deleted a site it did not create and nobody handed over")
		Expect(w.sim.Requests(gandisim.RouteDeleteVhost)).To(Equal(1), "only the person's own delete")
		Expect(eventsAbout(w, "Vhost", vh.Name, "Released")()).To(ConsistOf(HaveField("Note", ContainSubstring("someone made it again under that name"))))
	})

	It("asked to create its vhost again (its external-id removed, as ExternalNotFound says), does not take for what its own create made the vhost a colleague made by hand meanwhile", func() {
		vh := vhost("www", "www.example.com")
		id := deletedThenMadeByHand(vh, nil)

		// The user does what the message says. A new Vhost would then
		// report AlreadyExists and claim nothing; so must this one: its own
		// create was made, seen and deleted an hour before the colleague's.
		setSpec(vh, func() { delete(vh.Annotations, hostingv1alpha1.AnnotationExternalID) })
		Eventually(readyText(vh)).WithTimeout(eventually).Should(HavePrefix("False "+hostingv1alpha1.ReasonAlreadyExists),
			"the colleague's site is taken for what this Vhost's create made an hour before it")
		Expect(eventsAbout(w, "Vhost", vh.Name, "Adopted")()).To(BeEmpty())

		Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Vhost(id, "www.example.com")
		Expect(still).To(BeTrue(), "deleting the Vhost deleted a site it did not create and nobody handed over")
	})

	It("asked to create its vhost again, then handed the colleague's site over by its user, manages it and stays Ready", func() {
		vh := vhost("www", "www.example.com")
		// The external-id is removed while the manager is down: no pass
		// saw the colleague's site under it first.
		id := deletedThenMadeByHand(vh, func() {
			setSpec(vh, func() { delete(vh.Annotations, hostingv1alpha1.AnnotationExternalID) })
		})
		theirs, _ := w.sim.Vhost(id, "www.example.com")
		Eventually(readyText(vh)).WithTimeout(eventually).Should(HavePrefix("False " + hostingv1alpha1.ReasonAlreadyExists))
		Expect(vh.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationCreatePending), "the intent whose create was seen done is dropped")
		Expect(eventsAbout(w, "Vhost", vh.Name, "Adopted")()).To(BeEmpty())

		annotate(vh, hostingv1alpha1.AnnotationExternalID, "www.example.com")
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Consistently(readyText(vh)).WithTimeout(2*testTiming.Poll).Should(HavePrefix("True"),
			"the user's word is held against the date of the vhost this object had before")
		Expect(vh.Status.CreatedAt.Time).To(BeTemporally("~", theirs.CreatedAt, time.Second), "the vhost it now holds is recorded")
	})
})
