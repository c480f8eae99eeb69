package gandisim

import (
	"net/http"
	"testing"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	const path = "/v5/simplehosting/instances"
	cases := []struct {
		name string
		auth string
		want int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"scheme only", "Bearer", http.StatusUnauthorized},
		{"empty credential", "Bearer ", http.StatusUnauthorized},
		{"unknown scheme", "Basic " + tokAlice, http.StatusUnauthorized},
		{"wrong api key", "Apikey nope", http.StatusUnauthorized},
		{"bearer token sent as api key", "Apikey " + tokAlice, http.StatusUnauthorized},
		{"unknown bearer", "Bearer pat_nope", http.StatusForbidden},
		{"expired bearer", "Bearer " + tokExpired, http.StatusForbidden},
		{"api key sent as bearer", "Bearer " + keyLegacy, http.StatusForbidden},
		{"bearer", "Bearer " + tokAlice, http.StatusOK},
		{"bearer, scheme case-insensitive", "bearer " + tokAlice, http.StatusOK},
		{"api key", "Apikey " + keyLegacy, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.request("GET", path, c.auth, nil)
			if c.want == http.StatusOK {
				expectStatus(t, r, c.want)
				return
			}
			expectGandiError(t, r, c.want)
		})
	}
	if e.sim.Writes() != 0 {
		t.Fatalf("GETs counted as writes")
	}
}

func TestReadOnlyToken(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAcme, SeedInstance{})
	expectStatus(t, e.request("GET", "/v5/simplehosting/instances/"+id, bearer(tokReader), nil), http.StatusOK)
	expectGandiError(t, e.request("PATCH", "/v5/simplehosting/instances/"+id, bearer(tokReader), map[string]any{"name": "x"}), http.StatusForbidden)
	expectGandiError(t, e.request("POST", "/v5/simplehosting/instances", bearer(tokReader), validCreate()), http.StatusForbidden)
}

func TestOrganizationIsolation(t *testing.T) {
	e := newEnv(t)
	alices := e.activeInstance(orgAlice, SeedInstance{Name: "alice-site", Vhosts: []SeedVhost{{FQDN: "a.example.com"}}})
	bobs := e.activeInstance(orgBob, SeedInstance{Name: "bob-site"})
	asBob := func(method, path string, body any) resp { return e.request(method, path, bearer(tokBob), body) }

	inst := "/v5/simplehosting/instances/" + alices
	expectGandiError(t, asBob("GET", inst, nil), http.StatusForbidden)
	expectGandiError(t, asBob("PATCH", inst, map[string]any{"name": "x"}), http.StatusForbidden)
	expectGandiError(t, asBob("DELETE", inst, nil), http.StatusForbidden)
	expectGandiError(t, asBob("POST", inst+"/action", map[string]any{"action": "restart"}), http.StatusForbidden)
	expectGandiError(t, asBob("GET", inst+"/usage", nil), http.StatusForbidden)
	expectGandiError(t, asBob("GET", inst+"/vhosts", nil), http.StatusForbidden)
	expectGandiError(t, asBob("GET", inst+"/vhosts/a.example.com", nil), http.StatusForbidden)
	expectGandiError(t, asBob("DELETE", inst+"/vhosts/a.example.com/cache", nil), http.StatusForbidden)
	expectGandiError(t, asBob("GET", "/v5/simplehosting/instances?sharing_id="+orgAlice, nil), http.StatusForbidden)
	expectGandiError(t, asBob("GET", "/v5/simplehosting/applications?sharing_id="+orgAlice, nil), http.StatusForbidden)
	expectGandiError(t, e.get("/v5/simplehosting/instances/00000000-0000-4000-8000-000000000000"), http.StatusNotFound)

	list := asBob("GET", "/v5/simplehosting/instances", nil).arr(t)
	if len(list) != 1 || list[0].(map[string]any)["id"] != bobs {
		t.Fatalf("bob's list: %v", list)
	}
	if e.sim.Writes() == 0 {
		t.Fatalf("refused writes that reached a handler were not counted")
	}
}

// A member taken out of an organization keeps a working token: that
// organization's instance and its vhosts are a 403 to it from then on,
// while the instance list without sharing_id still answers it.
func TestMembershipLost(t *testing.T) {
	e := newEnv(t)
	acmes := e.activeInstance(orgAcme, SeedInstance{Name: "acme-site", Vhosts: []SeedVhost{{FQDN: "a.example.com"}}})
	inst := "/v5/simplehosting/instances/" + acmes
	expectStatus(t, e.get(inst), http.StatusOK)

	e.sim.AddAccount(Account{Token: tokAlice, User: "alice", Orgs: []Org{{ID: orgAlice, Name: "alice"}}})
	expectGandiError(t, e.get(inst), http.StatusForbidden)
	expectGandiError(t, e.get(inst+"/vhosts"), http.StatusForbidden)
	expectGandiError(t, e.get(inst+"/vhosts/a.example.com"), http.StatusForbidden)
	expectGandiError(t, e.get("/v5/simplehosting/instances?sharing_id="+orgAcme), http.StatusForbidden)
	if list := e.get("/v5/simplehosting/instances?per_page=1").arr(t); len(list) != 0 {
		t.Fatalf("the list shows an instance of an organization the token left: %v", list)
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	e := newEnv(t)
	expectGandiError(t, e.get("/v5/simplehosting/nothing"), http.StatusNotFound)
	r := e.request("PUT", "/v5/simplehosting/instances", bearer(tokAlice), map[string]any{})
	expectGandiError(t, r, http.StatusMethodNotAllowed)
	if r.header.Get("Allow") == "" {
		t.Fatalf("405 without Allow")
	}
}
