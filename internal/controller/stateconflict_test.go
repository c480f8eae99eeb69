package controller_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// The docs do not say how Gandi refuses a write to an instance that is no
// longer active or a vhost no longer running; the simulator's 409 is its own
// choice. These specs answer such writes with other codes and check that
// the operator waits the state out instead of reporting a spec problem.
var _ = Describe("A write Gandi refuses for the object's state", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.startManager(managerOptions{})
	})

	// stateChangesInFlight holds the next request of route until the test has
	// changed Gandi's state with change, then answers it with status: the
	// object was writable when the operator read it, and no longer is when
	// its write arrives.
	stateChangesInFlight := func(route string, status int, send, change func()) {
		before := w.sim.Requests(route)
		w.sim.SetLatency(route, 3*time.Second)
		w.sim.FailNext(route, 1, status, 0)
		send()
		Eventually(func() int { return w.sim.Requests(route) }).WithTimeout(eventually).WithPolling(5 * time.Millisecond).Should(BeNumerically(">", before))
		change()
		w.sim.SetLatency(route, 0)
	}

	notInvalidSpec := WithTransform(func(obj client.Object) string { return cond(obj, hostingv1alpha1.ConditionSynced).Reason },
		Not(Equal(hostingv1alpha1.ReasonInvalidSpec)))

	Describe("on an instance", func() {
		var hi *hostingv1alpha1.HostingInstance
		var id string

		BeforeEach(func() {
			id = w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "busy", Size: "m", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
			hi = instance("busy", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
				hi.Spec.Size = "m"
			})
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))
		})

		snapshotsOn := func() bool { v, _ := w.sim.Instance(id); return v.SnapshotEnabled }

		It("waits out a PATCH answered 400 while the instance turned locked, and sends it once active again", func() {
			stateChangesInFlight(gandisim.RoutePatchInstance, 400,
				func() { setSpec(hi, func() { hi.Spec.SnapshotEnabled = ptr(true) }) },
				func() { w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "locked" }) })
			// The refused PATCH is a Conflict; the passes that read the
			// instance locked then hold the change (WaitingForState).
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonWaitingForState),
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Locked")))
			Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(And(ContainSubstring("while it is locked"), ContainSubstring("snapshot")))

			patches := w.sim.Requests(gandisim.RoutePatchInstance)
			Consistently(fetch(hi)).WithTimeout(2*testTiming.Poll).Should(notInvalidSpec, "a state is no spec problem")
			Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(Equal(patches), "nothing is sent while Gandi reports the instance locked")

			w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "active" })
			Eventually(snapshotsOn).WithTimeout(eventually).Should(BeTrue())
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))
		})

		It("retries a PATCH answered 423 Locked as a conflict, and sends it once Gandi takes it", func() {
			w.sim.FailNext(gandisim.RoutePatchInstance, 1000, 423, 0)
			setSpec(hi, func() { hi.Spec.SnapshotEnabled = ptr(true) })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "Conflict"))
			w.sim.ClearFaults()
			Eventually(snapshotsOn).WithTimeout(eventually).Should(BeTrue())
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate"))
		})

		It("still reports a 400 on an instance that stayed active as a refused request", func() {
			w.sim.FailNext(gandisim.RoutePatchInstance, 1000, 400, 0)
			setSpec(hi, func() { hi.Spec.SnapshotEnabled = ptr(true) })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "InvalidSpec"))
			// A later poll sends it again; once Gandi takes it, it is done.
			w.sim.ClearFaults()
			Eventually(snapshotsOn).WithTimeout(eventually).Should(BeTrue())
		})
	})

	It("waits out a vhost PATCH answered 400 while the vhost turned locked, and sends it once running again", func() {
		id := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "seeded", Size: "starter", Vhosts: []gandisim.SeedVhost{{FQDN: "www.example.com"}}})
		vh := vhost("www", "www.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
			vh.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: "www.example.com"}
			vh.Spec.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: false}
		})
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))

		stateChangesInFlight(gandisim.RoutePatchVhost, 400,
			func() {
				setSpec(vh, func() { vh.Spec.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true} })
			},
			func() { w.sim.SetVhostStatus(id, "www.example.com", "locked") })
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonWaitingForState),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Locked")))
		Expect(cond(vh, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("while it is locked"))
		Consistently(fetch(vh)).WithTimeout(2*testTiming.Poll).Should(notInvalidSpec, "a state is no spec problem")

		w.sim.SetVhostStatus(id, "www.example.com", "running")
		Eventually(func() bool { v, _ := w.sim.Vhost(id, "www.example.com"); return v.AllowAlteration }).WithTimeout(eventually).Should(BeTrue())
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate"))
	})
})
