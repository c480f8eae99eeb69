package controller_test

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// The shared lifecycle, seen the way a user would: two objects racing for
// one Gandi object, lost answers, statuses lost in a restore, crashes
// between a side effect and the status write.
var _ = Describe("The shared lifecycle", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	It("gives one site to one of two Vhosts naming it; the other reports who has it, and deleting it leaves the site", func() {
		id := w.seedInstance()
		w.startManager(managerOptions{})
		first := vhost("www-a", "www.example.com", onInstance(id))
		second := vhost("www-b", "www.example.com", onInstance(id))
		w.create(first)
		w.create(second)

		var owner, other *hostingv1alpha1.Vhost
		Eventually(func() int {
			owner, other = nil, nil
			for _, vh := range []*hostingv1alpha1.Vhost{first, second} {
				get(vh)
				switch {
				case cond(vh, hostingv1alpha1.ConditionReady).Status == metav1.ConditionTrue:
					owner = vh
				case cond(vh, hostingv1alpha1.ConditionReady).Reason == hostingv1alpha1.ReasonOwnedByAnotherObject:
					other = vh
				}
			}
			if owner == nil || other == nil {
				return 0
			}
			return 2
		}).WithTimeout(eventually).Should(Equal(2), "one Vhost Ready, the other OwnedByAnotherObject")
		Expect(cond(other, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(owner.Name))
		Expect(other.GetAnnotations()).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID))
		Expect(w.sim.Vhosts(id)).To(HaveLen(1))

		Expect(k8sClient.Delete(suiteCtx, other)).To(Succeed())
		Eventually(gone(other)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Vhost(id, "www.example.com")
		Expect(still).To(BeTrue(), "deleting the Vhost that does not own the site must leave it")
		Consistently(fetch(owner)).WithTimeout(2 * testTiming.Poll).Should(beReady())
	})

	// A loser (OwnedByAnotherObject) sends nothing and is judged again at
	// --poll-interval only, an hour here: the holder's deletion must wake
	// it through the watch on its kind, or it keeps the stale condition.
	DescribeTable("wakes the object held back by another one as soon as the holder is deleted",
		func(holderAndLoser func(w *world) (holder, loser client.Object)) {
			timing := testTiming
			timing.Poll = time.Hour
			w.startManager(managerOptions{timing: &timing})
			holder, loser := holderAndLoser(w)
			Eventually(fetch(loser)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))

			Expect(k8sClient.Delete(suiteCtx, holder)).To(Succeed())
			Eventually(gone(holder)).WithTimeout(eventually).Should(BeTrue())
			Eventually(fetch(loser)).WithTimeout(10*time.Second).Should(beReady(),
				"the object held back still reports its deleted holder: %v", cond(loser, hostingv1alpha1.ConditionReady))
		},
		Entry("two Vhosts naming one site; the one held back has the adopt annotation", func(w *world) (client.Object, client.Object) {
			id := w.seedInstance()
			holder := vhost("www-a", "www.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
				vh.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
			})
			w.create(holder)
			Eventually(fetch(holder)).WithTimeout(eventually).Should(beReady())
			loser := vhost("www-b", "www.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
				vh.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
			})
			w.create(loser)
			return holder, loser
		}),
		Entry("two HostingInstances naming one instance through two Secrets; the one held back has the adopt annotation", func(w *world) (client.Object, client.Object) {
			holder := instance("shop", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
			})
			w.create(holder)
			Eventually(fetch(holder)).WithTimeout(eventually).Should(beReady())
			w.secret("same-account", map[string]string{"token": orgToken})
			loser := instance("taker", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.Name = "shop"
				hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "same-account"}
				hi.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
			})
			w.create(loser)
			return holder, loser
		}),
		Entry("two Templates naming one template through two Secrets; the one held back has the adopt annotation", func(w *world) (client.Object, client.Object) {
			holder := gandiTemplate("dns", func(t *hostingv1alpha1.Template) { t.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan })
			w.create(holder)
			Eventually(fetch(holder)).WithTimeout(eventually).Should(beReady())
			w.secret("same-account", map[string]string{"token": orgToken})
			loser := gandiTemplate("taker", func(t *hostingv1alpha1.Template) {
				t.Spec.Name = "dns"
				t.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "same-account"}
				t.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
			})
			w.create(loser)
			return holder, loser
		}),
		Entry("two PaaSInstances naming one instance; the one held back has the adopt annotation", func(w *world) (client.Object, client.Object) {
			w.paasAccount()
			w.secret("paas-password", map[string]string{"password": "first-password"})
			holder := paasInstance("first", func(pi *hostingv1alpha1.PaaSInstance) {
				pi.Spec.Name = "shared"
				pi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
			})
			w.create(holder)
			Eventually(fetch(holder)).WithTimeout(eventually).Should(beReady())
			loser := paasInstance("second", func(pi *hostingv1alpha1.PaaSInstance) {
				pi.Spec.Name = "shared"
				pi.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
			})
			w.create(loser)
			return holder, loser
		}),
	)

	It("gives a copy of a HostingInstance under another name, keeping its external-id, nothing to manage: it reports the original, renames nothing, and deleting it leaves the instance", func() {
		w.startManager(managerOptions{})
		shop := instance("shop")
		w.create(shop)
		Eventually(fetch(shop)).WithTimeout(eventually).Should(beReady())
		id := shop.Status.ID

		// kubectl get -o yaml, renamed and applied: the annotations come
		// along, the natural key (spec.name defaults to the object's name)
		// does not.
		dup := instance("shop-copy", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
		})
		w.create(dup)
		Eventually(fetch(dup)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
		Expect(cond(dup, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(w.namespace + "/shop"))
		Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(BeZero(), "the copy must not rename the instance to its own name")
		v, _ := w.sim.Instance(id)
		Expect(v.Name).To(Equal("shop"))

		Expect(k8sClient.Delete(suiteCtx, dup)).To(Succeed())
		Eventually(gone(dup)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Instance(id)
		Expect(still).To(BeTrue(), "deleting the copy must leave the instance its original manages")
		Consistently(fetch(shop)).WithTimeout(2 * testTiming.Poll).Should(beReady())
		Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(BeZero())
	})

	It("refuses an adoption of an instance another object manages, even an older object's asked through other credentials, and the one that bought it keeps it", func() {
		w.startManager(managerOptions{})
		shop := instance("shop")
		w.create(shop)
		Eventually(fetch(shop)).WithTimeout(eventually).Should(beReady())
		id := shop.Status.ID

		// Another Secret holding the same token: another natural key, the
		// same Gandi instance, asked for by adopt.
		w.secret("same-account", map[string]string{"token": orgToken})
		taker := instance("taker", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.Name = "shop"
			hi.Spec.Size = "advanced"
			hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "same-account"}
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
		})
		w.create(taker)
		Eventually(fetch(taker)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
		Expect(cond(taker, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(w.namespace + "/shop"))
		Expect(taker.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID))
		Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(BeZero(), "the adopter must not change the instance")

		// Someone sets the ID by hand instead: the object that bought the
		// instance still manages it, whichever object is older.
		annotate(taker, hostingv1alpha1.AnnotationExternalID, id)
		Eventually(fetch(taker)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
		Consistently(fetch(shop)).WithTimeout(2 * testTiming.Poll).Should(beReady())
		Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(BeZero())
		v, _ := w.sim.Instance(id)
		Expect(v.Size).To(Equal("starter"))
	})

	It("sees an instance an object manages from its status alone (its external-id removed, as kubectl replace does): another object given that ID by hand reports it, and deleting that one leaves the instance", func() {
		w.startManager(managerOptions{})
		shop := instance("shop")
		w.create(shop)
		Eventually(fetch(shop)).WithTimeout(eventually).Should(beReady())
		id := shop.Status.ID

		// Removing the annotation does not let the instance go: the ID
		// stays in the status, and the object keeps managing it.
		setSpec(shop, func() { delete(shop.Annotations, hostingv1alpha1.AnnotationExternalID) })
		Consistently(fetch(shop)).WithTimeout(2 * testTiming.Poll).Should(And(beReady(), HaveField("Status.ID", id)))

		// Another Secret of the same account (another natural key) and
		// the ID set by hand.
		w.secret("same-account", map[string]string{"token": orgToken})
		taker := instance("taker", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.Name = "shop"
			hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "same-account"}
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
		})
		w.create(taker)
		Eventually(fetch(taker)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
		Expect(cond(taker, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(w.namespace + "/shop"))
		Consistently(fetch(taker)).WithTimeout(2 * testTiming.Poll).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))

		Expect(k8sClient.Delete(suiteCtx, taker)).To(Succeed())
		Eventually(gone(taker)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Instance(id)
		Expect(still).To(BeTrue(), "deleting the object given the ID by hand must leave the instance %s manages", shop.Name)
		Expect(w.sim.Requests(gandisim.RouteDeleteInstance)).To(BeZero())
		Consistently(fetch(shop)).WithTimeout(2 * testTiming.Poll).Should(beReady())
	})

	// elderElsewhere is a Ready HostingInstance "elder" in another tenant's
	// namespace, with a token of the same account, older than any object
	// the spec creates next; the spec's manager must be running.
	elderElsewhere := func() *hostingv1alpha1.HostingInstance {
		elsewhere := w.namespace + "-other"
		Expect(k8sClient.Create(suiteCtx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: elsewhere}})).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "gandi-credentials", Namespace: elsewhere},
			StringData: map[string]string{"token": orgToken}})).To(Succeed())
		elder := instance("elder")
		elder.Namespace = elsewhere
		Expect(k8sClient.Create(suiteCtx, elder)).To(Succeed())
		Eventually(fetch(elder)).WithTimeout(eventually).Should(beReady())
		DeferCleanup(func() {
			Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, elder))).To(Succeed())
			Eventually(gone(elder)).WithTimeout(eventually).Should(BeTrue())
		})
		return elder
	}

	It("keeps an instance with the object that bought it when an older object in another namespace is given its ID and created-id by hand", func() {
		w.startManager(managerOptions{})
		elder := elderElsewhere()

		shop := instance("shop")
		w.create(shop)
		Eventually(fetch(shop)).WithTimeout(eventually).Should(beReady())
		id := shop.Status.ID
		patches := w.sim.Requests(gandisim.RoutePatchInstance)

		// Annotations are anyone's who may edit their own object: the
		// older object is given both marks of the instance's buyer.
		setSpec(elder, func() {
			elder.Annotations[hostingv1alpha1.AnnotationExternalID] = id
			elder.Annotations[hostingv1alpha1.AnnotationCreatedID] = id
		})
		Eventually(fetch(elder)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
		Consistently(fetch(shop)).WithTimeout(2 * testTiming.Poll).Should(beReady())
		v, _ := w.sim.Instance(id)
		Expect(v.Name).To(Equal("shop"), "the forged object must not rename the instance")
		Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(Equal(patches))
	})

	It("keeps an instance with the object that bought it when that object is restored without status while an older object that lost the claim carries its ID and created-id", func() {
		w.startManager(managerOptions{})
		elder := elderElsewhere()
		shop := instance("shop")
		w.create(shop)
		Eventually(fetch(shop)).WithTimeout(eventually).Should(beReady())
		id := shop.Status.ID

		// The older object is given both marks of the buyer (by hand, or a
		// kubectl get -o yaml copy applied under its name) and loses while
		// the buyer's status shows the instance observed as its own.
		setSpec(elder, func() {
			elder.Annotations[hostingv1alpha1.AnnotationExternalID] = id
			elder.Annotations[hostingv1alpha1.AnnotationCreatedID] = id
		})
		Eventually(fetch(elder)).WithTimeout(eventually).Should(And(HaveField("Status.LostClaimID", id),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject)))
		Consistently(fetch(shop)).WithTimeout(2 * testTiming.Poll).Should(beReady())
		patches := w.sim.Requests(gandisim.RoutePatchInstance)

		By("the buyer's namespace is restored from a backup without status: the buyer is now the newer object, its status empty")
		for _, stop := range w.stopsNow() {
			stop()
		}
		restored := restoredWithoutStatus(shop)
		w.startManager(managerOptions{})
		Eventually(fetch(restored)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", id)),
			"the object that bought the instance manages it again")
		Consistently(fetch(elder)).WithTimeout(2 * testTiming.Poll).Should(And(HaveField("Status.LostClaimID", id),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject)))
		Expect(cond(elder, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(w.namespace + "/shop"))
		Expect(restored.Status.LostClaimID).To(BeEmpty())
		v, _ := w.sim.Instance(id)
		Expect(v.Name).To(Equal("shop"), "the object that lost the claim must not rename the instance")
		Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(Equal(patches))

		By("deleting the object that lost the claim leaves the instance")
		Expect(k8sClient.Delete(suiteCtx, elder)).To(Succeed())
		Eventually(gone(elder)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Instance(id)
		Expect(still).To(BeTrue())
		Consistently(fetch(restored)).WithTimeout(2 * testTiming.Poll).Should(beReady())
	})

	It("takes nothing at Gandi for an object restored with a create intent older than itself: no adoption by that intent, and no delete", func() {
		w.startManager(managerOptions{})
		theirs := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "restored", Size: "starter", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
		// A backup taken while the original's create was unconfirmed,
		// restored after a colleague bought an instance of the same name.
		hi := instance("restored", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationCreatePending: time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists))
		Expect(hi.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID), "the colleague's "+theirs)

		Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
		Eventually(gone(hi)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Instance(theirs)
		Expect(still).To(BeTrue(), "deleting the restored object must leave the colleague's instance")
		Expect(w.sim.PaidCreates()).To(BeZero())
	})

	Describe("deleting the loser of a conflict whose own create is unconfirmed", func() {
		// The loser's create was cut before Gandi acted, so its intent stays
		// open; another object on the same account (another Secret) then
		// buys the same name, which the loser's lookup finds made after its
		// intent. Deleting the loser, as its condition advises, must leave
		// the winner's purchase.
		var timing controller.Timing

		BeforeEach(func() {
			w.secret("gandi-credentials-2", map[string]string{"token": orgToken})
			timing = testTiming
			timing.CreateGrace = 5 * time.Second
		})

		It("leaves the instance the other object manages", func() {
			w.sim.ResetNextPaid(gandisim.RouteCreateInstance, 1)
			w.startManager(managerOptions{timing: &timing})
			loser := instance("shop-a", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Name = "shop" })
			w.create(loser)
			Eventually(fetch(loser)).WithTimeout(eventually).Should(
				HaveField("ObjectMeta.Annotations", HaveKey(hostingv1alpha1.AnnotationCreatePending)))

			winner := instance("shop-c", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.Name = "shop"
				hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials-2"}
			})
			w.create(winner)
			Eventually(fetch(winner)).WithTimeout(eventually).Should(beReady())
			theirs := winner.Status.ID
			Eventually(fetch(loser)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
			Expect(cond(loser, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring("shop-c"))

			Expect(k8sClient.Delete(suiteCtx, loser)).To(Succeed())
			// It waits out its own create's grace, then lets go.
			Eventually(gone(loser)).WithTimeout(eventually + timing.CreateGrace).Should(BeTrue())
			_, kept := w.sim.Instance(theirs)
			Expect(kept).To(BeTrue(), "deleting the loser must leave the instance shop-c manages ("+theirs+")")
			Expect(w.sim.Requests(gandisim.RouteDeleteInstance)).To(BeZero())
			Consistently(fetch(winner)).WithTimeout(2 * testTiming.Poll).Should(beReady())
		})

		// boughtWithIDHeld runs the loser's unconfirmed create, then the
		// other object's create, whose answer comes and the write of whose
		// ID is held until release: Gandi then lists an instance made after
		// the loser's intent that no cluster object records.
		boughtWithIDHeld := func() (loser, winner *hostingv1alpha1.HostingInstance, release func()) {
			w.sim.ResetNextPaid(gandisim.RouteCreateInstance, 1)
			blocked, held := make(chan struct{}), make(chan struct{})
			var released sync.Once
			release = func() { released.Do(func() { close(held) }) }
			DeferCleanup(release)
			var once atomic.Bool
			w.startManager(managerOptions{timing: &timing, workers: 2, wrap: interceptor.Funcs{
				Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
					if obj.GetName() == "shop-c" && obj.GetAnnotations()[hostingv1alpha1.AnnotationExternalID] != "" && once.CompareAndSwap(false, true) {
						close(blocked)
						select {
						case <-held:
						case <-ctx.Done():
							return ctx.Err()
						}
					}
					return c.Patch(ctx, obj, patch, opts...)
				},
			}})
			loser = instance("shop-a", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Name = "shop" })
			w.create(loser)
			Eventually(fetch(loser)).WithTimeout(eventually).Should(
				HaveField("ObjectMeta.Annotations", HaveKey(hostingv1alpha1.AnnotationCreatePending)))
			winner = instance("shop-c", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.Name = "shop"
				hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials-2"}
			})
			w.create(winner)
			Eventually(blocked).WithTimeout(eventually).Should(BeClosed())
			Expect(w.sim.PaidCreates()).To(Equal(1))
			return loser, winner, release
		}

		It("leaves an instance the other object bought while its ID is not written yet", func() {
			loser, winner, release := boughtWithIDHeld()
			Expect(k8sClient.Delete(suiteCtx, loser)).To(Succeed())
			Consistently(func() int { return w.sim.Requests(gandisim.RouteDeleteInstance) }).WithTimeout(3*time.Second).Should(BeZero(),
				"the loser deletes nothing while the other object's ID is on its way")
			release()
			Eventually(fetch(winner)).WithTimeout(eventually).Should(beReady())
			Eventually(gone(loser)).WithTimeout(eventually + timing.CreateGrace).Should(BeTrue())
			Expect(w.sim.Requests(gandisim.RouteDeleteInstance)).To(BeZero())
			Consistently(fetch(winner)).WithTimeout(2 * testTiming.Poll).Should(beReady())
		})

		It("does not take for its own an instance the other object bought while its ID is not written yet", func() {
			loser, winner, release := boughtWithIDHeld()
			Consistently(fetch(loser)).WithTimeout(3*time.Second).ShouldNot(
				HaveField("ObjectMeta.Annotations", HaveKey(hostingv1alpha1.AnnotationExternalID)),
				"the loser records nothing while the other object's ID is on its way")
			release()
			Eventually(fetch(winner)).WithTimeout(eventually).Should(beReady())
			Eventually(fetch(loser)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
			Expect(loser.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID))
			Consistently(fetch(winner)).WithTimeout(2 * testTiming.Poll).Should(beReady())
		})

		It("leaves the template the other object manages, though Gandi dates no template", func() {
			w.sim.ResetNext(gandisim.RouteCreateTemplate, 1)
			w.startManager(managerOptions{timing: &timing})
			loser := gandiTemplate("tpl-a", func(t *hostingv1alpha1.Template) { t.Spec.Name = "shared" })
			w.create(loser)
			Eventually(fetch(loser)).WithTimeout(eventually).Should(
				HaveField("ObjectMeta.Annotations", HaveKey(hostingv1alpha1.AnnotationCreatePending)))

			winner := gandiTemplate("tpl-c", func(t *hostingv1alpha1.Template) {
				t.Spec.Name = "shared"
				t.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials-2"}
			})
			w.create(winner)
			Eventually(fetch(winner)).WithTimeout(eventually).Should(beReady())
			theirs := winner.Status.ID
			Eventually(fetch(loser)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))

			Expect(k8sClient.Delete(suiteCtx, loser)).To(Succeed())
			Eventually(gone(loser)).WithTimeout(eventually + timing.CreateGrace).Should(BeTrue())
			_, kept := w.sim.Template(theirs)
			Expect(kept).To(BeTrue(), "deleting the loser must leave the template tpl-c manages ("+theirs+")")
			Consistently(fetch(winner)).WithTimeout(2 * testTiming.Poll).Should(beReady())
		})

		It("deletes the instance its own cut create made, and leaves the same-named one the other object manages", func() {
			// The loser's create buys an instance, and the process dies
			// before the ID from Gandi's answer is written.
			dies, stopped := diesAtPatch(func(obj client.Object) bool {
				return obj.GetName() == "shop-a" && obj.GetAnnotations()[hostingv1alpha1.AnnotationExternalID] != ""
			})
			stop := w.startManager(managerOptions{timing: &timing, wrap: dies})
			loser := instance("shop-a", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Name = "shop" })
			w.create(loser)
			Eventually(stopped).WithTimeout(eventually).Should(BeClosed())
			stop()
			Expect(get(loser).GetAnnotations()).To(And(
				HaveKey(hostingv1alpha1.AnnotationCreatePending), Not(HaveKey(hostingv1alpha1.AnnotationExternalID))))
			Expect(w.sim.Instances()).To(HaveLen(1))
			own := w.sim.Instances()[0].ID

			// Meanwhile a same-named instance appears, made after the
			// loser's intent too, and another object (other credentials)
			// is pointed at it; then the loser is deleted.
			theirs := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "shop", Size: "starter", Location: "FR",
				Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
			winner := instance("shop-c", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.Name = "shop"
				hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials-2"}
				hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: theirs}
			})
			w.create(winner)
			Expect(k8sClient.Delete(suiteCtx, loser)).To(Succeed())

			w.startManager(managerOptions{timing: &timing})
			Eventually(gone(loser)).WithTimeout(eventually).Should(BeTrue())
			Eventually(func() bool { _, ok := w.sim.Instance(own); return ok }).WithTimeout(eventually).Should(BeFalse(),
				"the instance the loser's create bought ("+own+") goes with it")
			Expect(w.sim.Requests(gandisim.RouteDeleteInstance)).To(Equal(1))
			_, kept := w.sim.Instance(theirs)
			Expect(kept).To(BeTrue(), "deleting the loser must leave the instance shop-c manages ("+theirs+")")
			Eventually(fetch(winner)).WithTimeout(eventually).Should(beReady())
			Expect(winner.Status.ID).To(Equal(theirs))
		})
	})

	It("never adopts, in the pass that created it, a vhost a missed look-up did not show", func() {
		id := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "live", Size: "starter",
			Vhosts: []gandisim.SeedVhost{{FQDN: "shop.example.com"}}})
		// Gandi answers the first look-up late: the existing vhost is missed.
		w.sim.FailNext(gandisim.RouteGetVhost, 1, 404, 0)
		w.startManager(managerOptions{})
		vh := vhost("shop", "shop.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists))
		Consistently(fetch(vh)).WithTimeout(2 * testTiming.Poll).ShouldNot(beReady())
		Expect(vh.GetAnnotations()).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID))
		Expect(vh.GetAnnotations()).NotTo(HaveKey(hostingv1alpha1.AnnotationCreatePending))
	})

	It("deletes the site of a Vhost restored without its status", func() {
		id, vh := readyThenStopped(w)

		Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
		clearStatus(get(vh))
		Expect(get(vh).(*hostingv1alpha1.Vhost).Status.InstanceID).To(BeEmpty())

		w.startManager(managerOptions{})
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Vhost(id, "www.example.com")
		Expect(still).To(BeFalse(), "the site must be deleted at Gandi")
	})

	It("does not send the password again after a crash that lost the status", func() {
		w.secret("shop-password", map[string]string{"password": "first-password"})
		stop := w.startManager(managerOptions{})
		hi := instance("shop", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.Authentication = &hostingv1alpha1.AuthenticationSpec{PasswordSecretRef: &hostingv1alpha1.SecretKeySelector{Name: "shop-password", Key: "password"}}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		id := hi.Status.ID
		sent := w.sim.LastPassword(id)
		Expect(sent).To(HavePrefix("$6$"))
		stop()

		// What a crash before the status write (or a restore) leaves.
		clearStatus(get(hi))
		w.startManager(managerOptions{})
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Consistently(func() string { return w.sim.LastPassword(id) }).WithTimeout(2*testTiming.Poll).Should(Equal(sent),
			"a new hash means the password was sent again")
		Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(BeZero())
	})

	It("reports an action whose answer was lost as unconfirmed, never as performed, and sends it no second time", func() {
		id := w.seedInstance()
		w.sim.CommitThenDrop(gandisim.RouteInstanceAction, 1) // Gandi restarts it; the answer is lost
		w.startManager(managerOptions{})
		// A request made once the object holds the instance: one already
		// set when it takes hold is not performed (TestBaselineRecords).
		hi := instance("seeded", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		setSpec(hi, func() { hi.Spec.RestartRequest = "r1" })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("set a new spec.restartRequest"))
		Consistently(func() []string { return w.sim.Actions(id) }).WithTimeout(2 * testTiming.Poll).Should(HaveLen(1))
		Expect(get(hi).(*hostingv1alpha1.HostingInstance).Status.LastActions).To(BeNil(), "status says performed only what Gandi accepted")
		Expect(hi).To(beReady(), "the instance itself is observed as running")

		By("a new value asks again: performed, reported, and kept across a restore without status")
		setSpec(hi, func() { hi.Spec.RestartRequest = "r2" })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(HaveField("Status.LastActions.Restart", "r2"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
		Expect(w.sim.Actions(id)).To(HaveLen(2))
		clearStatus(get(hi))
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(HaveField("Status.LastActions.Restart", "r2"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
		Consistently(func() []string { return w.sim.Actions(id) }).WithTimeout(2 * testTiming.Poll).Should(HaveLen(2))
	})

	It("runs an action once even when the manager dies right after sending it", func() {
		id := w.seedInstance()
		var died atomic.Bool
		stopped := make(chan struct{})
		stop := w.startManager(managerOptions{wrap: interceptor.Funcs{
			SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
				if hi, ok := obj.(*hostingv1alpha1.HostingInstance); ok && hi.Spec.RestartRequest != "" && len(w.sim.Actions(id)) > 0 && died.CompareAndSwap(false, true) {
					close(stopped) // the process dies before the status write
					<-ctx.Done()
					return ctx.Err()
				}
				return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
			},
		}})
		hi := instance("seeded", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		setSpec(hi, func() { hi.Spec.RestartRequest = "r1" })
		Eventually(stopped).WithTimeout(eventually).Should(BeClosed())
		stop()
		w.startManager(managerOptions{})
		Eventually(func() string {
			get(hi)
			if hi.Status.LastActions == nil {
				return ""
			}
			return hi.Status.LastActions.Restart
		}).WithTimeout(eventually).Should(Equal("r1"))
		Consistently(func() []string { return w.sim.Actions(id) }).WithTimeout(2 * testTiming.Poll).Should(HaveLen(1))
	})

	It("buys once when the manager that recorded a create freezes before sending it, and another buys meanwhile", func() {
		// A leader frozen (SIGSTOP, a paused VM) right after its create's
		// record landed: another manager takes over, waits out the grace
		// with nothing at Gandi, and buys. The first one then thaws with
		// its create in hand, and must drop it.
		wrap, frozen, thawed := freezesAfterPatch(func(obj client.Object) bool {
			_, intent := obj.GetAnnotations()[hostingv1alpha1.AnnotationCreatePending]
			return obj.GetName() == "frozen" && intent
		})
		w.startManager(managerOptions{wrap: wrap})
		hi := instance("frozen")
		w.create(hi)
		Eventually(frozen).WithTimeout(eventually).Should(BeClosed())
		Expect(w.sim.PaidCreates()).To(BeZero())

		w.startManager(managerOptions{})
		Eventually(fetch(hi)).WithTimeout(eventually + 2*testTiming.CreateGrace).Should(beReady())
		Expect(w.sim.PaidCreates()).To(Equal(1))

		thawed()
		Consistently(w.sim.PaidCreates).WithTimeout(2*testTiming.Poll).Should(Equal(1), "the thawed manager must not send its create")
		Eventually(eventsAbout(w, "HostingInstance", "frozen", hostingv1alpha1.ReasonSendWindowPassed)).WithTimeout(eventually).Should(
			ContainElement(HaveField("Note", ContainSubstring("too late after its record"))))
		Consistently(fetch(hi)).WithTimeout(testTiming.Poll).Should(beReady())
	})

	It("retries at once a paid create Gandi refused with its own 503, without waiting out the grace period", func() {
		w.sim.FailNextPaid(gandisim.RouteCreateInstance, 1, 503, 0)
		// A grace period far longer than the wait below: only a create
		// known to have bought nothing may be sent again within it.
		long := testTiming
		long.CreateGrace = 10 * time.Minute
		w.startManager(managerOptions{timing: &long})
		hi := instance("busy")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.PaidCreates()).To(Equal(1))
		Expect(hi.GetAnnotations()).NotTo(HaveKey(hostingv1alpha1.AnnotationCreatePending))
	})

	It("treats a 429 on a paid create as a refusal: the intent is taken back", func() {
		w.sim.FailNextPaid(gandisim.RouteCreateInstance, 1, 429, 0)
		long := testTiming
		long.CreateGrace = 10 * time.Minute
		w.startManager(managerOptions{timing: &long})
		hi := instance("limited")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.PaidCreates()).To(Equal(1))
	})

	It("reports missing credentials on Ready too, and moves observedGeneration only when it observed", func() {
		stop := w.startManager(managerOptions{})
		hi := instance("creds", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		observed := hi.Status.ObservedGeneration
		stop()

		setSpec(hi, func() { hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "missing"} })
		w.startManager(managerOptions{})
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsNotFound))
		Expect(hi.Status.ObservedGeneration).To(Equal(observed), "nothing was observed for the new generation")

		annotate(hi, hostingv1alpha1.AnnotationPaused, "true")
		generation := get(hi).GetGeneration()
		setSpec(hi, func() { hi.Spec.StorageAdditionalSizeGB = ptr[int32](10) })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonReconcilePaused))
		Expect(get(hi).GetGeneration()).To(BeNumerically(">", generation))
		Expect(hi.Status.ObservedGeneration).To(Equal(observed), "a paused object observes nothing")

		// Let the teardown delete it at Gandi.
		setSpec(hi, func() {
			delete(hi.Annotations, hostingv1alpha1.AnnotationPaused)
			hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}
		})
	})
})

var _ = Describe("A create Gandi refuses for a reason a lookup cannot see", func() {
	It("is reported, and not sent again at each poll until the spec changes", func() {
		w := newWorld()
		w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "other", Size: "starter",
			Vhosts: []gandisim.SeedVhost{{FQDN: "taken.example.com"}}})
		id := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "mine", Size: "starter", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}})
		w.startManager(managerOptions{})
		vh := vhost("taken", "taken.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCreateRefused)))
		Expect(cond(vh, hostingv1alpha1.ConditionSynced).Message).NotTo(ContainSubstring(hostingv1alpha1.AnnotationAdopt))
		start := w.sim.Requests(gandisim.RouteCreateVhost)
		// testTiming.Poll is 1 s and its detail interval an hour: the
		// refusal (status.createRefusedAt) answers the next polls.
		Consistently(func() int { return w.sim.Requests(gandisim.RouteCreateVhost) - start }).
			WithTimeout(3 * time.Second).Should(BeZero())

		// Nothing was made: the name, create-only, is changed in place,
		// and the create is sent for it at once.
		setSpec(vh, func() { vh.Spec.FQDN = "mine.example.com" })
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		_, made := w.sim.Vhost(id, "mine.example.com")
		Expect(made).To(BeTrue())
		Expect(w.sim.Vhosts(id)).To(HaveLen(1))
	})
})
