package gandisim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Timings sets how long each transitional state lasts. Transitions are
// computed from timestamps whenever the state is looked at, so a change of
// Timings also applies to objects already in flight.
type Timings struct {
	// waiting_bill -> being_created -> active; DELETE -> being_deleted -> gone (404).
	InstanceWaitingBill, InstanceBeingCreated, InstanceBeingDeleted time.Duration
	// being_created -> running (or waiting_ownership); being_deleted -> gone.
	VhostBeingCreated, VhostBeingDeleted time.Duration
	// ownership_validated -> running.
	VhostOwnershipValidated time.Duration
	// VhostValidationTimeout is how long a vhost stays waiting_ownership
	// without its proof in the simulated DNS before validation_failed.
	VhostValidationTimeout time.Duration
	// A vhost application: being_created -> running, counted from when the vhost runs.
	ApplicationBeingCreated time.Duration
	// Each namespace task of a dispatch goes 0 -> 10 -> 20 (or 30), one step per
	// DispatchStep; namespaces run one after another.
	DispatchStep time.Duration
	// PaasRenew is how long paas.renew's operations run: date_end moves
	// when they finish, not when Gandi answers.
	PaasRenew time.Duration
	// PaasUpdate is how long paas.update's operations run: its name,
	// size, quantity, snapshot_profile and console show when they finish,
	// not when Gandi answers.
	PaasUpdate time.Duration
	// InstanceUpdate is how long an accepted instance PATCH (202) takes
	// to show: a GET shows the instance as it was until then.
	InstanceUpdate time.Duration
}

// FastTimings are short enough for tests yet long enough for a poller to see
// every transitional state at least once.
func FastTimings() Timings {
	return Timings{
		InstanceWaitingBill:     50 * time.Millisecond,
		InstanceBeingCreated:    150 * time.Millisecond,
		InstanceBeingDeleted:    100 * time.Millisecond,
		VhostBeingCreated:       100 * time.Millisecond,
		VhostBeingDeleted:       100 * time.Millisecond,
		VhostOwnershipValidated: 50 * time.Millisecond,
		VhostValidationTimeout:  30 * time.Second,
		ApplicationBeingCreated: 100 * time.Millisecond,
		DispatchStep:            50 * time.Millisecond,
		PaasRenew:               50 * time.Millisecond,
		PaasUpdate:              50 * time.Millisecond,
		InstanceUpdate:          50 * time.Millisecond,
	}
}

// DefaultTimings are the binary's defaults: slow enough to watch a demo.
func DefaultTimings() Timings {
	return Timings{
		InstanceWaitingBill:     2 * time.Second,
		InstanceBeingCreated:    10 * time.Second,
		InstanceBeingDeleted:    5 * time.Second,
		VhostBeingCreated:       3 * time.Second,
		VhostBeingDeleted:       3 * time.Second,
		VhostOwnershipValidated: 2 * time.Second,
		VhostValidationTimeout:  10 * time.Minute,
		ApplicationBeingCreated: 5 * time.Second,
		DispatchStep:            2 * time.Second,
		PaasRenew:               3 * time.Second,
		PaasUpdate:              5 * time.Second,
		InstanceUpdate:          10 * time.Second,
	}
}

// Options configure a Server.
type Options struct {
	Timings Timings
	// RateLimitPerMinute answers 429 with Retry-After once a token has made that
	// many requests in the current minute; 0 turns the limit off.
	RateLimitPerMinute int
	// IPRateLimitPerMinute answers 429 with Retry-After once a client IP has
	// sent that many requests in the last minute (a sliding window, every
	// token together, as Gandi limits per IP); 0 turns the limit off. The
	// requests are counted either way (RequestsByIP, PeakPerMinuteByIP).
	IPRateLimitPerMinute int
	// DefaultPerPage is the page size when per_page is absent (100 when 0).
	DefaultPerPage int
	// OnRequest, when set, is called after every API request (not /_sim/).
	// It never receives credentials.
	OnRequest func(RequestLog)
}

// RequestLog describes one answered (or dropped) API request.
type RequestLog struct {
	Method   string
	Route    string // route template, "" when no route matched
	Status   int    // 0 when the connection was dropped
	Fault    string // one of the Fault* names but FaultRandomLatency, or ""
	Duration time.Duration
	// RandomSeq numbers the decision the random mode drew for this request
	// on its route (1 for the first since the configuration was set), 0
	// when the mode is off for the route: with the seed, it says which
	// decision to look at when replaying a run.
	RandomSeq int
	// RandomDelay is the latency the random mode added.
	RandomDelay time.Duration
}

// Server is an in-memory Gandi v5 API. It implements http.Handler and is safe
// for concurrent use.
type Server struct {
	mux       *http.ServeMux
	onRequest func(RequestLog)

	mu      sync.Mutex
	now     func() time.Time
	timings Timings
	perPage int

	accounts   map[string]*Account // by token
	orgNames   map[string]string
	instances  map[string]*instance
	templates  map[string]*template
	domains    map[string]*domain // by id
	dispatches map[string]*dispatch
	seq        int64

	faults      map[string][]*fault
	latency     map[string]time.Duration
	failNS      map[string]string
	failDisp    string
	holdDisp    bool
	rateLimit   int
	rateWindows map[string]*rateWindow
	ipRateLimit int
	ipWindows   map[string]*ipWindow // by client IP
	random      randomMode

	requests    map[string]int
	faultCounts map[string]int
	writes      int
	paidCreates int
	dispatched  int
	// passwordChanges counts instance PATCHes that set a password (the
	// password sent with the create is not one); vhostCreates counts vhost
	// POSTs that created a vhost.
	passwordChanges int
	// paidChanges counts instance PATCHes that carry a field that can
	// induce a payment (size, storage_additional_size, booster,
	// booster_options).
	paidChanges  int
	vhostCreates int

	paas paasState // the XML-RPC API's objects and counters
}

// New returns an empty simulator: no accounts, no objects.
func New(opts Options) *Server {
	s := &Server{
		mux:         http.NewServeMux(),
		onRequest:   opts.OnRequest,
		now:         time.Now,
		timings:     opts.Timings,
		perPage:     opts.DefaultPerPage,
		accounts:    map[string]*Account{},
		orgNames:    map[string]string{},
		instances:   map[string]*instance{},
		templates:   map[string]*template{},
		domains:     map[string]*domain{},
		dispatches:  map[string]*dispatch{},
		faults:      map[string][]*fault{},
		latency:     map[string]time.Duration{},
		failNS:      map[string]string{},
		rateLimit:   opts.RateLimitPerMinute,
		rateWindows: map[string]*rateWindow{},
		ipRateLimit: opts.IPRateLimitPerMinute,
		ipWindows:   map[string]*ipWindow{},
		requests:    map[string]int{},
		faultCounts: map[string]int{},
	}
	if s.perPage <= 0 {
		s.perPage = 100
	}
	s.paas.init()
	s.registerRoutes()
	return s
}

// SetTimings replaces the lifecycle durations, also for objects in flight.
func (s *Server) SetTimings(t Timings) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.now())
	s.timings = t
}

// SetRateLimit changes the per-token limit per minute; 0 turns it off.
func (s *Server) SetRateLimit(perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimit = perMinute
	s.rateWindows = map[string]*rateWindow{}
}

// ServeHTTP runs the fault layer, then the route's handler: latency (set
// and random), the per-IP rate limit, the per-token rate limit, a scripted
// fault, a random fault.
// The first of these that answers wins; a random decision is drawn for
// every request all the same, so that the rate limit or a scripted fault
// never shifts the random sequence. The control API under /_sim/ bypasses
// all of it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveControl(w, r)
		return
	}
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	entry := RequestLog{Method: r.Method}
	defer func() {
		if s.onRequest != nil {
			entry.Status = sw.status
			entry.Duration = time.Since(start)
			s.onRequest(entry)
		}
	}()

	// Every API request counts against its IP, whatever it asks; the
	// verdict is applied where the fault layer of its API applies faults.
	ipLimit := s.ipArrival(r)
	if r.URL.Path == XMLRPCPath || r.URL.Path == strings.TrimSuffix(XMLRPCPath, "/") {
		s.serveXMLRPC(sw, w, r, &entry, ipLimit)
		return
	}
	_, route := s.mux.Handler(r)
	if route == "" {
		if !s.answerIPLimit(sw, ipLimit, &entry) {
			s.noRoute(sw, r)
		}
		return
	}
	entry.Route = route

	s.mu.Lock()
	s.requests[route]++
	dec, random := s.drawRandom(route)
	delay := s.latency[route] + dec.delay
	if dec.delay > 0 {
		s.faultCounts[FaultRandomLatency]++
	}
	s.mu.Unlock()
	entry.RandomSeq, entry.RandomDelay = dec.seq, dec.delay
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}

	answered, drop, rst := s.injectFault(w, sw, r, route, dec, random, ipLimit, &entry)
	if answered {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.mu.Lock()
		s.writes++
		s.mu.Unlock()
	}
	if drop {
		s.mux.ServeHTTP(&discardWriter{header: http.Header{}}, r)
		dropConnection(w, rst)
		return
	}
	s.mux.ServeHTTP(sw, r)
}

// injectFault applies, after the latency, the first fault due: the
// per-IP rate limit, the per-token rate limit, a scripted fault, the random decision dec (when
// random). It reports whether it answered (or dropped) the request, or
// else whether the request is to be performed and its connection then
// dropped (with a reset when rst), and names the fault in entry.
func (s *Server) injectFault(w http.ResponseWriter, sw *statusWriter, r *http.Request, route string, dec randomDecision, random bool, ipLimit ipVerdict, entry *RequestLog) (answered, drop, rst bool) {
	if s.answerIPLimit(sw, ipLimit, entry) {
		return true, false, false
	}
	if retry, limited := s.rateLimited(r); limited {
		entry.Fault = s.injected(FaultRateLimited)
		e := newError(http.StatusTooManyRequests, "Too many requests, slow down.")
		e.retryAfter = retry
		writeError(sw, e)
		return true, false, false
	}
	if f := s.popFault(route, r.Header.Get("Dry-Run") == "1"); f != nil {
		switch f.kind {
		case faultFail:
			entry.Fault = s.injected(FaultFail)
			writeFault(sw, f)
			return true, false, false
		case faultReset:
			entry.Fault = s.injected(FaultReset)
			dropConnection(w, true)
			return true, false, false
		case faultDropThenCommit:
			entry.Fault = s.injected(FaultDropThenCommit)
			s.commitLater(r, f.after)
			dropConnection(w, true)
			return true, false, false
		default:
			entry.Fault = s.injected(FaultCommitThenDrop)
			return false, true, false
		}
	}
	if !random || dec.fault == "" {
		return false, false, false
	}
	entry.Fault = s.injected(dec.fault)
	switch dec.fault {
	case FaultRandom5xx:
		writeRandom5xx(sw, dec.status)
	case FaultRandomResetBefore:
		dropConnection(w, true)
	case FaultRandom429:
		writeRandom429(sw, dec.retryAfter)
	default: // FaultRandomResetAfterCommit
		return false, true, true
	}
	return true, false, false
}

// commitLater performs r after d, detached from its connection, which is
// about to be dropped: the body is read now, while it can be.
func (s *Server) commitLater(r *http.Request, d time.Duration) {
	body, _ := io.ReadAll(r.Body)
	later := r.Clone(context.WithoutCancel(r.Context()))
	time.AfterFunc(d, func() {
		later.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.writes++
		s.mu.Unlock()
		s.mux.ServeHTTP(&discardWriter{header: http.Header{}}, later)
	})
}

// noRoute answers with Gandi's error body rather than net/http's plain text,
// and tells a wrong method (405) from an unknown path (404).
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, newError(http.StatusMethodNotAllowed, "The method is not allowed for the requested URL."))
		return
	}
	writeError(w, newError(http.StatusNotFound, "The requested URL was not found on the server."))
}

// call carries one request through a handler; handlers run with s.mu held.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	route string
	body  []byte
	now   time.Time
	p     *principal
}

// base is the simulator's own API base as the client reached it, so that
// Location headers and hrefs are absolute like Gandi's.
func (c *call) base() string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host
}

func (c *call) isWrite() bool {
	return c.r.Method != http.MethodGet && c.r.Method != http.MethodHead
}

const maxBody = 1 << 20

func (s *Server) handle(route string, h func(*call)) {
	s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			writeError(w, newError(http.StatusBadRequest, "Could not read the request body."))
			return
		}
		if len(body) > maxBody {
			writeError(w, newError(http.StatusRequestEntityTooLarge, "The request body is too large."))
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		c := &call{s: s, w: w, r: r, route: route, body: body, now: s.now()}
		s.advance(c.now)
		p, aerr := s.authenticate(r)
		if aerr != nil {
			c.fail(aerr)
			return
		}
		if c.isWrite() && p.acct.ReadOnly {
			c.fail(newError(http.StatusForbidden, "The token does not have the permission to perform this operation."))
			return
		}
		c.p = p
		h(c)
	})
}

func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}
