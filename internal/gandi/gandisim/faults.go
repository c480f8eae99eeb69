package gandisim

import (
	"net/http"
	"strings"
	"time"
)

type faultKind int

const (
	faultFail faultKind = iota
	faultReset
	faultCommitThenDrop
	faultDropThenCommit
)

// fault is one entry of a route's FIFO: the next `remaining` requests of the
// route get it, then the next entry applies. A queue (rather than one slot per
// kind) lets a test script "503, reset, then success" in order.
type fault struct {
	kind       faultKind
	remaining  int
	status     int
	retryAfter time.Duration
	// after is how long a faultDropThenCommit waits before it performs
	// the request.
	after time.Duration
	// paidOnly faults pass over Dry-Run requests: a test of a lost paid
	// create must not spend its fault on the validation that precedes it.
	paidOnly bool
}

func (s *Server) pushFault(route string, f *fault) {
	if f.remaining <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = append(s.faults[route], f)
}

// FailNext answers the next n requests of route with status and Gandi's error
// body (plus Retry-After when retryAfter > 0), without touching state. A 204
// is sent bare: that is how POST .../action says "could not be performed".
func (s *Server) FailNext(route string, n int, status int, retryAfter time.Duration) {
	s.pushFault(route, &fault{kind: faultFail, remaining: n, status: status, retryAfter: retryAfter})
}

// FailNextPaid is FailNext for the next n requests of route that are not
// Dry-Run validations: the paid create itself is refused.
func (s *Server) FailNextPaid(route string, n int, status int, retryAfter time.Duration) {
	s.pushFault(route, &fault{kind: faultFail, remaining: n, status: status, retryAfter: retryAfter, paidOnly: true})
}

// ResetNext closes the connection of the next n requests of route without
// answering and without touching state.
func (s *Server) ResetNext(route string, n int) {
	s.pushFault(route, &fault{kind: faultReset, remaining: n})
}

// ResetNextPaid is ResetNext for the next n requests of route that are not
// Dry-Run validations: the paid create is lost before Gandi acts.
func (s *Server) ResetNextPaid(route string, n int) {
	s.pushFault(route, &fault{kind: faultReset, remaining: n, paidOnly: true})
}

// CommitThenDrop performs the next n requests of route fully, then closes the
// connection without answering: the answer is lost but the change happened.
func (s *Server) CommitThenDrop(route string, n int) {
	s.pushFault(route, &fault{kind: faultCommitThenDrop, remaining: n})
}

// CommitThenDropPaid is CommitThenDrop for the next n requests of route that
// are not Dry-Run validations: the create is committed (and paid), the
// answer lost.
func (s *Server) CommitThenDropPaid(route string, n int) {
	s.pushFault(route, &fault{kind: faultCommitThenDrop, remaining: n, paidOnly: true})
}

// DropThenCommitPaid drops the connection of the next n requests of route
// that are not Dry-Run validations at once, without an answer, and
// performs each of them after: Gandi was still working on it when the
// client lost it, and lists what it made only then.
func (s *Server) DropThenCommitPaid(route string, n int, after time.Duration) {
	s.pushFault(route, &fault{kind: faultDropThenCommit, remaining: n, after: after, paidOnly: true})
}

// SetLatency delays every request of route by d before anything else; 0
// removes the delay.
func (s *Server) SetLatency(route string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.latency, route)
		return
	}
	s.latency[route] = d
}

// ClearFaults removes every route fault and latency, the random mode, and
// the namespace and dispatch failures. Held dispatches stay held (see
// HoldDispatches).
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.random = randomMode{}
	s.faults = map[string][]*fault{}
	s.latency = map[string]time.Duration{}
	s.failNS = map[string]string{}
	s.failDisp = ""
}

func (s *Server) popFault(route string, dryRun bool) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[route]
	if len(q) == 0 || (dryRun && q[0].paidOnly) {
		return nil
	}
	f := *q[0]
	q[0].remaining--
	if q[0].remaining <= 0 {
		q = q[1:]
	}
	if len(q) == 0 {
		delete(s.faults, route)
	} else {
		s.faults[route] = q
	}
	return &f
}

func writeFault(w http.ResponseWriter, f *fault) {
	msg := http.StatusText(f.status)
	if msg == "" {
		msg = "Injected failure"
	}
	e := newError(f.status, msg+" (injected by gandisim).")
	e.retryAfter = f.retryAfter
	writeError(w, e)
}

// rateWindow counts one token's requests in a fixed one-minute window.
type rateWindow struct {
	start time.Time
	count int
}

// rateLimited applies the per-token limit. Requests without a credential share
// one bucket, so an unauthenticated flood is limited too.
func (s *Server) rateLimited(r *http.Request) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rateLimit <= 0 {
		return 0, false
	}
	_, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	now := s.now()
	win := s.rateWindows[key]
	if win == nil || now.Sub(win.start) >= time.Minute {
		win = &rateWindow{start: now}
		s.rateWindows[key] = win
	}
	if win.count >= s.rateLimit {
		return win.start.Add(time.Minute).Sub(now), true
	}
	win.count++
	return 0, false
}
