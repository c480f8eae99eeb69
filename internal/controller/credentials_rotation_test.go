package controller_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// A key rotated in place changes the credentials' record (status.observedWith),
// and "not found" under other credentials is not taken for deleted; but an
// object whose own delete Gandi was seen doing is gone when Gandi no longer
// shows it, whichever key is asked.
var _ = Describe("A token rotated in place within one account, during a deletion", func() {
	var w *world
	BeforeEach(func() { w = newWorld() })
	const rotated = "pat_test-token-rotated-77aa"

	rotate := func() *corev1.Secret {
		w.sim.AddAccount(gandisim.Account{Token: rotated, User: "alice2", Orgs: []gandisim.Org{{ID: orgID, Name: "org", CanBill: true}}})
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: w.namespace, Name: "gandi-credentials"}}
		setSpec(secret, func() { secret.Data = map[string][]byte{"token": []byte(rotated)} })
		return secret
	}

	It("lets a HostingInstance go whose own delete Gandi accepted, when the key is rotated in place before Gandi finished", func() {
		stop := w.startManager(managerOptions{})
		hi := instance("site")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		id := hi.Status.ID
		Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
		Eventually(func() string { v, _ := w.sim.Instance(id); return v.Status }).WithTimeout(eventually).Should(Equal("being_deleted"))
		// The spec is of an object whose status shows its delete seen at
		// Gandi: a manager stopped before that write leaves one that
		// cannot tell (another case).
		Eventually(fetch(hi)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonDeleting))
		stop()
		rotate()
		Eventually(func() bool { _, ok := w.sim.Instance(id); return ok }).WithTimeout(eventually).Should(BeFalse())
		w.startManager(managerOptions{})
		Eventually(func() string {
			if gone(hi)() {
				return "gone"
			}
			c := cond(fetch(hi)(), hostingv1alpha1.ConditionReady)
			return c.Reason + ": " + c.Message
		}).WithTimeout(eventually).Should(Equal("gone"), "Gandi deleted it on this object's own delete: nothing lives on")
	})
	It("lets a Vhost go whose own delete Gandi accepted, when the key is rotated in place before Gandi finished", func() {
		stop := w.startManager(managerOptions{})
		hi := instance("site")
		vh := vhost("www", "www.example.com")
		w.create(hi)
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		id := vh.Status.InstanceID
		Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
		Eventually(func() string { v, _ := w.sim.Vhost(id, "www.example.com"); return v.Status }).WithTimeout(eventually).Should(Equal("being_deleted"))
		Eventually(fetch(vh)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonDeleting))
		stop()
		rotate()
		Eventually(func() []gandisim.VhostView { return w.sim.Vhosts(id) }).WithTimeout(eventually).Should(BeEmpty())
		w.startManager(managerOptions{})
		Eventually(func() string {
			if gone(vh)() {
				return "gone"
			}
			c := cond(fetch(vh)(), hostingv1alpha1.ConditionReady)
			return c.Reason + ": " + c.Message
		}).WithTimeout(eventually).Should(Equal("gone"), "Gandi deleted it on this object's own delete: nothing lives on")
	})
})
