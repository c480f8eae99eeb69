package controller_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

var _ = Describe("HostingInstance expiry warnings", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	It("warns once about an instance ending within the window without autorenew, and not about one that renews", func() {
		timing := testTiming
		timing.ExpiryWarning = 30 * controller.Day
		stop := w.startManager(managerOptions{timing: &timing})

		end := time.Now().Add(10*controller.Day + time.Hour).UTC().Truncate(time.Second)
		seed := func(name string, autorenew bool) string {
			return w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: name, Size: "starter", Location: "FR",
				Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"},
				ExpireAt: end, Autorenew: autorenew})
		}
		observed := func(name, id string) *hostingv1alpha1.HostingInstance {
			return instance(name, func(hi *hostingv1alpha1.HostingInstance) {
				hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
				hi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
			})
		}
		expiring, renewing := observed("expiring", seed("expiring", false)), observed("renewing", seed("renewing", true))
		w.create(expiring)
		w.create(renewing)

		By("the condition: True with the date and the days left, Ready untouched")
		Eventually(fetch(expiring)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionExpiringSoon, metav1.ConditionTrue, hostingv1alpha1.ReasonExpiresWithoutRenewal)))
		msg := cond(expiring, hostingv1alpha1.ConditionExpiringSoon).Message
		Expect(msg).To(ContainSubstring(end.Format(time.RFC3339)))
		Expect(msg).To(ContainSubstring("in 10 days"))
		Expect(expiring.Status.Autorenew).To(HaveValue(BeFalse()))
		Eventually(fetch(renewing)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionExpiringSoon, metav1.ConditionFalse, hostingv1alpha1.ReasonAutorenewEnabled)))
		Expect(renewing.Status.Autorenew).To(HaveValue(BeTrue()))

		By("one Warning event, kept at one over later passes and a restart of the operator")
		Eventually(expiryWarnings(w, "expiring")).WithTimeout(eventually).Should(HaveLen(1))
		passes := func() int {
			return w.sim.Requests(gandisim.RouteGetInstance) + w.sim.Requests(gandisim.RouteListInstances)
		}
		after := passes()
		Eventually(passes).WithTimeout(eventually).Should(BeNumerically(">=", after+6), "a few more passes")
		stop()
		w.startManager(managerOptions{timing: &timing})
		after = passes()
		Eventually(passes).WithTimeout(eventually).Should(BeNumerically(">=", after+6), "a few passes of the new manager")
		warnings := expiryWarnings(w, "expiring")()
		Expect(warnings).To(HaveLen(1))
		Expect(warnings[0].Type).To(Equal("Warning"))
		Expect(warnings[0].Note).To(ContainSubstring(end.Format(time.RFC3339)))
		Expect(warnings[0].Series).To(BeNil(), "the event was sent again: %+v", warnings[0].Series)
		Expect(expiryWarnings(w, "renewing")()).To(BeEmpty())

		By("the gauges, read from the objects at scrape")
		reg := prometheus.NewRegistry()
		Expect(controller.RegisterObjectMetrics(reg, k8sClient)).To(Succeed())
		Expect(instanceGauges(reg, w.namespace)).To(Equal(map[string]float64{
			"gandi_operator_instance_expiry_timestamp_seconds/expiring": float64(end.Unix()),
			"gandi_operator_instance_expiry_timestamp_seconds/renewing": float64(end.Unix()),
			"gandi_operator_instance_autorenew/expiring":                0,
			"gandi_operator_instance_autorenew/renewing":                1,
		}))

		By("autorenew turned on at Gandi: the warning ends")
		w.sim.UpdateInstance(expiring.Status.ID, func(v *gandisim.InstanceView) { v.Autorenew = true })
		Eventually(fetch(expiring)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionExpiringSoon, metav1.ConditionFalse, hostingv1alpha1.ReasonAutorenewEnabled)))
		Expect(instanceGauges(reg, w.namespace)).To(HaveKeyWithValue("gandi_operator_instance_autorenew/expiring", 1.0))

		By("a deleted object leaves no series")
		Expect(k8sClient.Delete(suiteCtx, expiring)).To(Succeed())
		Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(expiring), expiring) }).
			WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
		Expect(instanceGauges(reg, w.namespace)).To(Equal(map[string]float64{
			"gandi_operator_instance_expiry_timestamp_seconds/renewing": float64(end.Unix()),
			"gandi_operator_instance_autorenew/renewing":                1,
		}))
		Expect(w.sim.Writes()).To(BeZero(), "warnings never write at Gandi")
	})

	It("warns once even when the cache is behind the status the operator wrote", func() {
		// A pass may read the object from the cache before the status the
		// previous pass wrote has reached it (the pass the finalizer's
		// update triggers, under load). Here the cache never shows the
		// condition: each pass would warn, were the API server not asked.
		timing := testTiming
		timing.ExpiryWarning = 30 * controller.Day
		w.startManager(managerOptions{timing: &timing, wrap: interceptor.Funcs{
			Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
				err := c.Get(ctx, key, obj, opts...)
				if hi, ok := obj.(*hostingv1alpha1.HostingInstance); ok && err == nil {
					meta.RemoveStatusCondition(&hi.Status.Conditions, hostingv1alpha1.ConditionExpiringSoon)
				}
				return err
			},
		}})
		end := time.Now().Add(3 * controller.Day).UTC().Truncate(time.Second)
		id := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "stale", Size: "starter", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}, ExpireAt: end})
		hi := instance("stale", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
			hi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionExpiringSoon, metav1.ConditionTrue, hostingv1alpha1.ReasonExpiresWithoutRenewal))
		Eventually(expiryWarnings(w, "stale")).WithTimeout(eventually).Should(HaveLen(1))
		after := w.sim.Requests(gandisim.RouteGetInstance) + w.sim.Requests(gandisim.RouteListInstances)
		Eventually(func() int {
			return w.sim.Requests(gandisim.RouteGetInstance) + w.sim.Requests(gandisim.RouteListInstances)
		}).WithTimeout(eventually).Should(BeNumerically(">=", after+4), "a few more passes")
		warnings := expiryWarnings(w, "stale")()
		Expect(warnings).To(HaveLen(1))
		Expect(warnings[0].Series).To(BeNil(), "the event was sent again: %+v", warnings[0].Series)
	})
})

// expiryWarnings lists the expiry Warning events about the named
// HostingInstance of w.
func expiryWarnings(w *world, name string) func() []eventsv1.Event {
	return eventsAbout(w, "HostingInstance", name, hostingv1alpha1.ReasonExpiresWithoutRenewal)
}

// eventsAbout lists the events with reason about the named object of kind
// in w's namespace.
func eventsAbout(w *world, kind, name, reason string) func() []eventsv1.Event {
	return func() []eventsv1.Event {
		list := &eventsv1.EventList{}
		Expect(k8sClient.List(suiteCtx, list, client.InNamespace(w.namespace))).To(Succeed())
		var out []eventsv1.Event
		for _, e := range list.Items {
			if e.Regarding.Kind == kind && e.Regarding.Name == name && e.Reason == reason {
				out = append(out, e)
			}
		}
		return out
	}
}

// instanceGauges gathers reg and returns the instance gauges of namespace
// as "metric/name" → value.
func instanceGauges(reg *prometheus.Registry, namespace string) map[string]float64 {
	families, err := reg.Gather()
	Expect(err).NotTo(HaveOccurred())
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "gandi_operator_instance_expiry_timestamp_seconds" && f.GetName() != "gandi_operator_instance_autorenew" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["namespace"] == namespace {
				out[f.GetName()+"/"+labels["name"]] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

// objectGauge is gandi_operator_objects for kind, condition and status:
// the objects of the cluster (every namespace) in that state.
func objectGauge(reg *prometheus.Registry, kind, condition, status string) float64 {
	families, err := reg.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, f := range families {
		if f.GetName() != "gandi_operator_objects" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == kind && labels["condition"] == condition && labels["status"] == status {
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}
