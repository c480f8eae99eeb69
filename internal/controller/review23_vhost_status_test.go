package controller_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// A Vhost whose HostingInstance is gone looks at Gandi for what its status
// shows (lookWithoutInstance): "state empty, Ready's message says so",
// never a vhost running on an instance that no longer exists. Its
// HostingInstance may as well stay while the instance is gone: deleted at
// Gandi behind the operator's back.
var _ = Describe("A Vhost whose instance is deleted at Gandi behind the operator's back", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	It("does not go on showing its vhost running on an instance Gandi no longer has, while its HostingInstance reports the instance gone", func() {
		w.startManager(managerOptions{})
		hi, vh := siteWithVhost(w)
		id := vh.Status.InstanceID
		Expect(vh.Status.State).To(Equal(gandi.VhostRunning))

		Expect(w.byHand().DeleteInstance(suiteCtx, id)).To(Succeed())
		Eventually(func() bool { _, ok := w.sim.Instance(id); return ok }).WithTimeout(eventually).Should(BeFalse())
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonWaitingForInstance))

		Eventually(func() string { return get(vh).(*hostingv1alpha1.Vhost).Status.State }).WithTimeout(4*testTiming.Poll).Should(BeEmpty(),
			"status.state still says %q for vhost www.example.com on instance %s, which Gandi no longer has; Ready: %v",
			vh.Status.State, id, cond(vh, hostingv1alpha1.ConditionReady).Message)
	})
})
