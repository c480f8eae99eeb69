package gandi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The budget runs on a fake clock and its waiters are queued in a known
// order (enqueue, under the lock, as Wait does): every test below is a
// deterministic schedule, with no goroutine racing another.

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Advance moves the clock by d, firing each timer due on the way at its
// own time, in order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	for {
		var due *fakeTimer
		for _, t := range c.timers {
			if !t.stopped && !t.at.After(target) && (due == nil || t.at.Before(due.at)) {
				due = t
			}
		}
		if due == nil {
			break
		}
		due.stopped = true
		if due.at.After(c.now) {
			c.now = due.at
		}
		c.mu.Unlock()
		due.f()
		c.mu.Lock()
	}
	c.now = target
	c.mu.Unlock()
}

type budgetRig struct {
	clk   *fakeClock
	b     *Budget
	seen  map[*waiter]bool
	names map[*waiter]string
}

func newBudgetRig(perMinute, burst int) *budgetRig {
	clk := newFakeClock()
	return &budgetRig{clk: clk, b: NewBudget(BudgetConfig{RequestsPerMinute: perMinute, Burst: burst, Clock: clk}),
		seen: map[*waiter]bool{}, names: map[*waiter]string{}}
}

func (r *budgetRig) member(token string, perMinute, burst int) *BudgetMember {
	return r.b.Member(Credential{Token: token}, perMinute, burst)
}

// queue adds n waiters of m at p, named name#i.
func (r *budgetRig) queue(m *BudgetMember, p Priority, name string, n int) {
	r.b.mu.Lock()
	defer r.b.mu.Unlock()
	for i := range n {
		w := r.b.enqueue(m.m, p, r.clk.Now())
		r.names[w] = fmt.Sprintf("%s#%d", name, i)
	}
	r.collect()
}

// collect marks the waiters granted so far as seen, so that step reports
// only later grants.
func (r *budgetRig) collect() {
	for w := range r.names {
		if w.granted && !r.seen[w] {
			r.seen[w] = true
		}
	}
}

// step advances the clock by d and returns the names granted meanwhile.
func (r *budgetRig) step(d time.Duration) []string {
	r.clk.Advance(d)
	r.b.mu.Lock()
	defer r.b.mu.Unlock()
	var got []string
	for w, name := range r.names {
		if w.granted && !r.seen[w] {
			r.seen[w] = true
			got = append(got, name)
		}
	}
	slices.Sort(got)
	return got
}

func (r *budgetRig) granted() []string {
	r.b.mu.Lock()
	defer r.b.mu.Unlock()
	var got []string
	for w, name := range r.names {
		if w.granted {
			got = append(got, name)
		}
	}
	slices.Sort(got)
	return got
}

// TestBudgetRate: the burst goes at once, then one request per 1/rate.
func TestBudgetRate(t *testing.T) {
	r := newBudgetRig(60, 2)
	a := r.member("a", -1, 0)
	r.queue(a, PriorityUrgent, "a", 5)
	if got := r.granted(); !slices.Equal(got, []string{"a#0", "a#1"}) {
		t.Fatalf("granted at once: %v, want the burst of 2", got)
	}
	r.collect()
	if got := r.step(999 * time.Millisecond); len(got) != 0 {
		t.Fatalf("granted before a second: %v", got)
	}
	if got := r.step(time.Millisecond); !slices.Equal(got, []string{"a#2"}) {
		t.Fatalf("after a second: %v", got)
	}
	if got := r.step(2 * time.Second); !slices.Equal(got, []string{"a#3", "a#4"}) {
		t.Fatalf("after three seconds: %v", got)
	}
}

// TestBudgetFairAmongTokens: a token that queued many requests first does
// not delay another's: grants go round-robin among tokens.
func TestBudgetFairAmongTokens(t *testing.T) {
	r := newBudgetRig(60, 1)
	busy, quiet, third := r.member("busy", -1, 0), r.member("quiet", -1, 0), r.member("third", -1, 0)
	r.queue(busy, PriorityRoutine, "busy", 30) // busy#0 takes the burst
	r.queue(quiet, PriorityRoutine, "quiet", 3)
	r.queue(third, PriorityRoutine, "third", 3)
	r.collect()
	order := make([]string, 0, 9)
	for range 9 {
		got := r.step(time.Second)
		if len(got) != 1 {
			t.Fatalf("one grant per second, got %v", got)
		}
		order = append(order, strings.Split(got[0], "#")[0])
	}
	// busy#0 went first, before the others queued, so busy leads each
	// round; each token gets one grant per round all the same.
	want := []string{"busy", "quiet", "third", "busy", "quiet", "third", "busy", "quiet", "third"}
	if !slices.Equal(order, want) {
		t.Fatalf("grant order %v, want %v", order, want)
	}
	// The quiet tokens are done; the busy one now has every grant.
	for range 3 {
		if got := r.step(time.Second); len(got) != 1 || !strings.HasPrefix(got[0], "busy#") {
			t.Fatalf("after the others finished: %v", got)
		}
	}
}

// TestBudgetUrgentFirst: urgent requests queued after routine ones go
// first, but one grant in routineShare still goes to routine work.
func TestBudgetUrgentFirst(t *testing.T) {
	r := newBudgetRig(60, 1)
	polls, edits := r.member("polls", -1, 0), r.member("edits", -1, 0)
	r.queue(polls, PriorityRoutine, "poll", 20) // poll#0 takes the burst
	r.queue(edits, PriorityUrgent, "edit", 20)
	r.collect()
	order := make([]string, 0, 20)
	for range 20 {
		got := r.step(time.Second)
		if len(got) != 1 {
			t.Fatalf("one grant per second, got %v", got)
		}
		order = append(order, strings.Split(got[0], "#")[0])
	}
	// poll#0, granted before any edit queued, was routine: then nine
	// edits, one poll, nine edits, one poll.
	var want []string
	for i := range 20 {
		if i%routineShare == routineShare-1 {
			want = append(want, "poll")
		} else {
			want = append(want, "edit")
		}
	}
	if !slices.Equal(order, want) {
		t.Fatalf("grant order %v, want %v", order, want)
	}
}

// TestBudgetPerTokenBound: a token over its own limit waits while others
// use the shared budget: no shared capacity is left idle for it.
func TestBudgetPerTokenBound(t *testing.T) {
	r := newBudgetRig(600, 10)
	slow, free := r.member("slow", 60, 1), r.member("free", -1, 0)
	r.queue(slow, PriorityUrgent, "slow", 3)
	r.queue(free, PriorityRoutine, "free", 5)
	got := r.granted()
	if !slices.Equal(got, []string{"free#0", "free#1", "free#2", "free#3", "free#4", "slow#0"}) {
		t.Fatalf("granted at once: %v", got)
	}
	r.collect()
	if got := r.step(500 * time.Millisecond); len(got) != 0 {
		t.Fatalf("slow went before its own second: %v", got)
	}
	if got := r.step(500 * time.Millisecond); !slices.Equal(got, []string{"slow#1"}) {
		t.Fatalf("after a second: %v", got)
	}
}

// TestBudgetMemberPerCredential: one credential is one member, whichever
// client asks, and the scheme is part of it.
func TestBudgetMemberPerCredential(t *testing.T) {
	b := NewBudget(BudgetConfig{})
	if b.Member(Credential{Token: "k"}, 60, 1).m != b.Member(Credential{Token: "k"}, 600, 10).m {
		t.Fatal("one token got two members")
	}
	if b.Member(Credential{Token: "k"}, 60, 1).m == b.Member(Credential{Token: "k", APIKey: true}, 60, 1).m {
		t.Fatal("a bearer token and an API key of the same text share a member")
	}
	if b.RequestsPerMinute() != DefaultIPRequestsPerMinute {
		t.Fatalf("default rate %d", b.RequestsPerMinute())
	}
}

// TestBudgetPause: a Retry-After holds every token of the budget.
func TestBudgetPause(t *testing.T) {
	r := newBudgetRig(600, 10)
	a, other := r.member("a", -1, 0), r.member("other", -1, 0)
	a.PauseFor(5 * time.Second)
	r.queue(other, PriorityUrgent, "other", 1)
	if got := r.granted(); len(got) != 0 {
		t.Fatalf("granted during the pause: %v", got)
	}
	if d := other.PausedFor(); d != 5*time.Second {
		t.Fatalf("PausedFor = %v", d)
	}
	if got := r.step(5 * time.Second); !slices.Equal(got, []string{"other#0"}) {
		t.Fatalf("after the pause: %v", got)
	}
}

// TestBudgetWaitCancelled: a waiter whose context ends leaves the queue
// and the error says why; the next one takes its place.
func TestBudgetWaitCancelled(t *testing.T) {
	clk := newFakeClock()
	b := NewBudget(BudgetConfig{RequestsPerMinute: 60, Burst: 1, Clock: clk})
	m := b.Member(Credential{Token: "a"}, -1, 0)
	if _, err := m.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	// A caller that gives up (here: before it even asks) leaves the queue.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := m.Wait(WithPriority(ctx, PriorityRoutine)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
	b.mu.Lock()
	left := len(m.m.queue[PriorityRoutine]) + len(b.active[PriorityRoutine])
	b.mu.Unlock()
	if left != 0 {
		t.Fatal("the cancelled waiter is still queued")
	}
	clk.Advance(time.Second)
	waited, err := m.Wait(t.Context())
	if err != nil || waited != 0 {
		t.Fatalf("Wait after the refill = %v, %v", waited, err)
	}
}

func TestPriorityOf(t *testing.T) {
	ctx := t.Context()
	if PriorityOf(ctx) != PriorityUrgent {
		t.Fatal("an unmarked request must be urgent")
	}
	if PriorityOf(WithPriority(ctx, PriorityRoutine)) != PriorityRoutine {
		t.Fatal("routine lost")
	}
	if PriorityOf(WithPriority(WithPriority(ctx, PriorityRoutine), PriorityUrgent)) != PriorityUrgent {
		t.Fatal("the innermost mark must win")
	}
}
