package controller

import (
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/promreg"
)

// A pass is urgent or routine. Urgent is what someone waits for: a new
// object or a user's edit (a generation not yet observed), a deletion, an
// interrupted create, and an object in a transitional state (its last pass
// asked to look again sooner than the poll interval); a retry keeps the
// class of the pass that failed. Everything else is a routine poll,
// settled objects and those stuck in a state that only a person or Gandi
// changes (locked, paused, a terminal error) alike, so that a thousand
// objects of a revoked token cannot crowd out the healthy ones. An object
// not yet seen in this process is routine when it is Ready for its
// generation. The pass's Gandi requests carry the class
// (gandi.WithPriority), so the IP budget serves urgent ones first, and so
// does its requeue: routine polls wait in the work queue below every other
// requeue, at routineQueuePriority, so that when the budget is short a
// transitional object is not stuck behind a backlog of polls.
//
// When the budget cannot cover every routine poll at the poll interval,
// polls come later than asked: pollTracker measures by how much and says
// so, with gandi_operator_effective_poll_interval_seconds,
// gandi_operator_observation_lag_seconds and a log line when the interval
// stretches (and when it is back), instead of the operator drawing 429s.

// routineQueuePriority is below controller-runtime's LowPriority, which the
// initial list and every other requeue get: an object not yet seen, or
// one that is changing, comes before a routine poll.
const routineQueuePriority = handler.LowPriority - 1

// Stretch thresholds, relative to the poll interval: the jitter is +/-10%,
// so an average above 1.25x is the budget's doing; back below 1.1x, it is
// over.
const (
	stretchedAbove = 1.25
	recoveredBelow = 1.1
	// ewmaWeight is the weight of the newest interval in the average.
	ewmaWeight = 0.1
)

// pollMetrics are the poll collectors, shared by the kinds of a manager.
type pollMetrics struct {
	interval *prometheus.GaugeVec
	lag      *prometheus.HistogramVec
}

func newPollMetrics(reg prometheus.Registerer) *pollMetrics {
	m := &pollMetrics{
		interval: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gandi_operator_effective_poll_interval_seconds",
			Help: "Moving average of the time between two observations of a settled object at Gandi, by kind; above --poll-interval when the IP request budget cannot cover every object.",
		}, []string{"kind"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gandi_operator_observation_lag_seconds",
			Help:    "How much later than scheduled a settled object was observed at Gandi, by kind (work queue and request budget waits).",
			Buckets: []float64{.1, .5, 1, 5, 15, 60, 300, 900, 3600},
		}, []string{"kind"}),
	}
	if reg != nil {
		m.interval = promreg.Register(reg, m.interval)
		m.lag = promreg.Register(reg, m.lag)
	}
	return m
}

// registerOrReuse registers c, or returns the collector already registered
// under its name (several managers in one test process).

// pollTracker classifies one kind's passes and measures its polls. A nil
// tracker classifies every pass urgent and measures nothing.
type pollTracker struct {
	kind            string
	poll            time.Duration
	budgetPerMinute int // 0: no IP budget
	now             func() time.Time
	log             logr.Logger
	metrics         *pollMetrics

	mu        sync.Mutex
	objects   map[types.NamespacedName]pollRecord
	average   time.Duration // moving average of routine intervals; 0: none yet
	stretched bool
}

// pollRecord is what the last pass of an object left.
type pollRecord struct {
	end time.Time // when it finished (its observation became status)
	due time.Time // when it asked to be looked at again
	// next is the class of the object's next pass, unless a user's edit or
	// a deletion makes it urgent.
	next gandi.Priority
}

func newPollTracker(kind string, poll time.Duration, budgetPerMinute int, now func() time.Time, log logr.Logger, m *pollMetrics) *pollTracker {
	return &pollTracker{kind: kind, poll: poll, budgetPerMinute: budgetPerMinute, now: now, log: log, metrics: m,
		objects: map[types.NamespacedName]pollRecord{}}
}

// passInfo is one pass as the tracker sees it.
type passInfo struct {
	t        *pollTracker
	key      types.NamespacedName
	priority gandi.Priority
}

// begin classifies the pass about to run on obj.
func (t *pollTracker) begin(key types.NamespacedName, obj managed) passInfo {
	p := passInfo{t: t, key: key, priority: gandi.PriorityUrgent}
	if t == nil || pending(obj) {
		return p
	}
	t.mu.Lock()
	rec, seen := t.objects[key]
	t.mu.Unlock()
	switch {
	case seen:
		p.priority = rec.next
	case readyNow(obj):
		p.priority = gandi.PriorityRoutine
	}
	return p
}

// pending: something about obj waits on the operator: a deletion, an
// interrupted create, or a generation not yet observed (a new object, a
// user's edit).
func pending(obj managed) bool {
	if !obj.GetDeletionTimestamp().IsZero() {
		return true
	}
	if _, intent := openIntent(obj); intent {
		return true
	}
	ready := meta.FindStatusCondition(*obj.GetConditions(), hostingv1alpha1.ConditionReady)
	return ready == nil || ready.ObservedGeneration != obj.GetGeneration()
}

// readyNow: obj's status says Ready (judging an object this process has
// not seen pass yet).
func readyNow(obj managed) bool {
	return meta.IsStatusConditionTrue(*obj.GetConditions(), hostingv1alpha1.ConditionReady)
}

// end records how the pass ended and returns the work-queue priority of
// its requeue (or retry).
func (p passInfo) end(res result) *int {
	next := gandi.PriorityRoutine
	switch {
	case res.err != nil:
		next = p.priority // a retry keeps its class
	case res.requeue > 0 && p.t != nil && res.requeue < p.t.poll*9/10:
		next = gandi.PriorityUrgent // a transitional look (the poll is jittered down to 0.9x)
	}
	prio := handler.LowPriority
	if next == gandi.PriorityRoutine && p.t != nil {
		prio = routineQueuePriority
	}
	if p.t == nil {
		return &prio
	}
	t := p.t
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	prev, seen := t.objects[p.key]
	t.objects[p.key] = pollRecord{end: now, due: now.Add(res.requeue), next: next}
	if p.priority == gandi.PriorityRoutine && seen && prev.next == gandi.PriorityRoutine && res.observed && prev.due.After(prev.end) {
		t.observe(now.Sub(prev.end), max(0, now.Sub(prev.due)))
	}
	return &prio
}

// observe takes one routine interval and its lag, with t.mu held.
func (t *pollTracker) observe(interval, lag time.Duration) {
	if t.average == 0 {
		t.average = interval
	} else {
		t.average = time.Duration(float64(t.average)*(1-ewmaWeight) + float64(interval)*ewmaWeight)
	}
	if t.metrics != nil {
		t.metrics.interval.WithLabelValues(t.kind).Set(t.average.Seconds())
		t.metrics.lag.WithLabelValues(t.kind).Observe(lag.Seconds())
	}
	switch ratio := float64(t.average) / float64(t.poll); {
	case !t.stretched && ratio > stretchedAbove:
		t.stretched = true
		t.log.Info("the Gandi request budget cannot cover every object at the poll interval: polls are stretched",
			"kind", t.kind, "pollInterval", t.poll.String(), "effectiveInterval", t.average.Round(time.Millisecond).String(),
			"ipRequestsPerMinute", t.budgetPerMinute, "objects", len(t.objects))
	case t.stretched && ratio < recoveredBelow:
		t.stretched = false
		t.log.Info("polls are back to the poll interval",
			"kind", t.kind, "pollInterval", t.poll.String(), "effectiveInterval", t.average.Round(time.Millisecond).String())
	}
}

// forget drops an object that is gone.
func (t *pollTracker) forget(key types.NamespacedName) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.objects, key)
}

// effective is the moving average of routine intervals (0 before any).
func (t *pollTracker) effective() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.average
}
