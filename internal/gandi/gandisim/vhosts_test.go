package gandisim

import (
	"net/http"
	"slices"
	"testing"
)

func vhostsPath(id string) string { return "/v5/simplehosting/instances/" + id + "/vhosts" }

func TestVhostLifecycleAndHTTPSStrategyTrap(t *testing.T) {
	e := newEnv(t)
	e.sim.AddDomain(orgAlice, "example.com")
	id := e.activeInstance(orgAlice, SeedInstance{})
	r := e.post(vhostsPath(id), map[string]any{
		"fqdn":            "www.example.com",
		"application":     map[string]any{"name": "wordpress", "parameters": map[string]any{"title": "x"}},
		"linked_dns_zone": map[string]any{"allow_alteration": true},
	})
	expectStatus(t, r, http.StatusAccepted)
	if loc := r.header.Get("Content-Location"); loc != e.srv.URL+vhostsPath(id)+"/www.example.com" {
		t.Fatalf("Content-Location = %q", loc)
	}
	b := r.obj(t)
	if b["fqdn"] != "www.example.com" || b["status"] != "being_created" || b["linked_dns_zone"].(map[string]any)["last_checked_status"] == nil {
		t.Fatalf("create body: %s", r.body)
	}
	if _, ok := b["https_strategy"]; ok {
		t.Fatalf("https_strategy reported without a certificate")
	}

	expectGandiError(t, e.post(vhostsPath(id), map[string]any{"fqdn": "WWW.example.com", "linked_dns_zone": map[string]any{"allow_alteration": false}}),
		http.StatusUnprocessableEntity)

	path := vhostsPath(id) + "/www.example.com"
	eventually(t, "vhost and application running", func() bool {
		d := e.get(path).obj(t)
		return d["status"] == "running" && d["application"].(map[string]any)["status"] == "running"
	})
	d := e.get(path).obj(t)
	z := d["linked_dns_zone"].(map[string]any)
	if z["domain"] != "example.com" || z["key"] != "www" || z["is_root"] != false || z["is_alterable"] != true ||
		z["last_checked_status"] != "livedns_done" || z["txt"] == nil || z["cname"] == nil || z["ipv4"] == nil || z["ipv6"] == nil || z["last_checked_at"] == nil {
		t.Fatalf("linked_dns_zone: %v", z)
	}
	inst := e.get("/v5/simplehosting/instances/" + id).obj(t)
	vhs := inst["vhosts"].([]any)
	if len(vhs) != 1 || vhs[0].(map[string]any)["href"] != e.srv.URL+path {
		t.Fatalf("instance vhosts: %v", vhs)
	}
	if dep := inst["access_information"].(map[string]any)["deploy"].([]any); len(dep) != 1 {
		t.Fatalf("deploy entries: %v", dep)
	}

	// The trap: a strategy PATCHed without a certificate is stored, not reported.
	r = e.patch(path, map[string]any{"https_strategy": "redirect_HTTP_to_HTTPS"})
	expectStatus(t, r, http.StatusOK)
	if _, ok := r.obj(t)["https_strategy"]; ok {
		t.Fatalf("PATCH answer reports https_strategy without a certificate")
	}
	if _, ok := e.get(path).obj(t)["https_strategy"]; ok {
		t.Fatalf("GET reports https_strategy without a certificate")
	}
	e.sim.AddCertificate(id, "www.example.com")
	d = e.get(path).obj(t)
	if d["https_strategy"] != "redirect_HTTP_to_HTTPS" || len(d["certificates"].([]any)) != 1 {
		t.Fatalf("with a certificate: %v %v", d["https_strategy"], d["certificates"])
	}

	expectStatus(t, e.del(path+"/cache"), http.StatusNoContent)
	expectStatus(t, e.del(path+"/cache"), http.StatusNoContent)
	if n := e.sim.PurgeCount(id, "www.example.com"); n != 2 {
		t.Fatalf("PurgeCount = %d", n)
	}

	expectStatus(t, e.del(path), http.StatusNoContent)
	if st := e.get(path).obj(t)["status"]; st != "being_deleted" {
		t.Fatalf("after DELETE: %v", st)
	}
	expectGandiError(t, e.del(path), http.StatusConflict)
	eventually(t, "vhost gone", func() bool { return e.get(path).status == http.StatusNotFound })
}

func TestVhostValidation(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAlice, SeedInstance{Language: SeedRuntime{Name: "python"}})
	zone := map[string]any{"allow_alteration": false}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unicode fqdn", map[string]any{"fqdn": "café.example"}, "fqdn"},
		{"underscore", map[string]any{"fqdn": "bad_host.example"}, "fqdn"},
		{"single label", map[string]any{"fqdn": "localhost"}, "fqdn"},
		{"bad punycode", map[string]any{"fqdn": "xn--zz.example"}, "fqdn"},
		{"missing fqdn", map[string]any{"linked_dns_zone": zone}, "fqdn"},
		{"unknown application", map[string]any{"fqdn": "a.example", "application": map[string]any{"name": "joomla"}}, "application.name"},
		{"incompatible application", map[string]any{"fqdn": "a.example", "application": map[string]any{"name": "wordpress"}}, "application.name"},
		{"allow_alteration required", map[string]any{"fqdn": "a.example", "linked_dns_zone": map[string]any{}}, "linked_dns_zone.allow_alteration"},
		{"https_strategy is not a create field", map[string]any{"fqdn": "a.example", "https_strategy": "HTTP_only"}, "https_strategy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { expectFieldError(t, e.post(vhostsPath(id), c.body), c.field) })
	}
	r := e.post(vhostsPath(id), map[string]any{"fqdn": "xn--caf-dma.example"})
	expectStatus(t, r, http.StatusAccepted)
	expectFieldError(t, e.get(vhostsPath(id)+"/caf%C3%A9.example"), "vhost_fqdn")
	expectStatus(t, e.get(vhostsPath(id)+"/xn--caf-dma.example"), http.StatusOK)
	expectGandiError(t, e.get(vhostsPath(id)+"/nope.example"), http.StatusNotFound)
	// Still being created: cannot be patched yet.
	expectGandiError(t, e.patch(vhostsPath(id)+"/xn--caf-dma.example", map[string]any{"https_strategy": "HTTP_only"}), http.StatusConflict)
	expectFieldError(t, e.patch(vhostsPath(id)+"/xn--caf-dma.example", map[string]any{"https_strategy": "HTTPS"}), "https_strategy")
}

func TestCreateInstanceWithVhostsAndFreeSSL(t *testing.T) {
	e := newEnv(t)
	e.sim.AddDomain(orgAlice, "secure.example")
	e.sim.AddDomain(orgAlice, "plain.example")
	b := validCreate()
	b["vhosts"] = []any{
		map[string]any{"fqdn": "secure.example", "with_free_ssl": true, "https_strategy": "redirect_HTTP_to_HTTPS"},
		map[string]any{"fqdn": "plain.example"},
	}
	id := e.createInstance(b, "")
	if got := e.get(vhostsPath(id)).arr(t); len(got) != 0 {
		t.Fatalf("vhosts before the instance is active: %v", got)
	}
	e.waitInstanceStatus(id, "active")
	eventually(t, "vhosts running", func() bool {
		for _, it := range e.get(vhostsPath(id)).arr(t) {
			if it.(map[string]any)["status"] != "running" {
				return false
			}
		}
		return len(e.sim.Vhosts(id)) == 2
	})
	secure := e.get(vhostsPath(id) + "/secure.example").obj(t)
	if secure["https_strategy"] != "redirect_HTTP_to_HTTPS" || len(secure["certificates"].([]any)) != 1 {
		t.Fatalf("free SSL vhost: %v", secure)
	}
	if _, ok := e.get(vhostsPath(id) + "/plain.example").obj(t)["https_strategy"]; ok {
		t.Fatalf("vhost without with_free_ssl reports https_strategy")
	}
}

func TestListVhostsFiltersAndPagination(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAlice, SeedInstance{Vhosts: []SeedVhost{
		{FQDN: "a.example.com"}, {FQDN: "b.example.com"}, {FQDN: "c.example.net", Status: "locked"},
	}})
	fqdns := func(q string) []string {
		return pluck(e.get(vhostsPath(id)+q).arr(t), "fqdn")
	}
	if got := fqdns("?fqdn=*.example.com&sort_by=fqdn"); !slices.Equal(got, []string{"a.example.com", "b.example.com"}) {
		t.Fatalf("fqdn pattern: %v", got)
	}
	if got := fqdns("?status=locked"); !slices.Equal(got, []string{"c.example.net"}) {
		t.Fatalf("status filter: %v", got)
	}
	r := e.get(vhostsPath(id) + "?per_page=1&sort_by=fqdn")
	if r.header.Get("Total-Count") != "3" || r.header.Get("Link") == "" {
		t.Fatalf("pagination headers: %v", r.header)
	}
	expectGandiError(t, e.get(vhostsPath(id)+"?status=up"), http.StatusBadRequest)
	expectGandiError(t, e.get(vhostsPath(id)+"?fqdn=caf%C3%A9.example"), http.StatusBadRequest)
}

func TestDeleteInstanceRemovesVhosts(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAlice, SeedInstance{Vhosts: []SeedVhost{{FQDN: "a.example.com"}}})
	expectStatus(t, e.del("/v5/simplehosting/instances/"+id), http.StatusNoContent)
	if st := e.get(vhostsPath(id) + "/a.example.com").obj(t)["status"]; st != "being_deleted" {
		t.Fatalf("vhost of a deleted instance: %v", st)
	}
	eventually(t, "instance and vhosts gone", func() bool {
		return e.get(vhostsPath(id)).status == http.StatusNotFound && len(e.sim.Vhosts(id)) == 0
	})
}

func TestVhostStatusMutations(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAlice, SeedInstance{Vhosts: []SeedVhost{{FQDN: "a.example.com", Application: &SeedApplication{Name: "wordpress"}}}})
	e.sim.SetVhostStatus(id, "a.example.com", "waiting_ownership")
	e.sim.SetApplicationStatus(id, "a.example.com", "error")
	d := e.get(vhostsPath(id) + "/a.example.com").obj(t)
	if d["status"] != "waiting_ownership" || d["application"].(map[string]any)["status"] != "error" {
		t.Fatalf("mutations not visible: %v", d)
	}
}
