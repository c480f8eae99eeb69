package controller

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// settledVhost is a Vhost at generation 3, Ready and Synced for it;
// tweak makes it otherwise.
func settledVhost(tweak func(*hostingv1alpha1.Vhost)) *hostingv1alpha1.Vhost {
	vh := &hostingv1alpha1.Vhost{}
	vh.Name, vh.Namespace, vh.Generation = "www", "shop", 3
	vh.Status.Conditions = []metav1.Condition{
		{Type: hostingv1alpha1.ConditionReady, Status: metav1.ConditionTrue, ObservedGeneration: 3, Reason: "Running"},
		{Type: hostingv1alpha1.ConditionSynced, Status: metav1.ConditionTrue, ObservedGeneration: 3, Reason: "UpToDate"},
	}
	if tweak != nil {
		tweak(vh)
	}
	return vh
}

// TestPassPriority: which passes are routine polls, in the budget and in
// the work queue.
func TestPassPriority(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	poll := time.Minute
	key := types.NamespacedName{Namespace: "shop", Name: "www"}
	pollRes := result{requeue: poll, observed: true}
	lookRes := result{requeue: 5 * time.Second, observed: true}
	failRes := result{err: errors.New("503")}
	notReady := func(v *hostingv1alpha1.Vhost) { v.Status.Conditions[0].Status = metav1.ConditionFalse }
	for _, tc := range []struct {
		name string
		obj  *hostingv1alpha1.Vhost
		// past are how this object's previous passes in this process
		// ended, oldest first (none: not seen yet).
		past []result
		want gandi.Priority
	}{
		{"settled, never seen in this process", settledVhost(nil), nil, gandi.PriorityRoutine},
		{"settled, last pass asked for the poll", settledVhost(nil), []result{pollRes}, gandi.PriorityRoutine},
		{"last pass asked for a transitional look", settledVhost(nil), []result{lookRes}, gandi.PriorityUrgent},
		{"retry of a transitional look", settledVhost(nil), []result{lookRes, failRes}, gandi.PriorityUrgent},
		{"retry of a poll", settledVhost(nil), []result{pollRes, failRes}, gandi.PriorityRoutine},
		{"poll after the transitional state ended", settledVhost(nil), []result{lookRes, pollRes}, gandi.PriorityRoutine},
		{"user edit: generation moved", settledVhost(func(v *hostingv1alpha1.Vhost) { v.Generation = 4 }), []result{pollRes}, gandi.PriorityUrgent},
		{"deleting", settledVhost(func(v *hostingv1alpha1.Vhost) { v.DeletionTimestamp = &metav1.Time{Time: now} }), []result{pollRes}, gandi.PriorityUrgent},
		{"create pending", settledVhost(func(v *hostingv1alpha1.Vhost) {
			v.Annotations = map[string]string{hostingv1alpha1.AnnotationCreatePending: now.Format(time.RFC3339Nano)}
		}), []result{pollRes}, gandi.PriorityUrgent},
		{"new: no conditions", settledVhost(func(v *hostingv1alpha1.Vhost) { v.Status.Conditions = nil }), nil, gandi.PriorityUrgent},
		{"not ready, never seen (may be transitional)", settledVhost(notReady), nil, gandi.PriorityUrgent},
		// Locked, paused, a terminal error: polled, not hurried, so that
		// many broken objects cannot crowd out the healthy ones.
		{"not ready, polled at the poll interval", settledVhost(notReady), []result{pollRes}, gandi.PriorityRoutine},
		{"not synced, polled at the poll interval", settledVhost(func(v *hostingv1alpha1.Vhost) { v.Status.Conditions[1].Status = metav1.ConditionFalse }), []result{pollRes}, gandi.PriorityRoutine},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newPollTracker("Vhost", poll, 900, func() time.Time { return now }, funcr.New(func(string, string) {}, funcr.Options{}), nil)
			for _, res := range tc.past {
				tr.begin(key, tc.obj).end(res)
			}
			if got := tr.begin(key, tc.obj).priority; got != tc.want {
				t.Fatalf("priority %v, want %v", got, tc.want)
			}
		})
	}

	var nilTracker *pollTracker
	if p := nilTracker.begin(key, settledVhost(nil)); p.priority != gandi.PriorityUrgent {
		t.Fatal("without a tracker every pass must be urgent")
	}
}

// TestPassQueuePriority: a pass that asks for the poll interval requeues
// below LowPriority; a transitional look or a retry at LowPriority.
func TestPassQueuePriority(t *testing.T) {
	tr := newPollTracker("Vhost", time.Minute, 900, time.Now, funcr.New(func(string, string) {}, funcr.Options{}), nil)
	key := types.NamespacedName{Namespace: "shop", Name: "www"}
	for _, tc := range []struct {
		name string
		res  result
		want int
	}{
		{"poll (jittered down)", result{requeue: 55 * time.Second, observed: true}, routineQueuePriority},
		{"transitional", result{requeue: 5 * time.Second, observed: true}, handler.LowPriority},
		{"done, no requeue", result{observed: true}, routineQueuePriority},
		{"retry of a poll", result{err: errors.New("503")}, routineQueuePriority},
	} {
		if got := *tr.begin(key, settledVhost(nil)).end(tc.res); got != tc.want {
			t.Errorf("%s: queue priority %d, want %d", tc.name, got, tc.want)
		}
	}
	fresh := settledVhost(func(v *hostingv1alpha1.Vhost) { v.Status.Conditions = nil })
	if got := *tr.begin(types.NamespacedName{Name: "new"}, fresh).end(result{err: errors.New("503")}); got != handler.LowPriority {
		t.Errorf("retry of a new object's pass: queue priority %d, want %d", got, handler.LowPriority)
	}
}

// TestPollStretch: routine polls that come later than the poll interval
// raise the effective interval and the lag, log once when the average is
// stretched and once when it is back; transitional passes do not count.
func TestPollStretch(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var lines []string
	logger := funcr.New(func(prefix, args string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, args)
	}, funcr.Options{})
	reg := prometheus.NewRegistry()
	poll := 10 * time.Second
	tr := newPollTracker("HostingInstance", poll, 900, func() time.Time { return now }, logger, newPollMetrics(reg))
	key := types.NamespacedName{Namespace: "shop", Name: "web"}
	obj := settledVhost(nil)
	pollRes := result{requeue: poll, observed: true}

	pass := func(after time.Duration) {
		now = now.Add(after)
		tr.begin(key, obj).end(pollRes)
	}
	pass(0)
	for range 5 {
		pass(poll) // on time
	}
	if got := tr.effective(); got < poll-time.Millisecond || got > poll+time.Millisecond {
		t.Fatalf("effective %v on time, want %v", got, poll)
	}
	for range 20 {
		pass(3 * poll) // the budget is short: three times the interval
	}
	if got := tr.effective(); got < 2*poll {
		t.Fatalf("effective %v after 20 late polls, want above %v", got, 2*poll)
	}
	if v := testutil.ToFloat64(tr.metrics.interval.WithLabelValues("HostingInstance")); v < 2*poll.Seconds() {
		t.Fatalf("gandi_operator_effective_poll_interval_seconds = %v", v)
	}
	if n := testutil.CollectAndCount(reg, "gandi_operator_observation_lag_seconds"); n != 1 {
		t.Fatalf("lag series: %d", n)
	}
	// A poll that finds the object changing asks for a quick look; that
	// look (urgent, however late) is not a poll and does not count.
	now = now.Add(poll)
	tr.begin(key, obj).end(result{requeue: time.Second, observed: true})
	before := tr.effective()
	now = now.Add(time.Hour)
	look := tr.begin(key, obj)
	if look.priority != gandi.PriorityUrgent {
		t.Fatal("the look after a transitional answer must be urgent")
	}
	look.end(pollRes)
	if tr.effective() != before {
		t.Fatal("an urgent pass moved the poll average")
	}
	for range 60 {
		pass(poll)
	}
	mu.Lock()
	defer mu.Unlock()
	stretched, back := 0, 0
	for _, l := range lines {
		if strings.Contains(l, "polls are stretched") {
			stretched++
			if !strings.Contains(l, `"kind"="HostingInstance"`) || !strings.Contains(l, `"ipRequestsPerMinute"=900`) {
				t.Errorf("stretch line lacks its figures: %s", l)
			}
		}
		if strings.Contains(l, "back to the poll interval") {
			back++
		}
	}
	if stretched != 1 || back != 1 {
		t.Fatalf("log lines %q: want one stretched and one back", lines)
	}
	tr.forget(key)
	if len(tr.objects) != 0 {
		t.Fatal("forget kept the object")
	}
}
