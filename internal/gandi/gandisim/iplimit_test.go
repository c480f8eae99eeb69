package gandisim

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

const loopback = "127.0.0.1"

// TestIPRateLimitAcrossTokens: the per-IP limit counts every token of one
// client IP together, in a sliding minute, and a refused request counts.
func TestIPRateLimitAcrossTokens(t *testing.T) {
	e := newEnvWith(t, Options{Timings: FastTimings(), IPRateLimitPerMinute: 3})
	clk := e.useFakeClock()
	list := "/v5/simplehosting/instances"
	expectStatus(t, e.get(list), http.StatusOK) // t0
	clk.Add(10 * time.Second)
	expectStatus(t, e.request("GET", list, bearer(tokBob), nil), http.StatusOK) // t0+10s
	clk.Add(10 * time.Second)
	// Unauthenticated requests come from the same IP: they count too.
	expectStatus(t, e.request("GET", list, "", nil), http.StatusUnauthorized) // t0+20s
	clk.Add(10 * time.Second)

	// t0+30s: a fourth request in the minute, from a token that sent none.
	r := e.request("GET", list, bearer(tokReader), nil)
	expectGandiError(t, r, http.StatusTooManyRequests)
	// Room comes back when all but two of the four (this one included)
	// are a minute old: t0+10s+60s, 40 s from now.
	if got := r.header.Get("Retry-After"); got != "40" {
		t.Fatalf("Retry-After = %q, want 40", got)
	}
	if n := e.sim.FaultCounts()[FaultIPRateLimited]; n != 1 {
		t.Fatalf("ip_rate_limited faults = %d, want 1", n)
	}
	// Early: still refused, and that refusal counts as well.
	clk.Add(39 * time.Second)
	expectGandiError(t, e.get(list), http.StatusTooManyRequests)
	// t0+70s: t0 and t0+10s are a minute old; the window holds 20s, 30s,
	// 69s and this one: still four. Retry-After is what the client must
	// honour: after it, one request passes.
	clk.Add(time.Second)
	r = e.get(list)
	expectGandiError(t, r, http.StatusTooManyRequests)
	wait, _ := time.ParseDuration(r.header.Get("Retry-After") + "s")
	clk.Add(wait)
	expectStatus(t, e.get(list), http.StatusOK)

	if got := e.sim.RequestsByIP()[loopback]; got != 7 {
		t.Fatalf("RequestsByIP = %v, want 7 from %s", e.sim.RequestsByIP(), loopback)
	}
	if peak := e.sim.PeakPerMinuteByIP()[loopback]; peak != 4 {
		t.Fatalf("PeakPerMinuteByIP = %d, want 4", peak)
	}
}

// TestIPCountsWithoutLimit: with the limit off nothing is refused, and the
// per-IP counters still count, the XML-RPC endpoint and unknown paths too.
func TestIPCountsWithoutLimit(t *testing.T) {
	e := newEnv(t)
	e.sim.AddAccount(Account{Token: testPaasKey, APIKey: true, User: "alice"})
	for range 5 {
		expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	}
	expectGandiError(t, e.get("/v5/nothing"), http.StatusNotFound)
	res, err := postXML(t, e.srv.URL+XMLRPCPath, bytes.NewBufferString("<methodCall><methodName>paas.count</methodName><params><param><value>"+testPaasKey+"</value></param></params></methodCall>"))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("paas.count: HTTP %d", res.StatusCode)
	}
	if got := e.sim.RequestsByIP()[loopback]; got != 7 {
		t.Fatalf("RequestsByIP = %v, want 7", e.sim.RequestsByIP())
	}
	c := e.request("GET", "/_sim/counters", "", nil).obj(t)
	byIP, _ := c["requests_by_ip"].(map[string]any)
	peak, _ := c["peak_per_minute_by_ip"].(map[string]any)
	if n, _ := asInt(byIP[loopback]); n != 7 {
		t.Fatalf("requests_by_ip: %v", c["requests_by_ip"])
	}
	if n, _ := asInt(peak[loopback]); n != 7 {
		t.Fatalf("peak_per_minute_by_ip: %v", c["peak_per_minute_by_ip"])
	}

	// A reset zeroes the figures, not the window: the next request still
	// has the seven before it in its minute.
	e.sim.ResetCounters()
	if got := e.sim.RequestsByIP()[loopback]; got != 0 {
		t.Fatalf("RequestsByIP after reset = %d", got)
	}
	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	if got, peak := e.sim.RequestsByIP()[loopback], e.sim.PeakPerMinuteByIP()[loopback]; got != 1 || peak != 8 {
		t.Fatalf("after a reset and one request: %d requests, peak %d; want 1 and 8", got, peak)
	}
	// A new limit starts the window afresh, as a new per-token limit does.
	e.sim.SetIPRateLimit(1)
	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	expectGandiError(t, e.get("/v5/simplehosting/instances"), http.StatusTooManyRequests)
}

// TestIPRateLimitXMLRPC: the XML-RPC endpoint answers the per-IP limit
// over HTTP, with Retry-After.
func TestIPRateLimitXMLRPC(t *testing.T) {
	e := newEnvWith(t, Options{Timings: FastTimings(), IPRateLimitPerMinute: 1})
	e.sim.AddAccount(Account{Token: testPaasKey, APIKey: true, User: "alice"})
	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	res, err := postXML(t, e.srv.URL+XMLRPCPath, bytes.NewBufferString("<methodCall><methodName>paas.count</methodName><params><param><value>"+testPaasKey+"</value></param></params></methodCall>"))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("paas.count over the IP limit: HTTP %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

// TestIPRateLimitControl: POST /_sim/rate-limit sets either limit alone,
// GET reads both back, and a negative limit is refused.
func TestIPRateLimitControl(t *testing.T) {
	e := newEnv(t)
	ctl := func(method string, body any) resp { return e.request(method, "/_sim/rate-limit", "", body) }
	expectStatus(t, ctl("POST", map[string]any{"per_ip_per_minute": 2}), http.StatusNoContent)
	expectStatus(t, ctl("POST", map[string]any{"per_minute": 5}), http.StatusNoContent)
	got := ctl("GET", nil).obj(t)
	if perIP, _ := asInt(got["per_ip_per_minute"]); perIP != 2 {
		t.Fatalf("rate limits: %v", got)
	}
	if perToken, _ := asInt(got["per_minute"]); perToken != 5 {
		t.Fatalf("rate limits: %v", got)
	}
	expectStatus(t, ctl("POST", map[string]any{"per_ip_per_minute": -1}), http.StatusBadRequest)
	expectStatus(t, ctl("POST", map[string]any{"per_ip": 1}), http.StatusBadRequest)

	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	expectStatus(t, e.request("GET", "/v5/simplehosting/instances", bearer(tokBob), nil), http.StatusOK)
	expectGandiError(t, e.get("/v5/simplehosting/instances"), http.StatusTooManyRequests)
	if e.sim.FaultCounts()[FaultIPRateLimited] != 1 || e.sim.FaultCounts()[FaultRateLimited] != 0 {
		t.Fatalf("faults: %v", e.sim.FaultCounts())
	}
	expectStatus(t, ctl("POST", map[string]any{"per_ip_per_minute": 0}), http.StatusNoContent)
	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
}
