package gandisim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// mixed injects every kind of random fault often enough to see each in a
// few dozen requests.
func mixed(seed int64) RandomFaults {
	return RandomFaults{Seed: seed, Rate5xx: 0.2, RateResetBeforeCommit: 0.1, RateResetAfterCommit: 0.1, Rate429: 0.15, RetryAfter: 3 * time.Second}
}

// recorder keeps the request log of an env, route by route.
type recorder struct {
	mu   sync.Mutex
	logs []RequestLog
}

func (r *recorder) add(l RequestLog) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, l)
}

func (r *recorder) of(route string) []RequestLog {
	r.mu.Lock()
	defer r.mu.Unlock()
	var logs []RequestLog
	for _, l := range r.logs {
		if l.Route == route {
			logs = append(logs, l)
		}
	}
	return logs
}

// faults lists the fault of each of the n requests of route, in arrival
// order: the order of the random decisions, since a log entry is written
// once the answer is gone, and a client may have sent its next request (or
// read the log) before that.
func (r *recorder) faults(t *testing.T, route string, n int) []string {
	t.Helper()
	eventually(t, fmt.Sprintf("%d log entries of %s", n, route), func() bool { return len(r.of(route)) >= n })
	logs := r.of(route)
	slices.SortStableFunc(logs, func(a, b RequestLog) int { return a.RandomSeq - b.RandomSeq })
	out := make([]string, len(logs))
	for i, l := range logs {
		out[i] = l.Fault
	}
	return out
}

func newRecordedEnv(t *testing.T) (*env, *recorder) {
	t.Helper()
	rec := &recorder{}
	return newEnvWith(t, Options{Timings: FastTimings(), OnRequest: rec.add}), rec
}

// outcome is what a client saw of one request, checked against the kind the
// simulator says it injected.
func outcome(t *testing.T, e *env, method, path string, body any) string {
	t.Helper()
	r, err := e.try(method, path, bearer(tokAlice), body)
	switch {
	case err != nil:
		return "dropped"
	case r.status == http.StatusTooManyRequests:
		expectGandiError(t, r, r.status)
		if r.header.Get("Retry-After") != "3" {
			t.Fatalf("429 with Retry-After %q", r.header.Get("Retry-After"))
		}
		return "429"
	case r.status >= 500:
		expectGandiError(t, r, r.status)
		return "5xx"
	}
	return fmt.Sprint(r.status)
}

// run sends n GETs of the instance list one after another and returns what
// the client saw and what the simulator logged.
func runList(t *testing.T, e *env, rec *recorder, n int) (seen, logged []string) {
	t.Helper()
	for range n {
		seen = append(seen, outcome(t, e, "GET", "/v5/simplehosting/instances", nil))
	}
	return seen, rec.faults(t, RouteListInstances, n)
}

func TestRandomFaultsReplayFromSeed(t *testing.T) {
	const n = 120
	run := func(seed int64) (seen, logged []string, counts map[string]int) {
		e, rec := newRecordedEnv(t)
		if err := e.sim.SetRandomFaults("", mixed(seed)); err != nil {
			t.Fatal(err)
		}
		seen, logged = runList(t, e, rec, n)
		return seen, logged, e.sim.FaultCounts()
	}
	seen1, logged1, counts1 := run(42)
	seen2, logged2, counts2 := run(42)
	if !slices.Equal(logged1, logged2) || !slices.Equal(seen1, seen2) {
		t.Fatalf("the same seed gave two sequences:\n%v\n%v", logged1, logged2)
	}
	if fmt.Sprint(counts1) != fmt.Sprint(counts2) {
		t.Fatalf("the same seed gave two counts: %v, %v", counts1, counts2)
	}
	_, logged3, _ := run(43)
	if slices.Equal(logged1, logged3) {
		t.Fatalf("seeds 42 and 43 gave the same sequence")
	}

	// What the client saw is what the simulator says it injected, and
	// every kind shows up.
	want := map[string]string{
		"": "200", FaultRandom5xx: "5xx", FaultRandom429: "429",
		FaultRandomResetBefore: "dropped", FaultRandomResetAfterCommit: "dropped",
	}
	for i, f := range logged1 {
		if seen1[i] != want[f] {
			t.Fatalf("request %d: injected %q, the client saw %s", i, f, seen1[i])
		}
	}
	total := 0
	for _, kind := range []string{FaultRandom5xx, FaultRandomResetBefore, FaultRandomResetAfterCommit, FaultRandom429} {
		if counts1[kind] == 0 {
			t.Fatalf("no %s in %d requests: %v", kind, n, counts1)
		}
		total += counts1[kind]
	}
	if total == n || counts1[FaultRandomLatency] != 0 {
		t.Fatalf("counts %v", counts1)
	}
}

// Each route draws from its own sequence: traffic on one route does not
// shift the faults of another, whatever the interleaving.
func TestRandomFaultsPerRouteSequences(t *testing.T) {
	const n = 60
	alone, rec := newRecordedEnv(t)
	if err := alone.sim.SetRandomFaults("", mixed(7)); err != nil {
		t.Fatal(err)
	}
	_, want := runList(t, alone, rec, n)

	mixedEnv, rec2 := newRecordedEnv(t)
	if err := mixedEnv.sim.SetRandomFaults("", mixed(7)); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		for range i % 3 {
			outcome(t, mixedEnv, "GET", "/v5/simplehosting/applications", nil)
		}
		outcome(t, mixedEnv, "GET", "/v5/simplehosting/instances", nil)
	}
	if got := rec2.faults(t, RouteListInstances, n); !slices.Equal(got, want) {
		t.Fatalf("traffic on another route shifted the sequence:\n%q\n%q", got, want)
	}
	if slices.Equal(rec2.faults(t, RouteListApplications, n)[:n], want) {
		t.Fatalf("two routes drew the same sequence")
	}
}

func TestRandomFaultsPerRouteConfig(t *testing.T) {
	e, _ := newRecordedEnv(t)
	if err := e.sim.SetRandomFaults("", RandomFaults{Seed: 1, Rate5xx: 1}); err != nil {
		t.Fatal(err)
	}
	// A route's own configuration wins, here to exempt it.
	if err := e.sim.SetRandomFaults(RouteListApplications, RandomFaults{}); err != nil {
		t.Fatal(err)
	}
	if err := e.sim.SetRandomFaults(RouteGetApplication, RandomFaults{Seed: 1, Rate429: 1, RetryAfter: 3 * time.Second}); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if got := outcome(t, e, "GET", "/v5/simplehosting/instances", nil); got != "5xx" {
			t.Fatalf("every-route config: %s", got)
		}
		if got := outcome(t, e, "GET", "/v5/simplehosting/applications", nil); got != "200" {
			t.Fatalf("exempted route: %s", got)
		}
		if got := outcome(t, e, "GET", "/v5/simplehosting/applications/wordpress", nil); got != "429" {
			t.Fatalf("own config: %s", got)
		}
	}
	// Setting the every-route configuration again leaves routes with their
	// own alone.
	if err := e.sim.SetRandomFaults("", RandomFaults{}); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	expectGandiError(t, e.get("/v5/simplehosting/applications/wordpress"), http.StatusTooManyRequests)
	all, perRoute := e.sim.RandomFaultConfig()
	if all == nil || len(perRoute) != 2 || perRoute[RouteGetApplication].Rate429 != 1 {
		t.Fatalf("config: %+v %+v", all, perRoute)
	}

	e.sim.ClearFaults()
	expectStatus(t, e.get("/v5/simplehosting/applications/wordpress"), http.StatusOK)
	if all, perRoute := e.sim.RandomFaultConfig(); all != nil || len(perRoute) != 0 {
		t.Fatalf("ClearFaults left the random mode: %+v %+v", all, perRoute)
	}
}

// A reset before commit does nothing, a reset after commit does everything
// but answer, and a random 5xx does nothing: a client may take a 5xx with
// Gandi's body as "not performed".
func TestRandomFaultsCommitOrNot(t *testing.T) {
	for _, tc := range []struct {
		rf        RandomFaults
		seen      string
		committed bool
	}{
		{RandomFaults{Rate5xx: 1, Statuses5xx: []int{502}}, "5xx", false},
		{RandomFaults{RateResetBeforeCommit: 1}, "dropped", false},
		{RandomFaults{RateResetAfterCommit: 1}, "dropped", true},
	} {
		e, rec := newRecordedEnv(t)
		if err := e.sim.SetRandomFaults(RouteCreateInstance, tc.rf); err != nil {
			t.Fatal(err)
		}
		if got := outcome(t, e, "POST", "/v5/simplehosting/instances", validCreate()); got != tc.seen {
			t.Fatalf("%+v: the client saw %s", tc.rf, got)
		}
		n := len(e.sim.Instances())
		if (n == 1) != tc.committed || e.sim.PaidCreates() != n || e.sim.Writes() != n {
			t.Fatalf("%+v: %d instances, %d paid, %d writes", tc.rf, n, e.sim.PaidCreates(), e.sim.Writes())
		}
		if f := rec.faults(t, RouteCreateInstance, 1); len(f) != 1 || e.sim.FaultCounts()[f[0]] != 1 {
			t.Fatalf("%+v: logged %v, counted %v", tc.rf, f, e.sim.FaultCounts())
		}
	}
}

// Scripted faults and the rate limit answer first, and the random decision
// of that request is drawn all the same.
func TestRandomFaultsUnderScriptedFaults(t *testing.T) {
	_, want := func() (*env, []string) {
		e, rec := newRecordedEnv(t)
		if err := e.sim.SetRandomFaults("", mixed(5)); err != nil {
			t.Fatal(err)
		}
		_, logged := runList(t, e, rec, 20)
		return e, logged
	}()
	e, rec := newRecordedEnv(t)
	if err := e.sim.SetRandomFaults("", mixed(5)); err != nil {
		t.Fatal(err)
	}
	e.sim.FailNext(RouteListInstances, 3, http.StatusTeapot, 0)
	runList(t, e, rec, 20)
	got := rec.faults(t, RouteListInstances, 20)
	if !slices.Equal(got[:3], []string{FaultFail, FaultFail, FaultFail}) || !slices.Equal(got[3:], want[3:]) {
		t.Fatalf("scripted faults shifted the random sequence:\n%v\n%v", got, want)
	}
	if c := e.sim.FaultCounts(); c[FaultFail] != 3 {
		t.Fatalf("counts %v", c)
	}
	e.sim.ResetCounters()
	if c := e.sim.FaultCounts(); len(c) != 0 {
		t.Fatalf("ResetCounters left %v", c)
	}
}

func TestRandomLatencyRange(t *testing.T) {
	st := newFaultStream(RandomFaults{Seed: 3, LatencyMin: 10 * time.Millisecond, LatencyMax: 30 * time.Millisecond}.withDefaults(), RouteGetInstance)
	lo, hi := time.Hour, time.Duration(0)
	for range 2000 {
		d := st.next()
		if d.fault != "" {
			t.Fatalf("latency alone injected %q", d.fault)
		}
		lo, hi = min(lo, d.delay), max(hi, d.delay)
	}
	if lo < 10*time.Millisecond || hi > 30*time.Millisecond || hi-lo < 19*time.Millisecond {
		t.Fatalf("latencies in [%v, %v], want to cover [10ms, 30ms]", lo, hi)
	}
	if d := newFaultStream(RandomFaults{LatencyMin: 5 * time.Millisecond}.withDefaults(), "").next().delay; d != 5*time.Millisecond {
		t.Fatalf("fixed latency %v", d)
	}

	e, rec := newRecordedEnv(t)
	if err := e.sim.SetRandomFaults(RouteListApplications, RandomFaults{LatencyMin: 40 * time.Millisecond, LatencyMax: 60 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	expectStatus(t, e.get("/v5/simplehosting/applications"), http.StatusOK)
	took := time.Since(start)
	rec.faults(t, RouteListApplications, 1)
	l := rec.of(RouteListApplications)[0]
	if l.RandomSeq != 1 || l.RandomDelay < 40*time.Millisecond || l.RandomDelay > 60*time.Millisecond || took < l.RandomDelay {
		t.Fatalf("log %+v, answered after %v", l, took)
	}
	if c := e.sim.FaultCounts(); c[FaultRandomLatency] != 1 {
		t.Fatalf("counts %v", c)
	}
}

// The rates come out as configured over many draws (the draws are
// deterministic, so the bounds cannot flake).
func TestRandomFaultRates(t *testing.T) {
	st := newFaultStream(RandomFaults{Seed: 11, Rate5xx: 0.1, RateResetBeforeCommit: 0.025, RateResetAfterCommit: 0.025, Rate429: 0.05}.withDefaults(), RouteGetVhost)
	counts := map[string]int{}
	statuses := map[int]bool{}
	const n = 20000
	for range n {
		d := st.next()
		counts[d.fault]++
		if d.fault == FaultRandom5xx {
			statuses[d.status] = true
		}
	}
	for kind, rate := range map[string]float64{FaultRandom5xx: 0.1, FaultRandomResetBefore: 0.025, FaultRandomResetAfterCommit: 0.025, FaultRandom429: 0.05} {
		if got := float64(counts[kind]) / n; got < rate*0.85 || got > rate*1.15 {
			t.Fatalf("%s at %.4f, want %.3f", kind, got, rate)
		}
	}
	if len(statuses) != len(defaultStatuses5xx) {
		t.Fatalf("5xx statuses drawn: %v", statuses)
	}
}

func TestRandomFaultsRefused(t *testing.T) {
	e := newEnv(t)
	for _, rf := range []RandomFaults{
		{Rate5xx: -0.1},
		{Rate429: 1.5},
		{Rate5xx: 0.6, RateResetAfterCommit: 0.5},
		{Rate5xx: 0.1, Statuses5xx: []int{404}},
		{RetryAfter: -time.Second},
		{LatencyMin: 20 * time.Millisecond, LatencyMax: 10 * time.Millisecond},
		{LatencyMin: -time.Millisecond},
	} {
		if err := e.sim.SetRandomFaults("", rf); err == nil {
			t.Fatalf("%+v accepted", rf)
		}
	}
	if err := e.sim.SetRandomFaults("GET /nowhere", RandomFaults{}); err == nil || !strings.Contains(err.Error(), "unknown route") {
		t.Fatalf("unknown route: %v", err)
	}
	if all, perRoute := e.sim.RandomFaultConfig(); all != nil || len(perRoute) != 0 {
		t.Fatalf("a refused configuration was kept")
	}
}

func TestRandomFaultsControlAPI(t *testing.T) {
	e, rec := newRecordedEnv(t)
	ctl := func(method, path string, body any) resp { return e.request(method, path, "", body) }

	cfg := map[string]any{"seed": 42, "rate_5xx": 0.2, "rate_reset_before_commit": 0.1, "rate_reset_after_commit": 0.1, "rate_429": 0.15, "retry_after": "3s"}
	expectStatus(t, ctl("POST", "/_sim/random", cfg), http.StatusNoContent)
	_, viaAPI := runList(t, e, rec, 40)

	direct, rec2 := newRecordedEnv(t)
	if err := direct.sim.SetRandomFaults("", mixed(42)); err != nil {
		t.Fatal(err)
	}
	if _, want := runList(t, direct, rec2, 40); !slices.Equal(viaAPI, want) {
		t.Fatalf("the control API and the method disagree:\n%v\n%v", viaAPI, want)
	}

	got := ctl("GET", "/_sim/random", nil).obj(t)
	all, _ := got["all"].(map[string]any)
	if seed, _ := asInt(all["seed"]); seed != 42 || all["retry_after"] != "3s" {
		t.Fatalf("GET /_sim/random: %v", got)
	}
	faults, _ := ctl("GET", "/_sim/counters", nil).obj(t)["faults"].(map[string]any)
	if n, _ := asInt(faults[FaultRandom5xx]); n == 0 {
		t.Fatalf("counters: %v", faults)
	}

	expectStatus(t, ctl("POST", "/_sim/random", map[string]any{"routes": []string{RouteGetApplication}, "rate_5xx": 1, "statuses_5xx": []int{504}, "latency_min": "1ms", "latency_max": "2ms"}), http.StatusNoContent)
	expectGandiError(t, e.get("/v5/simplehosting/applications/wordpress"), http.StatusGatewayTimeout)
	routes, _ := ctl("GET", "/_sim/random", nil).obj(t)["routes"].(map[string]any)
	if _, ok := routes[RouteGetApplication]; !ok || len(routes) != 1 {
		t.Fatalf("routes: %v", routes)
	}

	for _, bad := range []map[string]any{
		{"rate_5xx": 2},
		{"routes": []string{"GET /nowhere"}, "rate_5xx": 0.1},
		{"latency_min": "soon"},
		{"rate_500": 0.1},
	} {
		expectStatus(t, ctl("POST", "/_sim/random", bad), http.StatusBadRequest)
	}

	expectStatus(t, ctl("DELETE", "/_sim/random", nil), http.StatusNoContent)
	for range 10 {
		expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	}
	if got := ctl("GET", "/_sim/random", nil).obj(t); got["all"] != nil {
		t.Fatalf("DELETE left %v", got)
	}
}
