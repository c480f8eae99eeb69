package gandisim

import (
	"net/http"
	"strings"
	"testing"
)

const templatesPath = "/v5/template/templates"

func (e *env) createTemplate(body map[string]any, query string) string {
	e.t.Helper()
	r := e.post(templatesPath+query, body)
	expectStatus(e.t, r, http.StatusCreated)
	if r.obj(e.t)["message"] == nil {
		e.t.Fatalf("201 body lacks message: %s", r.body)
	}
	loc := r.header.Get("Location")
	prefix := e.srv.URL + templatesPath + "/"
	if !strings.HasPrefix(loc, prefix) {
		e.t.Fatalf("Location %q is not absolute under %s", loc, prefix)
	}
	return strings.TrimPrefix(loc, prefix)
}

func TestTemplateCRUD(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{
		"name":        "web",
		"description": "web setup",
		"payload": map[string]any{
			"domain:nameservers": map[string]any{"service": "livedns", "addresses": []any{}},
			"dns:records":        map[string]any{"records": []any{map[string]any{"name": "@", "type": "A", "values": []any{"192.0.2.1"}, "ttl": 300}}},
		},
	}
	id := e.createTemplate(body, "")
	path := templatesPath + "/" + id
	d := e.get(path).obj(t)
	if d["name"] != "web" || d["description"] != "web setup" || d["editable"] != true || d["orgname"] != "alice" || d["href"] != e.srv.URL+path {
		t.Fatalf("details: %v", d)
	}
	ns := d["namespaces"].([]any)
	if len(ns) != 2 || ns[0] != "domain:nameservers" || ns[1] != "dns:records" {
		t.Fatalf("namespaces: %v", ns)
	}
	if v, ok := d["variables"].([]any); !ok || len(v) != 0 {
		t.Fatalf("variables: %v", d["variables"])
	}
	if d["sharing_space"].(map[string]any)["id"] != orgAlice {
		t.Fatalf("sharing_space: %v", d["sharing_space"])
	}
	if _, ok := d["payload"].(map[string]any)["dns:records"]; !ok {
		t.Fatalf("payload: %v", d["payload"])
	}

	m := expectGandiError(t, e.post(templatesPath, body), http.StatusConflict)
	if !strings.Contains(m["message"].(string), "web") {
		t.Fatalf("duplicate message: %v", m)
	}
	e.createTemplate(body, "?sharing_id="+orgAcme) // unique per organization only
	expectGandiError(t, e.post(templatesPath+"?sharing_id="+orgBob, body), http.StatusForbidden)

	// PATCH replaces the payload whole.
	r := e.patch(path, map[string]any{"payload": map[string]any{"domain:mailboxes": map[string]any{"values": []any{map[string]any{"login": "bob"}}}}})
	expectStatus(t, r, http.StatusNoContent)
	d = e.get(path).obj(t)
	if p := d["payload"].(map[string]any); len(p) != 1 || p["domain:mailboxes"] == nil {
		t.Fatalf("payload after PATCH: %v", p)
	}
	other := e.createTemplate(map[string]any{"name": "other", "payload": map[string]any{}}, "")
	expectGandiError(t, e.patch(templatesPath+"/"+other, map[string]any{"name": "web"}), http.StatusConflict)
	expectFieldError(t, e.patch(path, map[string]any{"payload": map[string]any{"dns:records": map[string]any{}}}), "payload.dns:records")

	expectStatus(t, e.del(path), http.StatusNoContent)
	expectGandiError(t, e.get(path), http.StatusNotFound)
}

func TestTemplateValidation(t *testing.T) {
	e := newEnv(t)
	rec := func(r map[string]any) map[string]any {
		return map[string]any{"dns:records": map[string]any{"records": []any{r}}}
	}
	ns := func(service string, addrs ...any) map[string]any {
		m := map[string]any{"service": service}
		if addrs != nil {
			m["addresses"] = addrs
		}
		return map[string]any{"domain:nameservers": m}
	}
	redir := func(r map[string]any) map[string]any {
		return map[string]any{"domain:webredirs": map[string]any{"values": []any{r}}}
	}
	login := func(l string) map[string]any { return map[string]any{"login": l} }
	cases := []struct {
		name    string
		payload map[string]any
		field   string
	}{
		{"ttl 299", rec(map[string]any{"name": "@", "type": "A", "values": []any{"192.0.2.1"}, "ttl": 299}), "payload.dns:records.records.0.ttl"},
		{"ttl too big", rec(map[string]any{"name": "@", "type": "A", "values": []any{"192.0.2.1"}, "ttl": 2592001}), "payload.dns:records.records.0.ttl"},
		{"record type", rec(map[string]any{"name": "@", "type": "SOA", "values": []any{"x"}}), "payload.dns:records.records.0.type"},
		{"record name hyphen", rec(map[string]any{"name": "-www", "type": "A", "values": []any{"192.0.2.1"}}), "payload.dns:records.records.0.name"},
		{"record name trailing dot", rec(map[string]any{"name": "www.", "type": "A", "values": []any{"192.0.2.1"}}), "payload.dns:records.records.0.name"},
		{"record values required", rec(map[string]any{"name": "www", "type": "A"}), "payload.dns:records.records.0.values"},
		{"default and records", map[string]any{"dns:records": map[string]any{"default": true, "records": []any{}}}, "payload.dns:records"},
		{"neither default nor records", map[string]any{"dns:records": map[string]any{}}, "payload.dns:records"},
		{"3 mailboxes", map[string]any{"domain:mailboxes": map[string]any{"values": []any{login("a"), login("b"), login("c")}}}, "payload.domain:mailboxes.values"},
		{"mailbox login", map[string]any{"domain:mailboxes": map[string]any{"values": []any{map[string]any{}}}}, "payload.domain:mailboxes.values.0.login"},
		{"livedns with addresses", ns("livedns", "ns1.example.net"), "payload.domain:nameservers.addresses"},
		{"custom without addresses", ns("custom", []any{}...), "payload.domain:nameservers.addresses"},
		{"addresses required", ns("livedns"), "payload.domain:nameservers.addresses"},
		{"service enum", ns("route53", []any{}...), "payload.domain:nameservers.service"},
		{"webredir type", redir(map[string]any{"type": "http307", "url": "https://example.net/"}), "payload.domain:webredirs.values.0.type"},
		{"webredir protocol", redir(map[string]any{"type": "http301", "url": "https://example.net/", "protocol": "ftp"}), "payload.domain:webredirs.values.0.protocol"},
		{"webredir url required", redir(map[string]any{"type": "http301"}), "payload.domain:webredirs.values.0.url"},
		{"unknown namespace", map[string]any{"dns:record": map[string]any{"default": true}}, "payload.dns:record"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectFieldError(t, e.post(templatesPath, map[string]any{"name": "t-" + c.name, "payload": c.payload}), c.field)
		})
	}
	expectFieldError(t, e.post(templatesPath, map[string]any{"payload": map[string]any{}}), "name")
	expectFieldError(t, e.post(templatesPath, map[string]any{"name": "x"}), "payload")
	if n := len(e.sim.Templates()); n != 0 {
		t.Fatalf("refused templates were stored: %d", n)
	}
	// The docs' own examples are valid.
	e.createTemplate(map[string]any{"name": "ok", "payload": map[string]any{
		"domain:nameservers": map[string]any{"addresses": []any{}, "service": "livedns"},
		"dns:records": map[string]any{"records": []any{
			map[string]any{"type": "A", "name": "@", "values": []any{"203.0.113.1"}},
			map[string]any{"type": "MX", "name": "@", "ttl": 10800, "values": []any{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."}},
		}},
		"domain:mailboxes": map[string]any{"values": []any{login("alice"), login("contact")}},
		"domain:webredirs": map[string]any{"values": []any{map[string]any{"type": "http301", "host": "www", "url": "https://www.gandi.net/"}}},
	}}, "")
}

func TestPublicTemplates(t *testing.T) {
	e := newEnv(t)
	pub, err := e.sim.AddTemplate("", SeedTemplate{Public: true, Name: "Gandi default", Payload: map[string]any{"dns:records": map[string]any{"default": true}}})
	if err != nil {
		t.Fatal(err)
	}
	mine := e.createTemplate(map[string]any{"name": "mine", "payload": map[string]any{}}, "")

	r := e.get(templatesPath)
	expectStatus(t, r, http.StatusOK)
	if r.header.Get("Total-Count") != "2" {
		t.Fatalf("Total-Count %q", r.header.Get("Total-Count"))
	}
	for _, it := range r.arr(t) {
		m := it.(map[string]any)
		if m["id"] == pub && (m["editable"] != false || m["orgname"] != "") {
			t.Fatalf("public template listed as %v", m)
		}
		if m["id"] == mine && m["editable"] != true {
			t.Fatalf("own template listed as %v", m)
		}
	}
	expectGandiError(t, e.patch(templatesPath+"/"+pub, map[string]any{"description": "x"}), http.StatusForbidden)
	expectGandiError(t, e.del(templatesPath+"/"+pub), http.StatusForbidden)

	// bob sees the public template, not alice's.
	r = e.request("GET", templatesPath, bearer(tokBob), nil)
	if items := r.arr(t); len(items) != 1 || items[0].(map[string]any)["id"] != pub {
		t.Fatalf("bob's list: %s", r.body)
	}
	expectGandiError(t, e.request("GET", templatesPath+"/"+mine, bearer(tokBob), nil), http.StatusForbidden)
	expectGandiError(t, e.request("DELETE", templatesPath+"/"+mine, bearer(tokBob), nil), http.StatusForbidden)
}

func TestTemplateListPagination(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"a", "b", "c"} {
		e.createTemplate(map[string]any{"name": n, "payload": map[string]any{}}, "")
	}
	r := e.get(templatesPath + "?per_page=2&page=2")
	items := r.arr(t)
	if r.header.Get("Total-Count") != "3" || len(items) != 1 || items[0].(map[string]any)["name"] != "c" {
		t.Fatalf("page 2: %s %v", r.body, r.header)
	}
	if r.header.Values("Link") != nil {
		t.Fatalf("the last page carries Link %q", r.header.Values("Link"))
	}
	r = e.get(templatesPath + "?per_page=2")
	if link := r.header.Get("Link"); !strings.Contains(link, `page=2&per_page=2>; rel="next"`) || !strings.Contains(link, `rel="last"`) {
		t.Fatalf("page 1: Link = %q", link)
	}
}

func TestRecordNamePattern(t *testing.T) {
	// Cases worked out against the docs' look-around pattern.
	good := []string{"", "@", "www", "*", "*.www", "_dmarc", "_sip._tcp", "a-b", "a.b.c", strings.Repeat("a", 63), "x@y"}
	bad := []string{"-a", "a-", "a.", ".a", "a..b", strings.Repeat("a", 64), "a b", "é", "a/b", "www.-x"}
	for _, n := range good {
		if !recordNameOK(n) {
			t.Errorf("%q refused", n)
		}
	}
	for _, n := range bad {
		if recordNameOK(n) {
			t.Errorf("%q accepted", n)
		}
	}
}
