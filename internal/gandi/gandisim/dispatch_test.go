package gandisim

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// applyTemplate applies tpl to the domain with ID domainID and returns the
// dispatch ID from the absolute Location.
func (e *env) applyTemplate(tpl, domainID string) string {
	e.t.Helper()
	r := e.post(templatesPath+"/"+tpl, map[string]any{"object_type": "domain", "object_id": domainID})
	expectStatus(e.t, r, http.StatusAccepted)
	loc := r.header.Get("Location")
	prefix := e.srv.URL + "/v5/template/dispatch/"
	if !strings.HasPrefix(loc, prefix) {
		e.t.Fatalf("Location %q is not absolute under %s", loc, prefix)
	}
	b := r.obj(e.t)
	if b["dispatch_href"] != loc || b["target_id"] != domainID || b["target_type"] != "domain" || b["message"] == nil || b["payload"] == nil {
		e.t.Fatalf("apply body: %s", r.body)
	}
	return strings.TrimPrefix(loc, prefix)
}

func taskStatuses(d map[string]any) map[string]int {
	out := map[string]int{}
	for ns, v := range d["task_status"].(map[string]any) {
		n, _ := asInt(v.(map[string]any)["status"])
		out[ns] = int(n)
	}
	return out
}

func finished(st map[string]int) bool {
	for _, s := range st {
		if s < StateDone {
			return false
		}
	}
	return true
}

func fullPayload() map[string]any {
	return map[string]any{
		"domain:nameservers": map[string]any{"service": "livedns", "addresses": []any{}},
		"dns:records": map[string]any{"records": []any{
			map[string]any{"name": "@", "type": "A", "values": []any{"203.0.113.1"}, "ttl": 600},
			map[string]any{"name": "@", "type": "MX", "values": []any{"10 spool.mail.gandi.net."}},
		}},
		"domain:mailboxes": map[string]any{"values": []any{map[string]any{"login": "alice"}}},
		"domain:webredirs": map[string]any{"values": []any{map[string]any{"type": "http301", "host": "www", "url": "https://example.org/", "protocol": "https"}}},
	}
}

func TestDispatchProgressionAppliesPayload(t *testing.T) {
	e := newEnv(t)
	domID := e.sim.AddDomain(orgAlice, "example.com")
	tpl := e.createTemplate(map[string]any{"name": "full", "payload": fullPayload()}, "")
	id := e.applyTemplate(tpl, domID)
	if e.sim.Dispatches() != 1 {
		t.Fatalf("Dispatches = %d", e.sim.Dispatches())
	}
	path := "/v5/template/dispatch/" + id
	d := e.get(path).obj(t)
	for _, k := range []string{"attempt", "created_at", "id", "payload", "sharing_id", "state", "target", "target_id", "task_history", "task_status", "state_msg", "template_id", "template_name"} {
		if _, ok := d[k]; !ok {
			t.Errorf("dispatch lacks %q", k)
		}
	}
	if d["template_id"] != tpl || d["template_name"] != "full" || d["target"].(map[string]any)["name"] != "example.com" || d["sharing_id"] != orgAlice {
		t.Fatalf("dispatch: %v", d)
	}
	// The payload is the one applied: a later template PATCH does not change it.
	expectStatus(t, e.patch(templatesPath+"/"+tpl, map[string]any{"payload": map[string]any{}}), http.StatusNoContent)

	eventually(t, "every task done", func() bool {
		st := taskStatuses(e.get(path).obj(t))
		if len(st) != 4 {
			t.Fatalf("task_status: %v", st)
		}
		return finished(st)
	})
	d = e.get(path).obj(t)
	if st, _ := asInt(d["state"]); st != 0 {
		t.Fatalf("global state %d: it stays 0 unless the whole dispatch fails", st)
	}
	for ns, s := range taskStatuses(d) {
		if s != StateDone {
			t.Fatalf("task %s ended %d", ns, s)
		}
	}
	if h := d["task_history"].([]any); len(h) != 4 || d["task_updated_at"] == nil {
		t.Fatalf("task_history: %v", h)
	}
	if len(d["payload"].(map[string]any)) != 4 {
		t.Fatalf("dispatch payload changed with the template: %v", d["payload"])
	}

	dom, _ := e.sim.Domain("example.com")
	if dom.NameserverService != "livedns" || !slices.Equal(dom.Nameservers, liveDNSNameservers) {
		t.Fatalf("nameservers: %v", dom.Nameservers)
	}
	if !slices.Contains(dom.Mailboxes, "alice") || len(dom.WebRedirections) != 1 || dom.WebRedirections[0].Host != "www.example.com" {
		t.Fatalf("mailboxes/redirections: %+v", dom)
	}
	if !slices.ContainsFunc(dom.Records, func(r DNSRecord) bool { return r.Name == "@" && r.Type == "A" && r.TTL == 600 }) ||
		!slices.ContainsFunc(dom.Records, func(r DNSRecord) bool { return r.Name == "www" && r.Type == "CNAME" }) {
		t.Fatalf("records: %+v", dom.Records)
	}
	got := e.get("/v5/domain/domains/example.com").obj(t)
	if got["id"] != domID || got["fqdn"] != "example.com" || got["fqdn_unicode"] != "example.com" || len(got["nameservers"].([]any)) != 3 {
		t.Fatalf("domain: %v", got)
	}
}

func TestDispatchStepsInOrder(t *testing.T) {
	e := newEnv(t)
	clk := e.useFakeClock()
	step := FastTimings().DispatchStep
	domID := e.sim.AddDomain(orgAlice, "example.com")
	tpl := e.createTemplate(map[string]any{"name": "two", "payload": map[string]any{
		"domain:nameservers": map[string]any{"service": "custom", "addresses": []any{"ns1.example.net", "ns2.example.net"}},
		"domain:mailboxes":   map[string]any{"values": []any{map[string]any{"login": "x"}}},
	}}, "")
	path := "/v5/template/dispatch/" + e.applyTemplate(tpl, domID)
	want := []map[string]int{
		{"domain:nameservers": 0, "domain:mailboxes": 0},
		{"domain:nameservers": 10, "domain:mailboxes": 0},
		{"domain:nameservers": 20, "domain:mailboxes": 0},
		{"domain:nameservers": 20, "domain:mailboxes": 10},
		{"domain:nameservers": 20, "domain:mailboxes": 20},
	}
	for i, w := range want {
		if got := taskStatuses(e.get(path).obj(t)); len(got) != 2 || got["domain:nameservers"] != w["domain:nameservers"] || got["domain:mailboxes"] != w["domain:mailboxes"] {
			t.Fatalf("step %d: %v, want %v", i, got, w)
		}
		clk.Add(step)
	}
	dom, _ := e.sim.Domain("example.com")
	if dom.NameserverService != "custom" || !slices.Equal(dom.Nameservers, []string{"ns1.example.net", "ns2.example.net"}) {
		t.Fatalf("custom nameservers not applied: %+v", dom)
	}
}

func TestDispatchFailingNamespace(t *testing.T) {
	e := newEnv(t)
	domID := e.sim.AddDomain(orgAlice, "example.com")
	e.sim.FailNamespace("domain:mailboxes", "mailbox quota exceeded")
	tpl := e.createTemplate(map[string]any{"name": "full", "payload": fullPayload()}, "")
	path := "/v5/template/dispatch/" + e.applyTemplate(tpl, domID)
	eventually(t, "dispatch finished", func() bool { return finished(taskStatuses(e.get(path).obj(t))) })
	d := e.get(path).obj(t)
	st := taskStatuses(d)
	if st["domain:mailboxes"] != StateError || st["dns:records"] != StateDone {
		t.Fatalf("task_status: %v", st)
	}
	found := false
	for _, it := range d["task_history"].([]any) {
		h := it.(map[string]any)
		if h["namespace"] == "domain:mailboxes" && h["message"] == "mailbox quota exceeded" {
			n, _ := asInt(h["status"])
			found = n == StateError
		}
	}
	if !found {
		t.Fatalf("task_history lacks the failure: %v", d["task_history"])
	}
	if dom, _ := e.sim.Domain("example.com"); len(dom.Mailboxes) != 0 {
		t.Fatalf("a failed task changed the domain: %v", dom.Mailboxes)
	}
}

func TestDispatchConflictsAndWholeFailure(t *testing.T) {
	e := newEnv(t)
	domID := e.sim.AddDomain(orgAlice, "example.com")
	// A redirection onto an existing record without override is an error.
	recs := e.createTemplate(map[string]any{"name": "recs", "payload": map[string]any{
		"dns:records":      map[string]any{"records": []any{map[string]any{"name": "www", "type": "A", "values": []any{"192.0.2.9"}}}},
		"domain:webredirs": map[string]any{"values": []any{map[string]any{"type": "http302", "host": "www.example.com", "url": "https://example.org/"}}},
	}}, "")
	path := "/v5/template/dispatch/" + e.applyTemplate(recs, domID)
	eventually(t, "dispatch finished", func() bool { return finished(taskStatuses(e.get(path).obj(t))) })
	if st := taskStatuses(e.get(path).obj(t)); st["domain:webredirs"] != StateError || st["dns:records"] != StateDone {
		t.Fatalf("task_status: %v", st)
	}

	e.sim.FailDispatches("backend unavailable")
	path = "/v5/template/dispatch/" + e.applyTemplate(recs, domID)
	eventually(t, "dispatch failed", func() bool {
		d := e.get(path).obj(t)
		n, _ := asInt(d["state"])
		return n == StateError && d["state_msg"] == "backend unavailable"
	})
	e.sim.ClearFaults()
}

func TestHoldDispatches(t *testing.T) {
	e := newEnv(t)
	clk := e.useFakeClock()
	domID := e.sim.AddDomain(orgAlice, "example.com")
	tpl := e.createTemplate(map[string]any{"name": "ns", "payload": map[string]any{"domain:nameservers": map[string]any{"service": "livedns", "addresses": []any{}}}}, "")
	e.sim.HoldDispatches(true)
	path := "/v5/template/dispatch/" + e.applyTemplate(tpl, domID)
	clk.Add(time.Hour)
	if st := taskStatuses(e.get(path).obj(t)); st["domain:nameservers"] != StatePending {
		t.Fatalf("held dispatch moved: %v", st)
	}
	e.sim.HoldDispatches(false)
	clk.Add(2 * FastTimings().DispatchStep)
	if st := taskStatuses(e.get(path).obj(t)); st["domain:nameservers"] != StateDone {
		t.Fatalf("released dispatch: %v", st)
	}
}

func TestApplyErrorsAndVisibility(t *testing.T) {
	e := newEnv(t)
	mine := e.sim.AddDomain(orgAlice, "example.com")
	bobs := e.sim.AddDomain(orgBob, "bob.example")
	tpl := e.createTemplate(map[string]any{"name": "t", "payload": map[string]any{"domain:mailboxes": map[string]any{"values": []any{}}}}, "")
	apply := templatesPath + "/" + tpl
	expectGandiError(t, e.post(apply, map[string]any{"object_type": "domain", "object_id": "00000000-0000-4000-8000-000000000000"}), http.StatusNotFound)
	expectGandiError(t, e.post(apply, map[string]any{"object_type": "domain", "object_id": bobs}), http.StatusForbidden)
	expectFieldError(t, e.post(apply, map[string]any{"object_type": "instance", "object_id": mine}), "object_type")
	expectFieldError(t, e.post(apply, map[string]any{"object_type": "domain"}), "object_id")
	expectGandiError(t, e.post(templatesPath+"/00000000-0000-4000-8000-000000000000", map[string]any{"object_type": "domain", "object_id": mine}), http.StatusNotFound)

	pub, _ := e.sim.AddTemplate("", SeedTemplate{Public: true, Name: "p", Payload: map[string]any{"dns:records": map[string]any{"default": true}}})
	id := e.applyTemplate(pub, mine)
	expectGandiError(t, e.request("GET", "/v5/template/dispatch/"+id, bearer(tokBob), nil), http.StatusForbidden)
	expectGandiError(t, e.get("/v5/template/dispatch/nope"), http.StatusNotFound)
	expectGandiError(t, e.get("/v5/domain/domains/bob.example"), http.StatusNotFound)
	expectGandiError(t, e.get("/v5/domain/domains/unknown.example"), http.StatusNotFound)
	if got := e.request("GET", "/v5/domain/domains/bob.example", bearer(tokBob), nil).obj(t)["id"]; got != bobs {
		t.Fatalf("bob's domain id = %v", got)
	}
}
