package controller_test

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// One manager is one egress IP: its tokens share one request budget. Here
// three tokens' settled instances, polled every 2 s, ask for far more than
// a budget of 120 requests per minute, and the simulator limits the IP as
// Gandi does. The manager stays under the budget (the simulator's per-IP
// counter), answers no request with a 429, serves a new instance's
// transitional looks before the routine polls, and says that its polls
// are stretched (metric and log) instead.
var _ = Describe("the IP request budget", func() {
	const (
		perToken   = 6
		budget     = 120 // requests per minute, burst 20 (the default)
		simIPLimit = 150 // what the simulator lets one IP send per minute
	)
	poll := 2 * time.Second

	It("keeps several tokens under the IP limit, transitional objects first, by stretching polls", func() {
		w := newWorld()
		tokens := []struct{ token, org, secret string }{
			{orgToken, orgID, "gandi-credentials"},
			{"pat_budget-second-7d1e", "7d1e0000-0000-4000-8000-000000000002", "second-token"},
			{"pat_budget-third-9a4c", "9a4c0000-0000-4000-8000-000000000003", "third-token"},
		}
		for _, tk := range tokens[1:] {
			w.sim.AddAccount(gandisim.Account{Token: tk.token, User: tk.secret, Orgs: []gandisim.Org{{ID: tk.org, Name: tk.secret, CanBill: true}}})
			w.secret(tk.secret, map[string]string{"token": tk.token})
		}
		all := make([]*hostingv1alpha1.HostingInstance, 0, perToken*len(tokens))
		lastOf := map[string]string{} // token's last instance name -> its Gandi ID
		for i, tk := range tokens {
			for j := range perToken {
				name := fmt.Sprintf("site-%d-%d", i, j)
				id := w.sim.AddInstance(tk.org, gandisim.SeedInstance{Name: name, Size: "starter", Location: "FR",
					Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
				hi := instance(name, func(hi *hostingv1alpha1.HostingInstance) {
					hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
					hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: tk.secret}
				})
				w.create(hi)
				all = append(all, hi)
				if j == perToken-1 {
					lastOf[name] = id
				}
			}
		}
		By("settling every instance with a manager of the default budget")
		settle := w.startManager(managerOptions{workers: 2})
		for _, hi := range all {
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		}
		settle()

		By("running a manager whose budget cannot cover the polls")
		w.sim.ResetCounters()
		// A new limit starts the simulator's per-IP window afresh: the
		// settling manager's requests do not count against this one.
		w.sim.SetIPRateLimit(simIPLimit)
		reg := prometheus.NewRegistry()
		timing := testTiming
		timing.Poll = poll
		// One GET per instance per poll (no batched observation): the load
		// this budget is too short for. Batched, the same instances cost a
		// list page a poll and never stretch it.
		timing.Detail = 0
		stop := w.startManager(managerOptions{workers: 2, ipRequestsPerMinute: budget, registry: reg, timing: &timing})
		start := time.Now()
		// 18 objects every 2 s is 540 requests a minute; 120 cover each
		// object every 9 s or so.
		Eventually(func() float64 { return effectiveInterval(reg, "HostingInstance") }).
			WithTimeout(time.Minute).WithPolling(250 * time.Millisecond).Should(BeNumerically(">=", 3*poll.Seconds()))
		Eventually(logs.String).Should(ContainSubstring("polls are stretched"))

		By("creating an instance while the budget is short")
		created := time.Now()
		fresh := instance("fresh-site")
		w.create(fresh)
		Eventually(fetch(fresh)).WithTimeout(time.Minute).WithPolling(100 * time.Millisecond).Should(beReady())
		tookToReady := time.Since(created)
		stretched := effectiveInterval(reg, "HostingInstance")
		GinkgoWriter.Printf("budget %d/min: effective poll interval %.1fs (poll %s), new instance Ready in %s\n",
			budget, stretched, poll, tookToReady.Round(10*time.Millisecond))
		// Its create and transitional looks went before the backlog of
		// polls: it did not wait a stretched interval between looks.
		Expect(tookToReady.Seconds()).To(BeNumerically("<", stretched),
			"the new instance waited like a routine poll")

		By("a change behind the operator's back, at one instance of each token, is seen: no token starves")
		for _, id := range lastOf {
			w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "locked" })
		}
		changed := time.Now()
		for name := range lastOf {
			Eventually(fetch(&hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: w.namespace}})).
				WithTimeout(time.Minute).WithPolling(100 * time.Millisecond).
				Should(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonLocked))
		}
		GinkgoWriter.Printf("every token's locked instance reported within %s\n", time.Since(changed).Round(10*time.Millisecond))

		stop()
		elapsed := time.Since(start)
		By("the simulator's per-IP counter: under the budget, no 429")
		faults := w.sim.FaultCounts()
		peak := w.sim.PeakPerMinuteByIP()["127.0.0.1"]
		sent := w.sim.RequestsByIP()["127.0.0.1"]
		// The teardown's manager has the default budget.
		w.sim.SetIPRateLimit(0)
		Expect(faults).NotTo(HaveKey(gandisim.FaultIPRateLimited))
		Expect(faults).NotTo(HaveKey(gandisim.FaultRateLimited))
		// At most the burst plus the budget's rate over the run (under a
		// minute here, so the peak is everything sent).
		allowed := 20 + int(elapsed.Seconds()*budget/60) + 1 // rounding
		GinkgoWriter.Printf("sent %d requests in %s (peak %d in a minute; the budget allows %d, the simulator %d)\n",
			sent, elapsed.Round(time.Second), peak, allowed, simIPLimit)
		Expect(peak).To(BeNumerically("<=", min(allowed, budget+20)))
		Expect(sent).To(BeNumerically(">", 0))
		Expect(lagCount(reg, "HostingInstance")).To(BeNumerically(">", 0))
	})
})

// effectiveInterval reads gandi_operator_effective_poll_interval_seconds.
func effectiveInterval(reg *prometheus.Registry, kind string) float64 {
	m := metricOf(reg, "gandi_operator_effective_poll_interval_seconds", kind)
	if m == nil {
		return 0
	}
	return m.GetGauge().GetValue()
}

// lagCount is the number of observations in gandi_operator_observation_lag_seconds.
func lagCount(reg *prometheus.Registry, kind string) uint64 {
	m := metricOf(reg, "gandi_operator_observation_lag_seconds", kind)
	if m == nil {
		return 0
	}
	return m.GetHistogram().GetSampleCount()
}

func metricOf(reg *prometheus.Registry, name, kind string) *dto.Metric {
	mfs, err := reg.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "kind" && l.GetValue() == kind {
					return m
				}
			}
		}
	}
	return nil
}
