package controller_test

import (
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

var _ = Describe("PaaSInstance records and a create that never happened", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.paasAccount()
		w.secret("paas-password", map[string]string{"password": "first-password"})
	})

	It("takes nothing recorded with the create for done on the instance a person then names, and never deletes a vhost it did not create there", func() {
		other := w.sim.AddPaasInstance(paasKey, "legacy", "php7.3mysql5.7", "s", 1, "www.shop.com")
		Expect(other).NotTo(BeZero())
		// The create is lost before Gandi acts; a long grace keeps it from
		// being sent again while the person names the instance.
		w.sim.ResetNext(xmlrpc("paas.create"), 1)
		timing := testTiming
		timing.CreateGrace = time.Hour
		w.startManager(managerOptions{timing: &timing})
		pi := paasInstance("shop", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.shop.com"}}
		})
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCreating))
		Expect(pi.Annotations).To(HaveKey(hostingv1alpha1.AnnotationCreatePending))
		Expect(w.sim.Requests(xmlrpc("paas.create"))).To(Equal(1))
		Expect(w.sim.PaasPaidCreates()).To(BeZero())

		annotate(pi, hostingv1alpha1.AnnotationExternalID, strconv.Itoa(other))
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", strconv.Itoa(other))))
		Eventually(func() int { v, _ := w.sim.PaasInstance(other); return v.PasswordChanges }).WithTimeout(eventually).
			Should(Equal(1), "the password never reached this instance: it is set there")
		Eventually(eventsAbout(w, "PaaSInstance", pi.Name, hostingv1alpha1.ReasonExternalIDChanged)).WithTimeout(eventually).Should(HaveLen(1))

		setSpec(pi, func() { pi.Spec.Vhosts = nil })
		Consistently(func() int { return w.sim.Requests(xmlrpc("paas.vhost.delete")) }).WithTimeout(3*testTiming.Poll).
			Should(BeZero(), "the vhost was there before this object: not its to delete")
		v, _ := w.sim.PaasInstance(other)
		Expect(v.Vhosts).To(ConsistOf("www.shop.com"))
		Expect(w.sim.PaasPaidCreates()).To(BeZero())
	})

	It("takes back a create sent again that Gandi refuses for a vhost another instance serves, instead of sending it after every grace", func() {
		w.sim.AddPaasInstance(paasKey, "elsewhere", "php7.3mysql5.7", "s", 1, "www.taken.com")
		w.sim.ResetNext(xmlrpc("paas.create"), 1) // the first create is lost before Gandi acts
		// A refused create is tried again at the poll interval (a person may
		// remove the vhost there); a long one shows the loop this was.
		timing := testTiming
		timing.Poll = time.Hour
		w.startManager(managerOptions{timing: &timing})
		pi := paasInstance("taken", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.taken.com"}}
		})
		w.create(pi)
		// Ready: refused, nothing bought, the spec can be corrected;
		// Synced: Gandi's reason.
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCreateRefused),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists)))
		Expect(cond(pi, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring("www.taken.com"))
		Expect(pi.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationCreatePending), "the intent is taken back")
		creates := w.sim.Requests(xmlrpc("paas.create"))
		Expect(creates).To(Equal(2), "the lost one, and the one sent again after the grace")
		Consistently(func() int { return w.sim.Requests(xmlrpc("paas.create")) }).WithTimeout(4 * testTiming.CreateGrace).Should(Equal(creates))
		Expect(w.sim.PaasPaidCreates()).To(BeZero())
	})

	It("buys a new instance once one deleted at Gandi is reported and the user sets spec.recreateIfDeleted, as the report says", func() {
		w.startManager(managerOptions{})
		pi := paasInstance("phoenix")
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
		first := pi.Status.ID
		id, _ := strconv.Atoi(first)

		Expect(w.sim.DeletePaasInstance(id)).To(BeTrue())
		Eventually(fetch(pi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))
		Expect(cond(pi, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring("set spec.recreateIfDeleted to buy a new one"))
		Consistently(w.sim.PaasPaidCreates).WithTimeout(2*testTiming.Poll).Should(Equal(1), "nothing bought without the user's word")

		setSpec(pi, func() { pi.Spec.RecreateIfDeleted = true })
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", Not(Or(BeEmpty(), Equal(first))))))
		Expect(pi.Annotations).To(And(
			HaveKeyWithValue(hostingv1alpha1.AnnotationExternalID, pi.Status.ID),
			HaveKeyWithValue(hostingv1alpha1.AnnotationEffectsFor, pi.Status.ID)))
		Expect(w.sim.PaasPaidCreates()).To(Equal(2))
		Consistently(w.sim.PaasPaidCreates).WithTimeout(2 * testTiming.Poll).Should(Equal(2))
	})

	It("buys no new instance for one Gandi does not show when nothing records what it was seen under (restored without its status), until the user clears its ID", func() {
		stop := w.startManager(managerOptions{})
		pi := paasInstance("phoenix", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.RecreateIfDeleted = true })
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
		first := pi.Status.ID
		id, _ := strconv.Atoi(first)
		stop()

		// Restored without its status while the instance was deleted: the
		// ID is in the annotation, and nothing says what it was seen under.
		clearStatus(get(pi))
		Expect(w.sim.DeletePaasInstance(id)).To(BeTrue())
		Eventually(func() bool { _, ok := w.sim.PaasInstance(id); return ok }).WithTimeout(eventually).Should(BeFalse())
		w.startManager(managerOptions{})
		Eventually(fetch(pi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))
		Expect(cond(pi, hostingv1alpha1.ConditionReady).Message).To(And(
			ContainSubstring("no record of the credentials it was seen under"), ContainSubstring("clear its ID")))
		Consistently(w.sim.PaasPaidCreates).WithTimeout(2*testTiming.Poll).Should(Equal(1), "bought again on a 'not found' nothing can judge")

		// The user confirms it gone, as the message says: the annotation,
		// then status.id.
		setSpec(pi, func() { delete(pi.Annotations, hostingv1alpha1.AnnotationExternalID) })
		Expect(k8sClient.Status().Patch(suiteCtx, pi, client.RawPatch(types.MergePatchType, []byte(`{"status":{"id":null}}`)))).To(Succeed())
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", Not(Or(BeEmpty(), Equal(first))))))
		Expect(w.sim.PaasPaidCreates()).To(Equal(2))
	})

	Describe("pointed at another account's API key", func() {
		// paas.info answers "not found" to another account's instance as to
		// a deleted one: pointed at such a key, the object no longer sees
		// its instance, which was never deleted.
		const otherKey = "legacy-apikey-other-3f9e2b71"
		var (
			pi    *hostingv1alpha1.PaaSInstance
			first int
		)

		BeforeEach(func() {
			w.sim.AddAccount(gandisim.Account{Token: otherKey, APIKey: true, User: "carol",
				Orgs: []gandisim.Org{{ID: "7e2c4b6a-1f3d-11ef-b2c3-00163e816022", Name: "carol-org", CanBill: true}}})
			w.secret("other-apikey", map[string]string{"apikey": otherKey})
			w.startManager(managerOptions{})
			pi = paasInstance("phoenix", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.RecreateIfDeleted = true })
			w.create(pi)
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
			first, _ = strconv.Atoi(pi.Status.ID)
			Expect(pi.Status.ObservedWith).To(And(
				HaveField("ID", pi.Status.ID), HaveField("Secret", w.namespace+"/gandi-apikey"), HaveField("Key", "apikey")))
			Expect(w.sim.PaasPaidCreates()).To(Equal(1))
		})

		notBoughtAgain := func(then, now string) {
			GinkgoHelper()
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsChanged))
			Expect(cond(pi, hostingv1alpha1.ConditionReady).Message).To(And(
				ContainSubstring("PaaS instance "+strconv.Itoa(first)+" is not found at Gandi under "+now),
				ContainSubstring("last seen under "+then), ContainSubstring("Point the credentials back")))
			Expect(pi.Status.ID).To(Equal(strconv.Itoa(first)), "the ID is kept")
			Consistently(w.sim.PaasPaidCreates).WithTimeout(4*testTiming.Poll).Should(Equal(1),
				"a second instance was bought, though the first was never deleted at Gandi")
			v, ok := w.sim.PaasInstance(first)
			Expect(ok).To(BeTrue())
			Expect(v.State).NotTo(Equal("deleted"))
			Expect(eventsAbout(w, "PaaSInstance", pi.Name, hostingv1alpha1.ReasonCredentialsChanged)()).NotTo(BeEmpty())
		}

		It("buys no second instance when spec.credentialsRef names another Secret, and sees its instance again once pointed back", func() {
			setSpec(pi, func() { pi.Spec.CredentialsRef = &hostingv1alpha1.PaaSCredentialsReference{Name: "other-apikey"} })
			notBoughtAgain("Secret "+w.namespace+"/gandi-apikey (key \"apikey\")", "Secret "+w.namespace+"/other-apikey (key \"apikey\")")

			setSpec(pi, func() { pi.Spec.CredentialsRef = &hostingv1alpha1.PaaSCredentialsReference{Name: "gandi-apikey"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", strconv.Itoa(first))))
			Expect(w.sim.PaasPaidCreates()).To(Equal(1))
		})

		It("buys no second instance when its credentials Secret is changed in place to hold another account's key", func() {
			secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: w.namespace, Name: "gandi-apikey"}}
			setSpec(secret, func() { secret.Data = map[string][]byte{"apikey": []byte(otherKey)} })
			seen := "Secret " + w.namespace + "/gandi-apikey (key \"apikey\") at resourceVersion " + pi.Status.ObservedWith.ResourceVersion
			notBoughtAgain(seen+", before it was changed", "Secret "+w.namespace+"/gandi-apikey (key \"apikey\") at resourceVersion "+secret.ResourceVersion)

			setSpec(secret, func() { secret.Data = map[string][]byte{"apikey": []byte(paasKey)} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", strconv.Itoa(first)),
				HaveField("Status.ObservedWith.ResourceVersion", secret.ResourceVersion)))
			Expect(w.sim.PaasPaidCreates()).To(Equal(1))
		})

		It("deletes nothing and lets nothing go when deleted under that key; pointed back, it deletes its instance", func() {
			setSpec(pi, func() { pi.Spec.CredentialsRef = &hostingv1alpha1.PaaSCredentialsReference{Name: "other-apikey"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsChanged))

			Expect(k8sClient.Delete(suiteCtx, pi)).To(Succeed())
			Consistently(gone(pi)).WithTimeout(3*testTiming.Poll).Should(BeFalse(), "let go while its instance lives on, unmanaged")
			Expect(cond(fetch(pi)(), hostingv1alpha1.ConditionReady).Message).To(ContainSubstring("set spec.deletionPolicy: Orphan"))
			v, ok := w.sim.PaasInstance(first)
			Expect(ok).To(BeTrue())
			Expect(v.State).NotTo(Equal("deleted"))

			setSpec(pi, func() { pi.Spec.CredentialsRef = &hostingv1alpha1.PaaSCredentialsReference{Name: "gandi-apikey"} })
			Eventually(gone(pi)).WithTimeout(eventually).Should(BeTrue())
			Eventually(func() bool { v, ok := w.sim.PaasInstance(first); return !ok || v.State == "deleted" }).WithTimeout(eventually).Should(BeTrue())
			Expect(w.sim.PaasPaidCreates()).To(Equal(1))
		})
	})

	It("takes nothing a copied object recorded for done on the instance it adopts, and never deletes a vhost it did not create there", func() {
		other := w.sim.AddPaasInstance(paasKey, "legacy", "php7.3mysql5.7", "s", 1, "www.shop.com")
		w.startManager(managerOptions{})
		// Applied from a copy of another object taken while its create was
		// unconfirmed (kubectl get -o yaml): its intent, and the records
		// sent with that create, came along. The user hands over the
		// same-named instance.
		copied := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
		pi := paasInstance("legacy", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.shop.com"}}
			pi.Annotations = map[string]string{
				hostingv1alpha1.AnnotationAdopt:             "true",
				hostingv1alpha1.AnnotationCreatePending:     copied,
				"effects.hosting.gandi-operator.dev/vhosts": "www.shop.com",
			}
		})
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", strconv.Itoa(other))))
		Expect(pi.Annotations).NotTo(HaveKey("effects.hosting.gandi-operator.dev/vhosts"))
		Eventually(eventsAbout(w, "PaaSInstance", pi.Name, hostingv1alpha1.ReasonExternalIDChanged)).WithTimeout(eventually).Should(HaveLen(1))

		setSpec(pi, func() { pi.Spec.Vhosts = nil })
		Consistently(func() int { return w.sim.Requests(xmlrpc("paas.vhost.delete")) }).WithTimeout(3*testTiming.Poll).
			Should(BeZero(), "the vhost was there before this object: not its to delete")
		v, _ := w.sim.PaasInstance(other)
		Expect(v.Vhosts).To(ConsistOf("www.shop.com"))
		Expect(w.sim.PaasPaidCreates()).To(BeZero())
	})
	It("does not restart, upgrade or reset the MySQL password of an instance it adopts for requests its manifest already held", func() {
		// The manifest re-applied from git after a cluster rebuild, without
		// the annotations that recorded these requests as done.
		other := w.sim.AddPaasInstance(paasKey, "legacy", "php7.3mysql5.7", "s", 1)
		w.startManager(managerOptions{})
		pi := paasInstance("legacy", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
			pi.Spec.RestartRequest, pi.Spec.UpgradeRequest, pi.Spec.ResetMySQLPasswordRequest = "r1", "u1", "m1"
		})
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", strconv.Itoa(other))))
		Eventually(eventsAbout(w, "PaaSInstance", pi.Name, hostingv1alpha1.ReasonRequestNotPerformed)).WithTimeout(eventually).Should(HaveLen(1))
		actions := func() [3]int {
			v, _ := w.sim.PaasInstance(other)
			return [3]int{v.Restarts, v.Upgrades, v.MySQLResets}
		}
		Consistently(actions).WithTimeout(2*testTiming.Poll).Should(BeZero(), "nothing asked of this instance since it was adopted")

		setSpec(pi, func() { pi.Spec.RestartRequest = "r2" })
		Eventually(actions).WithTimeout(eventually).Should(Equal([3]int{1, 0, 0}))
		Consistently(actions).WithTimeout(2 * testTiming.Poll).Should(Equal([3]int{1, 0, 0}))
	})
	It("does not renew (pay for) an instance it adopts for the spec.renew request its manifest already held; a new request renews once", func() {
		// The renewal 2028 was made by the lost cluster's object.
		other := w.sim.AddPaasInstance(paasKey, "legacy", "php7.3mysql5.7", "s", 1)
		w.startManager(managerOptions{})
		pi := paasInstance("legacy", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
			pi.Spec.RestartRequest = "r1"
			pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "12m"}
		})
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate(), HaveField("Status.ID", strconv.Itoa(other))))
		Consistently(w.sim.PaasPaidRenews).WithTimeout(3*testTiming.Poll).Should(BeZero(),
			"the adopted instance was renewed (paid) for a request made of the lost cluster's object")
		Expect(w.sim.Requests(xmlrpc("paas.renew"))).To(BeZero())
		Expect(eventsAbout(w, "PaaSInstance", pi.Name, hostingv1alpha1.ReasonRequestNotPerformed)()).To(ConsistOf(
			HaveField("Note", And(ContainSubstring("spec.renew.request (2028)"), ContainSubstring("spec.restartRequest (r1)")))))

		setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "2029", Duration: "1m"} })
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "2029"), beUpToDate()))
		Consistently(w.sim.PaasPaidRenews).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})
})
