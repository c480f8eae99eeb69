package gandisim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
)

// Fault names, as RequestLog.Fault and the keys of FaultCounts report them.
const (
	FaultFail           = "fail"             // FailNext
	FaultReset          = "reset"            // ResetNext
	FaultCommitThenDrop = "commit_then_drop" // CommitThenDrop, CommitThenDropPaid
	FaultDropThenCommit = "drop_then_commit" // DropThenCommitPaid
	FaultRateLimited    = "rate_limited"     // the per-token limit (Options.RateLimitPerMinute)
	FaultIPRateLimited  = "ip_rate_limited"  // the per-IP limit (Options.IPRateLimitPerMinute)

	FaultRandom5xx              = "random_5xx"
	FaultRandomResetBefore      = "random_reset_before_commit"
	FaultRandomResetAfterCommit = "random_reset_after_commit"
	FaultRandom429              = "random_429"
	// FaultRandomLatency counts the requests that random latency delayed;
	// it comes on top of the other kinds rather than instead of them.
	FaultRandomLatency = "random_latency"
)

// RandomFaults configures the seeded random mode of a route, or of every
// route (see SetRandomFaults). Each request draws one decision: with
// probability Rate5xx a 5xx answer, RateResetBeforeCommit a reset with
// nothing done, RateResetAfterCommit a reset after the request was fully
// performed, Rate429 a 429; otherwise no fault. The rates are fractions
// (0.1 is 10%) and sum to at most 1. Every request, faulted or not, is also
// delayed by a latency drawn uniformly from [LatencyMin, LatencyMax].
type RandomFaults struct {
	Seed                  int64
	Rate5xx               float64
	RateResetBeforeCommit float64
	RateResetAfterCommit  float64
	Rate429               float64
	// Statuses5xx are the 5xx statuses drawn from, with equal chances
	// (default 500, 502, 503, 504). Each carries Gandi's error body, as
	// Gandi's own failures do: a client may take it as "not performed".
	Statuses5xx []int
	// RetryAfter is the Retry-After of a random 429, sent in whole seconds
	// rounded up (default 1s).
	RetryAfter time.Duration
	// LatencyMax 0 means LatencyMin: a fixed latency.
	LatencyMin, LatencyMax time.Duration
}

var defaultStatuses5xx = []int{
	http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout,
}

func (rf RandomFaults) validate() error {
	var errs []error
	sum := 0.0
	for _, r := range []struct {
		name string
		rate float64
	}{
		{"5xx", rf.Rate5xx}, {"reset before commit", rf.RateResetBeforeCommit},
		{"reset after commit", rf.RateResetAfterCommit}, {"429", rf.Rate429},
	} {
		if r.rate < 0 || r.rate > 1 {
			errs = append(errs, fmt.Errorf("the %s rate %v is not in [0, 1]", r.name, r.rate))
		}
		sum += r.rate
	}
	if sum > 1+1e-9 {
		errs = append(errs, fmt.Errorf("the rates add up to %v, more than 1", sum))
	}
	for _, st := range rf.Statuses5xx {
		if st < 500 || st > 599 {
			errs = append(errs, fmt.Errorf("status %d is not a 5xx", st))
		}
	}
	if rf.RetryAfter < 0 {
		errs = append(errs, errors.New("a negative Retry-After"))
	}
	if rf.LatencyMin < 0 || rf.LatencyMax < rf.LatencyMin {
		errs = append(errs, fmt.Errorf("the latency range [%v, %v] is empty or negative", rf.LatencyMin, rf.LatencyMax))
	}
	return errors.Join(errs...)
}

func (rf RandomFaults) withDefaults() RandomFaults {
	if len(rf.Statuses5xx) == 0 {
		rf.Statuses5xx = defaultStatuses5xx
	}
	rf.Statuses5xx = slices.Clone(rf.Statuses5xx)
	if rf.RetryAfter == 0 {
		rf.RetryAfter = time.Second
	}
	if rf.LatencyMax == 0 {
		rf.LatencyMax = rf.LatencyMin
	}
	return rf
}

// randomDecision is what the random mode chose for one request.
type randomDecision struct {
	seq        int    // 1 for the stream's first decision
	fault      string // one of the FaultRandom* kinds but latency, or ""
	status     int    // of a random 5xx
	retryAfter time.Duration
	delay      time.Duration
}

// faultStream is one route's sequence of decisions under one configuration.
type faultStream struct {
	cfg RandomFaults
	rng *rand.Rand
	n   int // decisions drawn so far
}

// newFaultStream seeds a stream from (seed, route): each route has its own
// sequence, so traffic on one route never shifts the faults of another.
func newFaultStream(cfg RandomFaults, route string) *faultStream {
	h := fnv.New64a()
	_, _ = h.Write([]byte(route))
	return &faultStream{cfg: cfg, rng: rand.New(rand.NewPCG(uint64(cfg.Seed), h.Sum64()))} //nolint:gosec // a replayable test sequence, not a secret
}

// next draws the stream's next decision. It always takes the same three
// values from the generator, whatever they decide, so the n-th decision
// depends on the seed, the route and n only.
func (st *faultStream) next() randomDecision {
	kind, lat, pick := st.rng.Float64(), st.rng.Float64(), st.rng.Uint64()
	st.n++
	c := st.cfg
	d := randomDecision{seq: st.n, retryAfter: c.RetryAfter}
	if span := c.LatencyMax - c.LatencyMin; span > 0 {
		d.delay = c.LatencyMin + time.Duration(lat*float64(span+1))
	} else {
		d.delay = c.LatencyMin
	}
	switch {
	case kind < c.Rate5xx:
		d.fault = FaultRandom5xx
		d.status = c.Statuses5xx[pick%uint64(len(c.Statuses5xx))]
	case kind < c.Rate5xx+c.RateResetBeforeCommit:
		d.fault = FaultRandomResetBefore
	case kind < c.Rate5xx+c.RateResetBeforeCommit+c.RateResetAfterCommit:
		d.fault = FaultRandomResetAfterCommit
	case kind < c.Rate5xx+c.RateResetBeforeCommit+c.RateResetAfterCommit+c.Rate429:
		d.fault = FaultRandom429
	}
	return d
}

// randomMode holds the configuration for every route (all), the routes
// that have their own (perRoute), and the streams drawn so far.
type randomMode struct {
	all      *RandomFaults
	perRoute map[string]RandomFaults
	streams  map[string]*faultStream
}

// SetRandomFaults turns the seeded random mode on for route, or for every
// route when route is "". A route's own configuration wins over the one
// for every route, whenever either was set; one with zero rates and no
// latency exempts the route. Setting a configuration starts the sequences
// it governs afresh from their first decision, so setting the same
// configuration at the same point of a run replays the same faults.
func (s *Server) SetRandomFaults(route string, rf RandomFaults) error {
	if route != "" && !slices.Contains(Routes(), route) {
		return fmt.Errorf("unknown route %q (want a template such as %q, or \"\" for every route)", route, RouteCreateInstance)
	}
	rf = rf.withDefaults()
	if err := rf.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &s.random
	if m.perRoute == nil {
		m.perRoute, m.streams = map[string]RandomFaults{}, map[string]*faultStream{}
	}
	if route != "" {
		m.perRoute[route] = rf
		delete(m.streams, route)
		return nil
	}
	m.all = &rf
	for r := range m.streams {
		if _, own := m.perRoute[r]; !own {
			delete(m.streams, r)
		}
	}
	return nil
}

// ClearRandomFaults turns the random mode off on every route.
func (s *Server) ClearRandomFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.random = randomMode{}
}

// RandomFaultConfig returns the random configuration for every route (nil
// when none) and the routes' own, as set: a log of a run can show the seed
// that replays it.
func (s *Server) RandomFaultConfig() (all *RandomFaults, perRoute map[string]RandomFaults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.random.all != nil {
		c := *s.random.all
		all = &c
	}
	return all, maps.Clone(s.random.perRoute)
}

// drawRandom takes route's next decision; s.mu is held. It is called once
// per request, in the order requests reach the fault layer.
func (s *Server) drawRandom(route string) (randomDecision, bool) {
	m := &s.random
	st := m.streams[route]
	if st == nil {
		cfg, own := m.perRoute[route]
		if !own {
			if m.all == nil {
				return randomDecision{}, false
			}
			cfg = *m.all
		}
		st = newFaultStream(cfg, route)
		m.streams[route] = st
	}
	return st.next(), true
}

// FaultCounts counts the faults injected since the last ResetCounters, by
// kind (the Fault* names). Scripted faults, the per-token rate limit and
// the random mode are all counted.
func (s *Server) FaultCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.faultCounts)
}

// injected counts a fault of kind before it is answered, so that a client
// that saw it also sees it counted; it returns kind.
func (s *Server) injected(kind string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultCounts[kind]++
	return kind
}

func writeRandom5xx(w http.ResponseWriter, status int) {
	writeError(w, newError(status, http.StatusText(status)+" (injected by gandisim at random)."))
}

func writeRandom429(w http.ResponseWriter, retryAfter time.Duration) {
	e := newError(http.StatusTooManyRequests, "Too many requests, slow down (injected by gandisim at random).")
	e.retryAfter = retryAfter
	writeError(w, e)
}
