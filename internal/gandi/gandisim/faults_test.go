package gandisim

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestFailNext(t *testing.T) {
	e := newEnv(t)
	e.sim.FailNext(RouteCreateInstance, 2, http.StatusServiceUnavailable, 2*time.Second)
	for range 2 {
		r := e.post("/v5/simplehosting/instances", validCreate())
		expectGandiError(t, r, http.StatusServiceUnavailable)
		if r.header.Get("Retry-After") != "2" {
			t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
		}
	}
	if len(e.sim.Instances()) != 0 || e.sim.PaidCreates() != 0 {
		t.Fatalf("a failed request changed state")
	}
	e.createInstance(validCreate(), "")
	if got := e.sim.Requests(RouteCreateInstance); got != 3 {
		t.Fatalf("Requests = %d, want 3", got)
	}
	if got := e.sim.Writes(); got != 1 {
		t.Fatalf("Writes = %d, want 1 (injected failures never reach a handler)", got)
	}
}

func TestFaultQueueOrderAndClear(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAlice, SeedInstance{})
	path := "/v5/simplehosting/instances/" + id
	e.sim.FailNext(RouteGetInstance, 1, http.StatusBadGateway, 0)
	e.sim.ResetNext(RouteGetInstance, 1)
	expectGandiError(t, e.get(path), http.StatusBadGateway)
	if _, err := e.try("GET", path, bearer(tokAlice), nil); err == nil {
		t.Fatalf("second request was not reset")
	}
	expectStatus(t, e.get(path), http.StatusOK)

	e.sim.FailNext(RouteGetInstance, 5, http.StatusInternalServerError, 0)
	e.sim.SetLatency(RouteGetInstance, time.Second)
	e.sim.ClearFaults()
	start := time.Now()
	expectStatus(t, e.get(path), http.StatusOK)
	if time.Since(start) > 900*time.Millisecond {
		t.Fatalf("ClearFaults left the latency")
	}
}

func TestResetNextLeavesStateUnchanged(t *testing.T) {
	e := newEnv(t)
	e.sim.ResetNext(RouteCreateInstance, 1)
	if _, err := e.try("POST", "/v5/simplehosting/instances", bearer(tokAlice), validCreate()); err == nil {
		t.Fatalf("no connection error")
	}
	if len(e.sim.Instances()) != 0 || e.sim.PaidCreates() != 0 || e.sim.Requests(RouteCreateInstance) != 1 {
		t.Fatalf("reset changed state or was not counted")
	}
}

func TestCommitThenDrop(t *testing.T) {
	e := newEnv(t)
	e.sim.CommitThenDrop(RouteCreateInstance, 1)
	body := validCreate()
	body["name"] = "lost-answer"
	if _, err := e.try("POST", "/v5/simplehosting/instances", bearer(tokAlice), body); err == nil {
		t.Fatalf("the client got an answer")
	}
	list := e.sim.Instances()
	if len(list) != 1 || list[0].Name != "lost-answer" || e.sim.PaidCreates() != 1 {
		t.Fatalf("the create was not committed: %+v, paid %d", list, e.sim.PaidCreates())
	}
	// The next request is answered normally.
	e.createInstance(validCreate(), "")
	if e.sim.PaidCreates() != 2 {
		t.Fatalf("PaidCreates = %d", e.sim.PaidCreates())
	}
}

func TestCommitThenDropPaidPassesOverDryRun(t *testing.T) {
	e := newEnv(t)
	e.sim.CommitThenDropPaid(RouteCreateInstance, 1)
	expectStatus(t, e.post("/v5/simplehosting/instances", validCreate(), "Dry-Run", "1"), http.StatusOK)
	if _, err := e.try("POST", "/v5/simplehosting/instances", bearer(tokAlice), validCreate()); err == nil {
		t.Fatalf("the paid create's answer was not dropped")
	}
	if e.sim.PaidCreates() != 1 {
		t.Fatalf("PaidCreates = %d, want 1", e.sim.PaidCreates())
	}
}

func TestLatency(t *testing.T) {
	e := newEnv(t)
	const delay = 600 * time.Millisecond
	e.sim.SetLatency(RouteListInstances, delay)
	start := time.Now()
	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	if d := time.Since(start); d < delay {
		t.Fatalf("answered after %v", d)
	}
	start = time.Now()
	expectStatus(t, e.get("/v5/simplehosting/applications"), http.StatusOK)
	if d := time.Since(start); d >= delay {
		t.Fatalf("latency leaked to another route: %v", d)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnvWith(t, Options{Timings: FastTimings(), RateLimitPerMinute: 3})
	for range 3 {
		expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	}
	r := e.get("/v5/simplehosting/instances")
	expectGandiError(t, r, http.StatusTooManyRequests)
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	// The limit is per token.
	expectStatus(t, e.request("GET", "/v5/simplehosting/instances", bearer(tokBob), nil), http.StatusOK)

	e.sim.SetRateLimit(0)
	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
}

func TestRateLimitWindowRefills(t *testing.T) {
	e := newEnv(t)
	clk := e.useFakeClock()
	e.sim.SetRateLimit(1)
	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	r := e.get("/v5/simplehosting/instances")
	expectGandiError(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") != "60" {
		t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	clk.Add(time.Minute)
	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
}

func TestRequestLogNeverSeesCredentials(t *testing.T) {
	var logs []RequestLog
	e := newEnvWith(t, Options{Timings: FastTimings(), OnRequest: func(l RequestLog) { logs = append(logs, l) }})
	e.sim.FailNext(RouteListInstances, 1, http.StatusServiceUnavailable, 0)
	e.get("/v5/simplehosting/instances")
	e.get("/v5/simplehosting/instances")
	if len(logs) != 2 || logs[0].Route != RouteListInstances || logs[0].Status != 503 || logs[0].Fault != "fail" || logs[1].Status != 200 {
		t.Fatalf("logs: %+v", logs)
	}
}

// TestFailNextPaid: the Dry-Run that precedes a paid create does not spend
// the fault, so a test can refuse the paid request itself.
func TestFailNextPaid(t *testing.T) {
	e := newEnv(t)
	e.sim.FailNextPaid(RouteCreateInstance, 1, http.StatusServiceUnavailable, 0)
	if r := e.post("/v5/simplehosting/instances", validCreate(), "Dry-Run", "1"); r.status != http.StatusOK {
		t.Fatalf("Dry-Run status = %d, want 200", r.status)
	}
	expectGandiError(t, e.post("/v5/simplehosting/instances", validCreate()), http.StatusServiceUnavailable)
	if e.sim.PaidCreates() != 0 {
		t.Fatalf("a refused paid create bought an instance")
	}
	e.createInstance(validCreate(), "")
	if e.sim.PaidCreates() != 1 {
		t.Fatalf("PaidCreates = %d, want 1", e.sim.PaidCreates())
	}
}
