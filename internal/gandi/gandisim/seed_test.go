package gandisim

import (
	"net/http"
	"strings"
	"testing"
)

func TestSeedFromYAML(t *testing.T) {
	seed, err := LoadSeedFile("testdata/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	if err := e.sim.ApplySeed(seed); err != nil {
		t.Fatal(err)
	}
	asAlice := func(path string) resp { return e.request("GET", path, "Bearer pat_alice", nil) }

	list := asAlice("/v5/simplehosting/instances?sort_by=name")
	expectStatus(t, list, http.StatusOK)
	items := list.arr(t)
	if len(items) != 2 || items[0].(map[string]any)["name"] != "alice-blog" || items[1].(map[string]any)["name"] != "legacy-site" {
		t.Fatalf("alice's instances: %s", list.body)
	}
	d := asAlice("/v5/simplehosting/instances/5e1f0c2a-0000-4000-8000-00000000beef").obj(t)
	if d["size"] != "m" || d["status"] != "active" || d["datacenter"].(map[string]any)["code"] != "FR-SD3" ||
		d["created_at"] != "2023-05-01T10:00:00Z" || d["sharing_space"].(map[string]any)["name"] != "acme" {
		t.Fatalf("legacy-site: %v", d)
	}
	www := asAlice("/v5/simplehosting/instances/5e1f0c2a-0000-4000-8000-00000000beef/vhosts/www.acme.example").obj(t)
	if www["https_strategy"] != "redirect_HTTP_to_HTTPS" || www["application"].(map[string]any)["status"] != "running" ||
		www["linked_dns_zone"].(map[string]any)["last_checked_status"] != "livedns_done" {
		t.Fatalf("www vhost: %v", www)
	}
	if _, ok := asAlice("/v5/simplehosting/instances/5e1f0c2a-0000-4000-8000-00000000beef/vhosts/shop.acme.example").obj(t)["https_strategy"]; ok {
		t.Fatalf("shop vhost has no certificate but reports https_strategy")
	}

	tpls := asAlice("/v5/template/templates").arr(t)
	if len(tpls) != 2 {
		t.Fatalf("alice's templates: %v", tpls)
	}
	dom := asAlice("/v5/domain/domains/acme.example").obj(t)
	if dom["id"] != "0d1c8f5e-0000-4000-8000-0000000d0001" {
		t.Fatalf("seeded domain ID: %v", dom)
	}
	if ns := asAlice("/v5/domain/domains/alice.example").obj(t)["nameservers"].([]any); len(ns) != 2 || ns[0] != "ns1.elsewhere.example" {
		t.Fatalf("custom nameservers: %v", ns)
	}
	expectStatus(t, e.request("GET", "/v5/simplehosting/instances", "Apikey legacy-key-bob", nil), http.StatusOK)
	expectGandiError(t, e.request("GET", "/v5/simplehosting/instances", "Bearer pat_expired", nil), http.StatusForbidden)
	expectGandiError(t, e.request("DELETE", "/v5/simplehosting/instances/5e1f0c2a-0000-4000-8000-00000000beef", "Bearer pat_reader", nil), http.StatusForbidden)
	if e.sim.LastPassword("5e1f0c2a-0000-4000-8000-00000000beef") == "" {
		t.Fatalf("seeded password lost")
	}
}

func TestSeedRejectsMistakes(t *testing.T) {
	cases := map[string]string{
		"unknown field":        "instances:\n  - org: o\n    size: m\n    sise: m\n",
		"bad size":             "instances:\n  - org: o\n    size: huge\n",
		"datacenter region":    "instances:\n  - org: o\n    size: m\n    location: LU\n    datacenter: FR-SD3\n",
		"bad template":         "templates:\n  - org: o\n    name: t\n    payload:\n      dns:records: {records: [{name: '@', type: A, values: [x], ttl: 10}]}\n",
		"template without org": "templates:\n  - name: t\n    payload: {}\n",
		"unknown application":  "instances:\n  - org: o\n    size: m\n    vhosts: [{fqdn: a.example, application: {name: joomla}}]\n",
		"not yaml":             "instances: [",
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			sim := New(Options{})
			if err := sim.LoadSeed([]byte(doc)); err == nil {
				t.Fatalf("accepted:\n%s", doc)
			}
		})
	}
}

func TestSeedJSON(t *testing.T) {
	sim := New(Options{})
	err := sim.LoadSeed([]byte(`{"accounts":[{"token":"t","user":"u","orgs":[{"id":"o","name":"O"}]}],
		"instances":[{"org":"o","name":"j","size":"xxl","language":{"name":"python","version":"2.7"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	list := sim.Instances()
	if len(list) != 1 || list[0].Size != "xxl" || list[0].LanguageVersion != "2.7" || list[0].Status != "active" {
		t.Fatalf("instances: %+v", list)
	}
	if !strings.HasPrefix(list[0].Datacenter, "FR-") {
		t.Fatalf("default datacenter: %s", list[0].Datacenter)
	}
}

func TestAddInstancePanicsOnInvalid(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatalf("no panic")
		}
	}()
	New(Options{}).AddInstance("o", SeedInstance{Size: "huge"})
}
