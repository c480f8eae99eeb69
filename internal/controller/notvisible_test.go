package controller_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// sharedOrg is an organization the test account (orgToken) is made a
// member of, then taken out of (inShared, outOfShared).
const sharedOrg = "7c2d5e9a-1f3b-11ef-8c4d-00163e816077"

// inShared makes alice, the test account, a member of sharedOrg, with the
// right to bill it.
func inShared(w *world) {
	w.sim.AddAccount(gandisim.Account{Token: orgToken, User: "alice", Orgs: []gandisim.Org{
		{ID: orgID, Name: "alice-org", CanBill: true}, {ID: sharedOrg, Name: "shared-org", CanBill: true},
	}})
}

// outOfShared takes alice out of sharedOrg: her token works as before, for
// everything but what sharedOrg holds, which Gandi then refuses (403).
func outOfShared(w *world) {
	w.sim.AddAccount(gandisim.Account{Token: orgToken, User: "alice", Orgs: []gandisim.Org{{ID: orgID, Name: "alice-org", CanBill: true}}})
}

// Gandi's 403 is the token (expired, unknown, without permission) or the
// object ("Access to the resource is denied"): the instance list, which
// the same token is answered for, tells them apart. An object refused to
// a working token is reported as such, never as a token to check, and
// nothing is written, deleted or let go on it.
var _ = Describe("Gandi's 403 to a HostingInstance or a Vhost under working credentials", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	It("a HostingInstance whose token lost its organization (sharing_id) reports it refused, not Unauthorized, deletes nothing, waits on delete, and Orphan lets it go", func() {
		inShared(w)
		w.startManager(managerOptions{})
		hi := instance("shared", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.SharingID = sharedOrg })
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		id := hi.Status.ID
		writes := w.sim.Writes()

		outOfShared(w)
		to := "to Secret " + w.namespace + `/gandi-credentials (key "token") (403) while it answers them for other reads`
		refused := "Gandi refuses instance " + id + " " + to
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound)),
			"Gandi's 403 to a token it answers for the instance list says the instance is out of its sight, not that the token is bad")
		Expect(cond(hi, hostingv1alpha1.ConditionReady).Message).To(And(ContainSubstring(refused), Not(ContainSubstring("check the token"))))
		Expect(hi.Status.ID).To(Equal(id))
		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(Equal(writes))

		By("deleting it: it says why it waits, and deletes nothing")
		deleteWaitsRefused(hi, id, to)
		Expect(w.sim.Writes()).To(Equal(writes))

		By("Orphan lets it go, and the instance stays at Gandi")
		setSpec(hi, func() { hi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan })
		Eventually(gone(hi)).WithTimeout(eventually).Should(BeTrue())
		_, exists := w.sim.Instance(id)
		Expect(exists).To(BeTrue())
		Expect(w.sim.Writes()).To(Equal(writes))
	})

	It("a Vhost under another organization's working token reports CredentialsChanged, under its own token that lost the instance's organization reports it refused, never Unauthorized; deleting it waits, and Orphan lets it go", func() {
		inShared(w)
		id := w.sim.AddInstance(sharedOrg, gandisim.SeedInstance{Name: "shared", Size: "starter", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}})
		// The organization holds the domain, so the vhost runs without a
		// proof of ownership.
		w.sim.AddDomain(sharedOrg, "example.net")
		w.startManager(managerOptions{})
		vh := vhost("www", "www.example.net", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		writes := w.sim.Writes()

		By("under a working token of another organization")
		const otherToken = "pat_other-org-3e9d"
		w.sim.AddAccount(gandisim.Account{Token: otherToken, User: "mallory", Orgs: []gandisim.Org{{ID: "5b8e3c74-7c1e-11ee-b962-00163e816099", Name: "other-org", CanBill: true}}})
		w.secret("other-credentials", map[string]string{"token": otherToken})
		setSpec(vh, func() { vh.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "other-credentials"} })
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsChanged),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsChanged)))
		Expect(cond(vh, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring("last seen under Secret " + w.namespace + "/gandi-credentials"))
		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(Equal(writes))

		setSpec(vh, func() { vh.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"} })
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())

		By("under its own token, out of the instance's organization")
		outOfShared(w)
		to := "to Secret " + w.namespace + `/gandi-credentials (key "token") (403) while it answers them for other reads`
		refused := "Gandi refuses vhost www.example.net on instance " + id + " " + to
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound)))
		Expect(cond(vh, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(refused))
		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(Equal(writes))

		By("deleting it: it says why it waits, and deletes nothing")
		deleteWaitsRefused(vh, id, to)
		Expect(w.sim.Vhosts(id)).To(HaveLen(1))

		By("Orphan lets it go, and the vhost stays at Gandi")
		setSpec(vh, func() { vh.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan })
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		Expect(w.sim.Vhosts(id)).To(HaveLen(1))
		Expect(w.sim.Writes()).To(Equal(writes))
	})

	It("a revoked token still reads Unauthorized for a HostingInstance and a Vhost, and deleting deletes nothing until it works again", func() {
		w.startManager(managerOptions{})
		hi := instance("shop")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		id := hi.Status.ID
		vh := vhost("www", "www.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())

		w.sim.AddAccount(gandisim.Account{Token: orgToken, User: "alice", Expired: true, Orgs: []gandisim.Org{{ID: orgID, Name: "alice-org", CanBill: true}}})
		unauthorized := And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonUnauthorized),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnauthorized))
		Eventually(fetch(vh)).WithTimeout(eventually).Should(unauthorized)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(unauthorized)
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("check the token"))

		Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
		Consistently(gone(hi)).WithTimeout(2 * testTiming.Poll).Should(BeFalse())
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Reason).To(Equal(hostingv1alpha1.ReasonUnauthorized))
		_, exists := w.sim.Instance(id)
		Expect(exists).To(BeTrue())

		inShared(w)
		Eventually(gone(hi)).WithTimeout(eventually).Should(BeTrue())
		_, exists = w.sim.Instance(id)
		Expect(exists).To(BeFalse())
	})
})

// deleteWaitsRefused deletes obj, whose Gandi object (id) Gandi refuses
// to its working credentials (to): the object stays, its Ready condition
// saying why and that spec.deletionPolicy: Orphan lets it go.
func deleteWaitsRefused(obj client.Object, id, to string) {
	GinkgoHelper()
	Expect(k8sClient.Delete(suiteCtx, obj)).To(Succeed())
	Eventually(fetch(obj)).WithTimeout(eventually).Should(And(
		haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound),
		HaveField("Status.Conditions", ContainElement(HaveField("Message", And(
			ContainSubstring(id), ContainSubstring(to), ContainSubstring("it is not deleted"), ContainSubstring("spec.deletionPolicy: Orphan")))))))
	Consistently(gone(obj)).WithTimeout(2 * testTiming.Poll).Should(BeFalse())
}
