package controller_test

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// stormSeedEnv replays a fault storm: set it to the seed a failed run
// printed.
const (
	stormSeedEnv     = "GANDISIM_FAULT_SEED"
	stormDefaultSeed = 20260301
)

func stormSeed() int64 {
	if v := os.Getenv(stormSeedEnv); v != "" {
		seed, err := strconv.ParseInt(v, 10, 64)
		Expect(err).NotTo(HaveOccurred(), stormSeedEnv)
		return seed
	}
	return stormDefaultSeed
}

// storm is the fault storm's set of objects: instances bought by the
// operator, vhosts on them and on an instance that was already at Gandi,
// templates, and their applications to domains.
type storm struct {
	w         *world
	start     time.Time
	readyAt   map[string]time.Duration // by kind/name, first seen Ready
	trail     map[string][]string      // by kind/name, the Ready/Synced reasons seen in turn
	seededID  string
	instances []*hostingv1alpha1.HostingInstance
	vhosts    []*hostingv1alpha1.Vhost
	templates []*hostingv1alpha1.Template
	apps      []*hostingv1alpha1.TemplateApplication
}

const (
	stormInstances = 8
	stormVhosts    = 8 // the last two on the seeded instance
	stormTemplates = 4 // each applied to its own domain
)

func newStorm(w *world) *storm {
	s := &storm{w: w, readyAt: map[string]time.Duration{}, trail: map[string][]string{}}
	s.seededID = w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "legacy", Size: "starter", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}})
	w.sim.AddDomain(orgID, "storm.example")
	for i := range stormInstances {
		s.instances = append(s.instances, instance(fmt.Sprintf("site-%d", i)))
	}
	for i := range stormVhosts {
		vh := vhost(fmt.Sprintf("www-%d", i), fmt.Sprintf("www-%d.storm.example", i))
		if i < stormVhosts-2 {
			vh.Spec.InstanceRef.Name = s.instances[i].Name
		} else {
			onInstance(s.seededID)(vh)
		}
		s.vhosts = append(s.vhosts, vh)
	}
	for i := range stormTemplates {
		name, fqdn := fmt.Sprintf("dns-%d", i), fmt.Sprintf("shop-%d.example", i)
		w.sim.AddDomain(orgID, fqdn)
		s.templates = append(s.templates, gandiTemplate(name))
		s.apps = append(s.apps, application(name, func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Spec.TemplateRef.Name = name
			ta.Spec.Domain = fqdn
		}))
	}
	return s
}

func (s *storm) objects() []client.Object {
	out := make([]client.Object, 0, len(s.instances)+len(s.vhosts)+len(s.templates)+len(s.apps))
	for _, o := range s.instances {
		out = append(out, o)
	}
	for _, o := range s.vhosts {
		out = append(out, o)
	}
	for _, o := range s.templates {
		out = append(out, o)
	}
	for _, o := range s.apps {
		out = append(out, o)
	}
	return out
}

// ready counts the objects whose Ready condition is True (for an
// application, AppliedUnconfirmed counts: a lost apply answer is not sent
// again, by design).
func (s *storm) ready() int {
	n := 0
	for _, o := range s.objects() {
		if err := k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(o), o); err != nil {
			continue
		}
		key := stormKey(o)
		c := cond(o, hostingv1alpha1.ConditionReady)
		step := c.Reason + "/" + cond(o, hostingv1alpha1.ConditionSynced).Reason
		if t := s.trail[key]; step != "/" && (len(t) == 0 || t[len(t)-1] != step) {
			s.trail[key] = append(t, step)
		}
		if c.Status == metav1.ConditionTrue || leftUnconfirmed(o) {
			n++
			if _, seen := s.readyAt[key]; !seen {
				s.readyAt[key] = time.Since(s.start)
			}
		}
	}
	return n
}

// leftUnconfirmed is the end the operator gives an apply whose answer was
// lost twice and that the domain does not show: AppliedUnconfirmed, not
// Ready, and no third send. The storm can do that to a TemplateApplication
// (two resets), so it counts as settled; the checks still hold it to two
// sends.
func leftUnconfirmed(o client.Object) bool {
	_, isApp := o.(*hostingv1alpha1.TemplateApplication)
	c := cond(o, hostingv1alpha1.ConditionReady)
	return isApp && c.Status == metav1.ConditionFalse && c.Reason == hostingv1alpha1.ReasonAppliedUnconfirmed
}

func stormKey(o client.Object) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", o), "*v1alpha1.") + "/" + o.GetName()
}

// slowest describes the n objects that took longest to be Ready, with the
// Ready/Synced reasons they went through.
func (s *storm) slowest(n int) string {
	keys := slices.SortedFunc(maps.Keys(s.readyAt), func(a, b string) int { return int(s.readyAt[b] - s.readyAt[a]) })
	keys = keys[:min(n, len(keys))]
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s at %s via %s", k, s.readyAt[k].Round(100*time.Millisecond), strings.Join(s.trail[k], ">")))
	}
	return strings.Join(out, "; ")
}

// notReady describes the objects not Ready yet, for a failure message.
func (s *storm) notReady() string {
	var out []string
	for _, o := range s.objects() {
		if c := cond(o, hostingv1alpha1.ConditionReady); c.Status != metav1.ConditionTrue {
			sc := cond(o, hostingv1alpha1.ConditionSynced)
			out = append(out, fmt.Sprintf("%T %s: %s %s (Synced %s: %s; annotations %v)", o, o.GetName(), c.Reason, c.Message, sc.Reason, sc.Message, o.GetAnnotations()))
		}
	}
	return strings.Join(out, "\n")
}

// duplicates counts, per Gandi object the set should have made, the
// copies beyond the first: instances by name, vhosts by FQDN, templates by
// name. Dispatches are counted apart (reapplies): a lost apply answer that
// Gandi cannot settle is sent once more, by design.
func (s *storm) duplicates() (dups int, detail map[string]int) {
	detail = map[string]int{}
	count := func(kind, key string) {
		detail[kind+" "+key]++
	}
	for _, in := range s.w.sim.Instances() {
		count("instance", in.Name)
		for _, vh := range s.w.sim.Vhosts(in.ID) {
			count("vhost", vh.FQDN)
		}
	}
	for _, t := range s.w.sim.Templates() {
		if !t.Public {
			count("template", t.Name)
		}
	}
	for k, n := range detail {
		if n > 1 {
			dups += n - 1
		} else {
			delete(detail, k)
		}
	}
	return dups, detail
}

// lost lists the objects whose Gandi counterpart is missing or not what
// the object says, and the applications whose dispatch is not at Gandi.
func (s *storm) lost() []string {
	var out []string
	for _, hi := range s.instances {
		get(hi)
		if in, ok := s.w.sim.Instance(hi.Status.ID); !ok || in.Name != hi.Name || in.Status != "active" {
			out = append(out, "instance "+hi.Name)
		}
	}
	for i, vh := range s.vhosts {
		get(vh)
		on := s.seededID
		if vh.Spec.InstanceRef != nil {
			on = s.instances[i].Status.ID
		}
		if v, ok := s.w.sim.Vhost(on, vh.Spec.FQDN); !ok || v.Status != "running" || vh.Status.InstanceID != on {
			out = append(out, "vhost "+vh.Spec.FQDN)
		}
	}
	for _, t := range s.templates {
		get(t)
		if v, ok := s.w.sim.Template(t.Status.ID); !ok || v.Name != t.Name {
			out = append(out, "template "+t.Name)
		}
	}
	for _, ta := range s.apps {
		get(ta)
		if ta.Status.Dispatch == nil {
			continue // unconfirmed: counted apart
		}
		if _, ok := s.w.sim.Dispatch(ta.Status.Dispatch.ID); !ok {
			out = append(out, "dispatch of "+ta.Name)
		}
	}
	return out
}

func sumCounts(counts map[string]int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}

// The operator meets a Gandi that fails at random: 10% of the requests of
// every route get a 5xx, 5% a connection reset (half before Gandi did
// anything, half after it did everything), with latency, then a 429 storm
// on top. Every object must still converge, with nothing bought, created or
// applied twice and nothing lost. A failing run is replayed by setting
// GANDISIM_FAULT_SEED to the seed it printed: each route's faults come
// again in the same order (which object meets them depends on the
// interleaving of the reconciles).
var _ = Describe("Gandi in a fault storm", func() {
	It("converges with 0 duplicates and 0 lost objects, and prints the figures", func() {
		w := newWorld()
		seed := stormSeed()
		base := gandisim.RandomFaults{
			Seed: seed, Rate5xx: 0.10, RateResetBeforeCommit: 0.025, RateResetAfterCommit: 0.025,
			LatencyMax: 20 * time.Millisecond,
		}
		stormy := base
		stormy.Seed, stormy.Rate429, stormy.RetryAfter = seed+1, 0.3, time.Second
		after := base
		after.Seed = seed + 2
		const storm429s = 6

		s := newStorm(w)
		total := len(s.objects())
		Expect(w.sim.SetRandomFaults("", base)).To(Succeed())
		// The client paces itself at its default 600 requests a minute, as
		// the binary's does: that, more than the faults, sets the pace.
		// Two workers per kind, as the manager binary runs by default.
		w.startManager(managerOptions{workers: 2})
		start := time.Now()
		s.start = start
		for _, o := range s.objects() {
			w.create(o)
		}

		By("5xx and resets until a quarter of the objects are Ready")
		Eventually(s.ready).WithTimeout(30 * time.Second).WithPolling(100 * time.Millisecond).Should(BeNumerically(">=", total/4))
		stormAt := time.Since(start)

		By(fmt.Sprintf("a 429 storm (30%%, Retry-After 1s) on top, until %d 429s", storm429s))
		Expect(w.sim.SetRandomFaults("", stormy)).To(Succeed())
		Eventually(func() int { return w.sim.FaultCounts()[gandisim.FaultRandom429] }).
			WithTimeout(30 * time.Second).WithPolling(50 * time.Millisecond).Should(BeNumerically(">=", storm429s))
		stormLasted := time.Since(start) - stormAt

		By("5xx and resets again, until every object is Ready")
		Expect(w.sim.SetRandomFaults("", after)).To(Succeed())
		Eventually(s.ready).WithTimeout(90*time.Second).WithPolling(100*time.Millisecond).Should(Equal(total),
			func() string { return "seed " + strconv.FormatInt(seed, 10) + ", not Ready:\n" + s.notReady() })
		converged := time.Since(start)

		// Read the figures with the faults off: what follows is the
		// checking, not the storm.
		w.sim.ClearFaults()
		faults := w.sim.FaultCounts()
		requests := sumCounts(w.sim.RequestCounts())
		injected := sumCounts(faults) - faults[gandisim.FaultRandomLatency]
		dups, dupDetail := s.duplicates()
		lost := s.lost()
		// An apply whose answer was lost and that the domain cannot settle
		// is sent once more (the template API cannot find its dispatch):
		// at most one reapply per domain, and every domain got one.
		dispatched := map[string]int{}
		for _, d := range w.sim.DispatchList() {
			dispatched[d.TargetName]++
		}
		unconfirmed, neverApplied, reapplies, leftOpen := 0, 0, 0, 0
		for _, ta := range s.apps {
			// No third send, whatever the end.
			Expect(dispatched[ta.Spec.Domain]).To(BeNumerically("<=", 2), "applies on %s (seed %d)", ta.Spec.Domain, seed)
			if leftUnconfirmed(ta) {
				// Either send may have been performed (a reset after Gandi
				// acted) without the domain showing it: a template that
				// sets what the domain API cannot read is never confirmed.
				leftOpen++
				continue
			}
			if ta.Status.Dispatch == nil {
				unconfirmed++
			}
			if dispatched[ta.Spec.Domain] == 0 {
				neverApplied++
			}
			reapplies += max(dispatched[ta.Spec.Domain]-1, 0)
		}
		Expect(neverApplied).To(BeZero(), "every domain got its template (seed %d)", seed)

		kinds := slices.Sorted(maps.Keys(faults))
		byKind := make([]string, 0, len(kinds))
		for _, k := range kinds {
			byKind = append(byKind, fmt.Sprintf("%s=%d", k, faults[k]))
		}
		figures := fmt.Sprintf("fault storm: seed=%d (%s) objects=%d requests=%d faults_injected=%d [%s] "+
			"storm_started=%s storm_lasted=%s convergence=%s (%.1f requests/s) paid_creates=%d dispatches=%d confirmed_on_domain=%d never_dispatched=%d reapplies=%d left_unconfirmed=%d duplicates=%d lost=%d",
			seed, stormSeedEnv, total, requests, injected, strings.Join(byKind, " "),
			stormAt.Round(time.Millisecond), stormLasted.Round(time.Millisecond), converged.Round(time.Millisecond), float64(requests)/converged.Seconds(),
			w.sim.PaidCreates(), len(w.sim.DispatchList()), unconfirmed, neverApplied, reapplies, leftOpen, dups, len(lost))
		figures += "\nslowest: " + s.slowest(3)
		GinkgoWriter.Println(figures)
		AddReportEntry("fault storm", figures)

		Expect(faults[gandisim.FaultRandom5xx]).To(BeNumerically(">", 0))
		Expect(faults[gandisim.FaultRandomResetBefore] + faults[gandisim.FaultRandomResetAfterCommit]).To(BeNumerically(">", 0))
		Expect(faults[gandisim.FaultRandom429]).To(BeNumerically(">=", storm429s))
		Expect(dupDetail).To(BeEmpty(), "duplicates (seed %d)", seed)
		Expect(dups).To(BeZero())
		Expect(lost).To(BeEmpty(), "lost (seed %d)", seed)
		Expect(w.sim.PaidCreates()).To(Equal(stormInstances), "one paid create per HostingInstance")
		Expect(w.sim.Instances()).To(HaveLen(stormInstances + 1))
		vhosts := 0
		for _, in := range w.sim.Instances() {
			vhosts += len(w.sim.Vhosts(in.ID))
		}
		Expect(vhosts).To(Equal(stormVhosts))
		// Each domain at most once more (checked per domain above).
		Expect(len(w.sim.DispatchList())).To(BeNumerically("<=", 2*stormTemplates))
	})
})
