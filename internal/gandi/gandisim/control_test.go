package gandisim

import (
	"net/http"
	"testing"
	"time"
)

func TestControlAPI(t *testing.T) {
	e := newEnv(t)
	ctl := func(method, path string, body any) resp { return e.request(method, path, "", body) }

	expectStatus(t, ctl("POST", "/_sim/accounts", map[string]any{"token": "pat_new", "user": "new", "orgs": []any{map[string]any{"id": "org-new", "name": "new"}}}), http.StatusNoContent)
	expectStatus(t, e.request("GET", "/v5/simplehosting/instances", "Bearer pat_new", nil), http.StatusOK)

	expectStatus(t, ctl("POST", "/_sim/faults", map[string]any{"route": RouteListInstances, "kind": "fail", "n": 1, "status": 503, "retry_after_seconds": 7}), http.StatusNoContent)
	r := e.get("/v5/simplehosting/instances")
	expectGandiError(t, r, http.StatusServiceUnavailable)
	if r.header.Get("Retry-After") != "7" {
		t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	expectStatus(t, ctl("POST", "/_sim/faults", map[string]any{"route": RouteCreateInstance, "kind": "commit_then_drop"}), http.StatusNoContent)
	if _, err := e.try("POST", "/v5/simplehosting/instances", bearer(tokAlice), validCreate()); err == nil {
		t.Fatalf("commit_then_drop answered")
	}
	expectStatus(t, ctl("POST", "/_sim/faults", map[string]any{"route": RouteListInstances, "kind": "reset"}), http.StatusNoContent)
	expectStatus(t, ctl("DELETE", "/_sim/faults", nil), http.StatusNoContent)
	expectStatus(t, e.get("/v5/simplehosting/instances"), http.StatusOK)
	expectStatus(t, ctl("POST", "/_sim/faults", map[string]any{"route": "GET /nope", "kind": "fail", "status": 500}), http.StatusBadRequest)
	expectStatus(t, ctl("POST", "/_sim/faults", map[string]any{"route": RouteListInstances, "kind": "explode"}), http.StatusBadRequest)
	// The XML-RPC methods take faults too, by XMLRPCRoute; unknown ones are refused.
	expectStatus(t, ctl("POST", "/_sim/faults", map[string]any{"route": XMLRPCRoute("paas.create"), "kind": "latency", "latency_ms": 5}), http.StatusNoContent)
	expectStatus(t, ctl("POST", "/_sim/faults", map[string]any{"route": XMLRPCRoute("paas.explode"), "kind": "reset"}), http.StatusBadRequest)
	expectStatus(t, ctl("DELETE", "/_sim/faults", nil), http.StatusNoContent)

	c := ctl("GET", "/_sim/counters", nil).obj(t)
	if paid, _ := asInt(c["paid_creates"]); paid != 1 {
		t.Fatalf("counters: %v", c)
	}
	if n, _ := asInt(c["requests"].(map[string]any)[RouteListInstances]); n != 3 {
		t.Fatalf("requests counter: %v", c["requests"])
	}

	expectStatus(t, ctl("POST", "/_sim/seed", "domains:\n  - org: "+orgAlice+"\n    fqdn: seeded.example\n"), http.StatusNoContent)
	expectStatus(t, ctl("POST", "/_sim/seed", "instances: [{size: nope}]"), http.StatusBadRequest)
	expectStatus(t, ctl("POST", "/_sim/timings", map[string]any{"instance_being_created": "1h"}), http.StatusNoContent)
	expectStatus(t, ctl("POST", "/_sim/timings", map[string]any{"dispatch_step": "soon"}), http.StatusBadRequest)
	expectStatus(t, ctl("POST", "/_sim/timings", map[string]any{"instance_update": "2s"}), http.StatusNoContent)
	if got := func() time.Duration { defer e.sim.lock()(); return e.sim.timings.InstanceUpdate }(); got != 2*time.Second {
		t.Fatalf("instance_update timing = %s, want 2s", got)
	}
	expectStatus(t, ctl("POST", "/_sim/timings", map[string]any{"paas_update": "3s", "paas_renew": "4s"}), http.StatusNoContent)
	if got := func() Timings { defer e.sim.lock()(); return e.sim.timings }(); got.PaasUpdate != 3*time.Second || got.PaasRenew != 4*time.Second {
		t.Fatalf("paas timings = %s, %s, want 3s, 4s", got.PaasUpdate, got.PaasRenew)
	}
	expectStatus(t, ctl("POST", "/_sim/rate-limit", map[string]any{"per_minute": 0}), http.StatusNoContent)
	expectStatus(t, ctl("POST", "/_sim/dispatches", map[string]any{"hold": true, "fail_namespace": map[string]any{"dns:records": "boom"}}), http.StatusNoContent)

	id := e.sim.Instances()[0].ID
	end := "2027-01-15T10:00:00Z"
	expectStatus(t, ctl("POST", "/_sim/renewal", map[string]any{"instance_id": id, "expire_at": end, "autorenew": true}), http.StatusNoContent)
	if v, _ := e.sim.Instance(id); !v.Autorenew || v.SubscriptionCancelled || v.ExpireAt.Format(time.RFC3339) != end {
		t.Fatalf("after POST /_sim/renewal: autorenew %v, cancelled %v, expire_at %v", v.Autorenew, v.SubscriptionCancelled, v.ExpireAt)
	}
	expectStatus(t, ctl("POST", "/_sim/renewal", map[string]any{"instance_id": id, "subscription_cancelled": true}), http.StatusNoContent)
	if v, _ := e.sim.Instance(id); !v.Autorenew || !v.SubscriptionCancelled || v.ExpireAt.Format(time.RFC3339) != end {
		t.Fatalf("a partial POST /_sim/renewal changed other fields: %+v", v)
	}
	expectStatus(t, ctl("POST", "/_sim/renewal", map[string]any{"instance_id": "nope", "autorenew": false}), http.StatusBadRequest)

	st := ctl("GET", "/_sim/state", nil).obj(t)
	if len(st["instances"].([]any)) != 1 || len(st["domains"].([]any)) != 1 || st["paas_instances"] == nil {
		t.Fatalf("state: %v", st)
	}
	expectStatus(t, ctl("DELETE", "/_sim/counters", nil), http.StatusNoContent)
	if e.sim.PaidCreates() != 0 {
		t.Fatalf("counters not reset")
	}
	expectStatus(t, ctl("GET", "/_sim/nothing", nil), http.StatusNotFound)
}
