package controller_test

import (
	"context"
	"errors"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// Two applications of one account in two namespaces (the legitimate
// conflict) stay a conflict however the first's status is lost or late:
// restored without it, not written after Gandi accepted the apply, or its
// token revoked while Gandi still runs its dispatch.
var _ = Describe("TemplateApplications of one account in two namespaces on one domain", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.sim.AddDomain(orgID, domainFQDN)
	})

	colleague := func() string {
		ns := w.namespace + "-colleague"
		Expect(k8sClient.Create(suiteCtx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
		Expect(k8sClient.Create(suiteCtx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: ns},
			StringData: map[string]string{"token": orgToken}})).To(Succeed())
		return ns
	}
	secondIn := func(ns string) (*hostingv1alpha1.TemplateApplication, string) {
		tpl := recordsTemplate("records-b", "203.0.113.9")
		tpl.Namespace = ns
		tpl.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "creds"}
		Expect(k8sClient.Create(suiteCtx, tpl)).To(Succeed())
		idB := readyTemplateID(tpl)
		second := application("second", ofTemplate("records-b"), func(ta *hostingv1alpha1.TemplateApplication) { ta.Namespace = ns })
		DeferCleanup(func() {
			for _, obj := range []client.Object{second, tpl} {
				Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, obj))).To(Succeed())
				Eventually(gone(obj)).WithTimeout(eventually).Should(BeTrue())
			}
		})
		return second, idB
	}

	It("keeps holding back the other namespace's application when the first, paused, is restored without its status", func() {
		stop := w.startManager(managerOptions{})
		first := recordsTemplate("records-a", "203.0.113.1")
		w.create(first)
		readyTemplateID(first)
		owner := application("first", ofTemplate("records-a"))
		w.create(owner)
		Eventually(fetch(owner)).WithTimeout(eventually).Should(beReady())

		ns := colleague()
		second, idB := secondIn(ns)
		Expect(k8sClient.Create(suiteCtx, second)).To(Succeed())
		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "dns:records"))

		By("the first is paused: it still holds the second back")
		setSpec(owner, func() {
			if owner.Annotations == nil {
				owner.Annotations = map[string]string{}
			}
			owner.Annotations[hostingv1alpha1.AnnotationPaused] = "true"
		})
		Eventually(fetch(owner)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonReconcilePaused))
		Consistently(w.dispatchesOf(idB)).WithTimeout(2 * testTiming.Poll).Should(BeZero())
		stop()

		By("restored from a backup without status: its apply record and labels are kept")
		back := restoredWithoutStatus(owner)
		DeferCleanup(func() { setSpec(back, func() { delete(back.Annotations, hostingv1alpha1.AnnotationPaused) }) })
		w.startManager(managerOptions{})
		Consistently(w.dispatchesOf(idB)).WithTimeout(3*testTiming.Poll).Should(BeZero(),
			"the second applied over the first's records once the restore dropped the first's status.domainID")
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.1")))
	})

	It("holds back the other namespace's application while the first's status write fails after Gandi accepted its apply", func() {
		var failStatus atomic.Bool
		w.startManager(managerOptions{wrap: interceptor.Funcs{
			SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
				if ta, ok := obj.(*hostingv1alpha1.TemplateApplication); ok && ta.Name == "first" && failStatus.Load() {
					return errors.New("the API server is unavailable")
				}
				return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
			},
		}})
		first := recordsTemplate("records-a", "203.0.113.1")
		w.create(first)
		idA := readyTemplateID(first)
		ns := colleague()
		second, idB := secondIn(ns)

		By("the first applies; Gandi runs its dispatch; its status cannot be written for a while")
		w.sim.HoldDispatches(true)
		DeferCleanup(w.sim.HoldDispatches, false)
		failStatus.Store(true)
		DeferCleanup(failStatus.Store, false)
		owner := application("first", ofTemplate("records-a"))
		w.create(owner)
		Eventually(w.dispatchesOf(idA)).WithTimeout(eventually).Should(Equal(1))

		By("the second, in another namespace with a token of the same account, is created")
		Expect(k8sClient.Create(suiteCtx, second)).To(Succeed())
		Consistently(w.dispatchesOf(idB)).WithTimeout(3*testTiming.Poll).Should(BeZero(),
			"the second sent while Gandi runs the first's dispatch of the same namespace: the first's durable apply record did not count")
	})
	It("keeps holding back the other namespace's application when the first's token is revoked while Gandi still runs its dispatch", func() {
		w.startManager(managerOptions{})
		creds := firstCreds(w)
		first := recordsTemplate("records-a", "203.0.113.1")
		w.create(first)
		idA := readyTemplateID(first)
		ns := colleague()
		second, idB := secondIn(ns)

		By("the first applies; Gandi keeps its dispatch running")
		w.sim.HoldDispatches(true)
		DeferCleanup(w.sim.HoldDispatches, false)
		owner := application("first", ofTemplate("records-a"), func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "first-creds"}
		})
		w.create(owner)
		Eventually(w.dispatchesOf(idA)).WithTimeout(eventually).Should(Equal(1))
		Eventually(fetch(owner)).WithTimeout(eventually).Should(HaveField("Status.DomainID", w.domain().ID))

		By("its token is revoked: Gandi answers it 403, also for the domain")
		revoke(creds)
		Eventually(fetch(owner)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnauthorized))

		By("the second, in another namespace with a token of the same account, is created")
		Expect(k8sClient.Create(suiteCtx, second)).To(Succeed())
		Consistently(w.dispatchesOf(idB)).WithTimeout(3*testTiming.Poll).Should(BeZero(),
			"the second sent while Gandi still runs the first's dispatch of the same namespace")
	})
})
