package gandi

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// Gandi limits its API per IP (1,000 requests per minute, whatever the
// token), so one operator process, one egress IP, needs one budget for all
// its tokens: per-token limiters alone let four tokens at 300/min send
// 1,200/min. A Budget is that one budget. Clients of both APIs (v5 and
// XML-RPC) wait for it before every HTTP attempt; it hands out its requests
// by priority (urgent before routine), round-robin among tokens within a
// priority, and bounds each token by its own rate as well.

// DefaultIPRequestsPerMinute stays below Gandi's documented 1,000 requests
// per minute per IP, leaving room for the user's other tools from the same
// address; DefaultIPBurst is small so that a burst plus a minute of the rate
// stays below the limit in any sliding minute.
const (
	DefaultIPRequestsPerMinute = 900
	DefaultIPBurst             = 20
)

// Priority ranks a request in the Budget.
type Priority int

const (
	// PriorityRoutine is a routine poll of a settled object: it waits for
	// every urgent request (but one grant in routineShare is kept for
	// routine work, so that observation never stops).
	PriorityRoutine Priority = iota
	// PriorityUrgent is a user's edit, a deletion, an object in a
	// transitional state: what a person is waiting for. A request whose
	// context carries no priority is urgent: only a caller that knows a
	// request is routine lets it yield.
	PriorityUrgent

	numPriorities = 2
)

// routineShare: when both kinds wait, at least one grant in routineShare
// goes to a routine request, so that objects stuck in a transitional state
// cannot stop every settled object from being observed.
const routineShare = 10

func (p Priority) String() string {
	if p == PriorityRoutine {
		return "routine"
	}
	return "urgent"
}

type priorityKey struct{}

// WithPriority marks every Gandi request made with ctx.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

// PriorityOf is the priority ctx carries, PriorityUrgent when none.
func PriorityOf(ctx context.Context) Priority {
	if p, ok := ctx.Value(priorityKey{}).(Priority); ok && p == PriorityRoutine {
		return PriorityRoutine
	}
	return PriorityUrgent
}

// Clock is the Budget's time: the real one, or a test's.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f after d; the returned stop cancels it.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// BudgetConfig configures a Budget. Zero fields take the defaults.
type BudgetConfig struct {
	RequestsPerMinute int
	Burst             int
	Clock             Clock // nil: the real clock
}

// Budget is one request budget shared by every client of one egress IP.
// It is safe for concurrent use.
type Budget struct {
	clock     Clock
	perMinute int

	mu          sync.Mutex
	shared      bucket
	pausedUntil time.Time
	members     map[string]*member
	// active lists, per priority, the members with waiters of that
	// priority, in round-robin order: a member served goes to the back.
	active    [numPriorities][]*member
	sinceRout int // urgent grants since the last routine one
	timerStop func() bool
	timerAt   time.Time
	timerGen  int
}

// NewBudget returns a Budget of cfg.RequestsPerMinute, full to its burst.
func NewBudget(cfg BudgetConfig) *Budget {
	if cfg.RequestsPerMinute <= 0 {
		cfg.RequestsPerMinute = DefaultIPRequestsPerMinute
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultIPBurst
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	return &Budget{
		clock:     cfg.Clock,
		perMinute: cfg.RequestsPerMinute,
		shared:    newBucket(cfg.RequestsPerMinute, cfg.Burst),
		members:   map[string]*member{},
	}
}

// RequestsPerMinute is the budget's rate.
func (b *Budget) RequestsPerMinute() int { return b.perMinute }

// BudgetMember is one token's place in a Budget.
type BudgetMember struct{ m *member }

type member struct {
	b *Budget
	// own bounds this token alone (the per-token limit); nil: unbounded.
	own   *bucket
	queue [numPriorities][]*waiter
}

type waiter struct {
	m       *member
	prio    Priority
	ready   chan struct{}
	granted bool
}

// Member returns cred's place in the budget, bounded by perMinute (and
// burst) for this token alone; a negative perMinute leaves the token bound
// by the shared budget only. Clients of one credential, of either API,
// share one member: the first caller's bound applies.
func (b *Budget) Member(cred Credential, perMinute, burst int) *BudgetMember {
	key := cred.Key()
	b.mu.Lock()
	defer b.mu.Unlock()
	if m, ok := b.members[key]; ok {
		return &BudgetMember{m: m}
	}
	m := &member{b: b}
	if perMinute > 0 {
		own := newBucket(perMinute, max(burst, 1))
		m.own = &own
	}
	b.members[key] = m
	return &BudgetMember{m: m}
}

// Wait blocks until the budget lets one request of this token go, at the
// priority ctx carries, and returns how long it waited; it fails only when
// ctx ends first.
func (bm *BudgetMember) Wait(ctx context.Context) (time.Duration, error) {
	b := bm.m.b
	b.mu.Lock()
	start := b.clock.Now()
	w := b.enqueue(bm.m, PriorityOf(ctx), start)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return b.clock.Now().Sub(start), nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if w.granted {
		return b.clock.Now().Sub(start), nil
	}
	b.remove(w)
	return b.clock.Now().Sub(start), ctx.Err()
}

// PauseFor holds every token of the budget for d: Gandi's 429 Retry-After
// on one token most likely means the IP is over its limit, and every other
// token's request would draw a 429 too.
func (bm *BudgetMember) PauseFor(d time.Duration) {
	b := bm.m.b
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	if until := now.Add(d); until.After(b.pausedUntil) {
		b.pausedUntil = until
		b.dispatch(now)
	}
}

// PausedFor is how long the budget is still paused by a Retry-After.
func (bm *BudgetMember) PausedFor() time.Duration {
	b := bm.m.b
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pausedUntil.Sub(b.clock.Now())
}

// enqueue queues a waiter and serves whoever can go now. Called with b.mu
// held.
func (b *Budget) enqueue(m *member, p Priority, now time.Time) *waiter {
	w := &waiter{m: m, prio: p, ready: make(chan struct{})}
	if len(m.queue[p]) == 0 {
		b.active[p] = append(b.active[p], m)
	}
	m.queue[p] = append(m.queue[p], w)
	b.dispatch(now)
	return w
}

// remove takes back a waiter that gave up. Called with b.mu held.
func (b *Budget) remove(w *waiter) {
	m, p := w.m, w.prio
	i := slices.Index(m.queue[p], w)
	if i < 0 {
		return
	}
	m.queue[p] = slices.Delete(m.queue[p], i, i+1)
	if len(m.queue[p]) == 0 {
		if j := slices.Index(b.active[p], m); j >= 0 {
			b.active[p] = slices.Delete(b.active[p], j, j+1)
		}
	}
}

// dispatch grants every waiter that can go at now and, when some must
// wait, sets the timer for the earliest moment one can. Called with b.mu
// held.
func (b *Budget) dispatch(now time.Time) {
	for {
		if len(b.active[PriorityUrgent]) == 0 && len(b.active[PriorityRoutine]) == 0 {
			return
		}
		if now.Before(b.pausedUntil) {
			b.wakeAt(b.pausedUntil, now)
			return
		}
		if at := b.shared.readyAt(now); at.After(now) {
			b.wakeAt(at, now)
			return
		}
		w, i, next := b.pick(now)
		if w == nil {
			if !next.IsZero() {
				b.wakeAt(next, now)
			}
			return
		}
		b.grant(w, i)
	}
}

// pick chooses the next waiter that may go at now: urgent first (but a
// routine one after routineShare-1 urgent grants in a row), round-robin
// among tokens within a priority (the front token that is not over its
// own bound). Without one, it returns when the first of those tokens may
// go again.
func (b *Budget) pick(now time.Time) (*waiter, int, time.Time) {
	order := []Priority{PriorityUrgent, PriorityRoutine}
	if b.sinceRout >= routineShare-1 {
		order = []Priority{PriorityRoutine, PriorityUrgent}
	}
	var next time.Time
	for _, p := range order {
		for i, m := range b.active[p] {
			if m.own != nil {
				if at := m.own.readyAt(now); at.After(now) {
					if next.IsZero() || at.Before(next) {
						next = at
					}
					continue
				}
			}
			return m.queue[p][0], i, time.Time{}
		}
	}
	return nil, 0, next
}

// grant lets w, of the i-th active token of its priority, go: one request
// off the shared budget and off its token's own, and the token goes to the
// back of the round.
func (b *Budget) grant(w *waiter, i int) {
	m, p := w.m, w.prio
	b.shared.take()
	if m.own != nil {
		m.own.take()
	}
	m.queue[p] = m.queue[p][1:]
	b.active[p] = slices.Delete(b.active[p], i, i+1)
	if len(m.queue[p]) > 0 {
		b.active[p] = append(b.active[p], m)
	}
	if p == PriorityRoutine {
		b.sinceRout = 0
	} else {
		b.sinceRout++
	}
	w.granted = true
	close(w.ready)
}

// wakeAt makes sure dispatch runs again at at.
func (b *Budget) wakeAt(at, now time.Time) {
	if b.timerStop != nil && !b.timerAt.After(at) {
		return
	}
	if b.timerStop != nil {
		b.timerStop()
	}
	b.timerGen++
	gen := b.timerGen
	b.timerAt = at
	b.timerStop = b.clock.AfterFunc(at.Sub(now), func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if gen == b.timerGen {
			b.timerStop = nil
		}
		b.dispatch(b.clock.Now())
	})
}

// bucket is a token bucket on an explicit clock.
type bucket struct {
	perSecond float64
	burst     float64
	tokens    float64
	last      time.Time
}

func newBucket(perMinute, burst int) bucket {
	return bucket{perSecond: float64(perMinute) / 60, burst: float64(burst), tokens: float64(burst)}
}

// tolerance absorbs float rounding, so that a timer set for the moment a
// token is due finds it there.
const tolerance = 1e-9

// readyAt is when the bucket holds a whole token (now when it does).
func (k *bucket) readyAt(now time.Time) time.Time {
	if !k.last.IsZero() && now.After(k.last) {
		k.tokens = math.Min(k.burst, k.tokens+now.Sub(k.last).Seconds()*k.perSecond)
	}
	if k.last.IsZero() || now.After(k.last) {
		k.last = now
	}
	if k.tokens >= 1-tolerance {
		return now
	}
	return now.Add(time.Duration(math.Ceil((1 - k.tokens) / k.perSecond * float64(time.Second))))
}

func (k *bucket) take() { k.tokens-- }
