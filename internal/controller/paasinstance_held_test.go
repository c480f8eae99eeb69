package controller_test

import (
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// An instance Gandi holds (locked by Gandi, paused, being migrated) takes
// no change: the simulator refuses each one (gandisim.SetPaasState), so
// these specs hold the operator to sending none while held, naming each
// on Synced, and sending each exactly once after the release.
var _ = Describe("PaaSInstance held by Gandi", func() {
	var (
		w  *world
		pi *hostingv1alpha1.PaaSInstance
		id int
	)

	// writes counts the calls that would change the instance, refused or
	// not: the simulator records every request that reaches it.
	writes := func() []int {
		return []int{w.sim.Requests(xmlrpc("paas.update")), w.sim.Requests(xmlrpc("paas.restart")),
			w.sim.Requests(xmlrpc("paas.delete")), w.sim.Requests(xmlrpc("paas.vhost.create")), w.sim.Requests(xmlrpc("paas.vhost.delete"))}
	}
	readyReason := func() string { return cond(get(pi), hostingv1alpha1.ConditionReady).Reason }
	hold := func(state string) {
		Expect(w.sim.SetPaasState(id, state)).To(Succeed())
	}

	BeforeEach(func() {
		w = newWorld()
		w.paasAccount()
		w.secret("paas-password", map[string]string{"password": "first-password"})
		w.startManager(managerOptions{})
		pi = paasInstance("held", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "old.held.example.org"}}
		})
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate(),
			HaveField("Status.Vhosts", ConsistOf(HaveField("State", "running")))))
		id, _ = strconv.Atoi(pi.Status.ID)
		// Released before the world's teardown deletes the object, which
		// would otherwise wait for the instance for ever.
		DeferCleanup(func() { _ = w.sim.SetPaasState(id, "running") })
	})

	DescribeTable("sends no change while held, names each on Synced, and sends each exactly once after the release; Ready only from what Gandi then shows",
		func(state, reason string) {
			hold(state)
			Eventually(readyReason).WithTimeout(eventually).Should(Equal(reason))
			Expect(cond(pi, hostingv1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionFalse))

			before := writes()
			paid := w.sim.PaasPaidUpdates()
			passwords := w.paasView(pi)().PasswordChanges
			setSpec(pi, func() {
				pi.Spec.Size = "m"
				pi.Spec.AdditionalDiskGB = ptr(int32(10))
				pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "new.held.example.org"}}
			})
			secret := &corev1.Secret{}
			Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: w.namespace, Name: "paas-password"}, secret)).To(Succeed())
			setSpec(secret, func() { secret.StringData = map[string]string{"password": "second-password"} })

			By("Synced names every pending change, Ready says why, and Gandi gets no call")
			Eventually(func() string { return cond(get(pi), hostingv1alpha1.ConditionSynced).Message }).WithTimeout(eventually).Should(And(
				ContainSubstring("while it is "+state), ContainSubstring("size"), ContainSubstring("quantity"),
				ContainSubstring("password Secret revision"), ContainSubstring("vhost new.held.example.org"),
				ContainSubstring("the delete of vhost old.held.example.org")))
			Expect(pi).To(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonWaitingForState))
			Consistently(func() []int { return writes() }).WithTimeout(3*testTiming.Poll).Should(Equal(before), "nothing sent to an instance Gandi holds")
			Expect(readyReason()).To(Equal(reason), "Ready stays what Gandi shows")
			Expect(warningsAbout(w.namespace, pi.Name, "")).To(BeEmpty(), "a hold is no failure")

			By("released, each pending change goes exactly once, and UpToDate comes only once Gandi shows it")
			slow := gandisim.FastTimings()
			slow.PaasUpdate = 3 * testTiming.Poll
			w.sim.SetTimings(slow)
			hold("running")
			Eventually(func() bool {
				o := get(pi).(*hostingv1alpha1.PaaSInstance)
				if cond(o, hostingv1alpha1.ConditionSynced).Reason != "UpToDate" {
					return false
				}
				v := w.paasView(pi)()
				// UpToDate only from what Gandi shows: the resize, the disk
				// and the vhosts are there by now.
				Expect(v.Size).To(Equal("m"), "UpToDate before Gandi shows the resize")
				Expect(v.Quantity).To(Equal(10), "UpToDate before Gandi shows the disk")
				Expect(v.Vhosts).To(ConsistOf("new.held.example.org"), "UpToDate before Gandi shows the vhosts")
				return true
			}).WithTimeout(eventually).Should(BeTrue())
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.Size", "m"),
				HaveField("Status.AdditionalDiskGB", int32(10)), HaveField("Status.Vhosts", ConsistOf(HaveField("FQDN", "new.held.example.org")))))
			Expect(w.sim.PaasPaidUpdates()).To(Equal(paid+1), "the resize and the disk in one paid update, once")
			Expect(w.paasView(pi)().PasswordChanges).To(Equal(passwords + 1))
			after := writes()
			want := []int{before[0] + 2, before[1], before[2], before[3] + 1, before[4] + 1}
			Expect(after).To(Equal(want), "paas.update (paid, password), restart, delete, vhost.create, vhost.delete")
			Consistently(func() []int { return writes() }).WithTimeout(3*testTiming.Poll).Should(Equal(want), "nothing sent twice")
			Expect(get(pi).(*hostingv1alpha1.PaaSInstance).Status.PasswordSecretVersion).To(HavePrefix(string(secret.UID)))
		},
		Entry("locked", "locked", hostingv1alpha1.ReasonLocked),
		Entry("paused", "paused", hostingv1alpha1.ReasonInstancePaused),
		Entry("being migrated", "being_migrated", hostingv1alpha1.ReasonUpdating),
	)
	DescribeTable("deleted while held, waits without sending a delete Gandi refuses, and deletes the instance once after the release",
		func(state, reason string) {
			hold(state)
			Eventually(readyReason).WithTimeout(eventually).Should(Equal(reason))
			Expect(k8sClient.Delete(suiteCtx, pi)).To(Succeed())
			Eventually(func() string { return cond(get(pi), hostingv1alpha1.ConditionReady).Message }).WithTimeout(eventually).Should(
				ContainSubstring("deleted once it leaves that state"))
			Expect(readyReason()).To(Equal(reason))
			Consistently(func() int { return w.sim.Requests(xmlrpc("paas.delete")) }).WithTimeout(3*testTiming.Poll).Should(BeZero(),
				"no delete sent to an instance Gandi holds")
			Expect(warningsAbout(w.namespace, pi.Name, "delete")).To(BeEmpty(), "no refused delete reported as a failure")
			v, ok := w.sim.PaasInstance(id)
			Expect(ok).To(BeTrue())
			Expect(v.State).To(Equal(state))
			Expect(v.Vhosts).To(ConsistOf("old.held.example.org"), "nothing at Gandi touched while held")
			Expect(get(pi).GetFinalizers()).NotTo(BeEmpty(), "the object waits for the instance")

			hold("running")
			Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(pi), pi) }).
				WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
			_, ok = w.sim.PaasInstance(id)
			Expect(ok).To(BeFalse(), "deleted at Gandi before the object went")
			Expect(w.sim.Requests(xmlrpc("paas.delete"))).To(Equal(1), "one delete, sent once released")
		},
		Entry("locked", "locked", hostingv1alpha1.ReasonLocked),
		Entry("paused", "paused", hostingv1alpha1.ReasonInstancePaused),
		Entry("being migrated", "being_migrated", hostingv1alpha1.ReasonUpdating),
	)
})
