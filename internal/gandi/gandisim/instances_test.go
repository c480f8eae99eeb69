package gandisim

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCreateInstanceAnswersAndDetails(t *testing.T) {
	e := newEnv(t)
	body := validCreate()
	body["name"] = "blog"
	body["storage_additional_size"] = 10
	body["authentication"] = map[string]any{"password": sha512Hash, "ssh_keys": []string{"ssh-ed25519 AAAAC3Nza test"}}
	body["autorenew"] = true
	r := e.post("/v5/simplehosting/instances", body)
	expectStatus(t, r, http.StatusAccepted)
	if msg, _ := r.obj(t)["message"].(string); msg == "" {
		t.Fatalf("202 body lacks message: %s", r.body)
	}
	id := strings.TrimPrefix(r.header.Get("Content-Location"), e.srv.URL+"/v5/simplehosting/instances/")
	if len(id) != 36 {
		t.Fatalf("Content-Location %q is not an absolute instance URL", r.header.Get("Content-Location"))
	}
	if got := e.sim.PaidCreates(); got != 1 {
		t.Fatalf("PaidCreates = %d, want 1", got)
	}
	if got := e.sim.LastPassword(id); got != sha512Hash {
		t.Fatalf("LastPassword = %q", got)
	}

	e.waitInstanceStatus(id, "active")
	d := e.get("/v5/simplehosting/instances/" + id).obj(t)
	if d["name"] != "blog" || d["size"] != "starter" {
		t.Fatalf("name/size: %v %v", d["name"], d["size"])
	}
	dc := d["datacenter"].(map[string]any)
	if dc["region"] != "FR" || !strings.HasPrefix(dc["code"].(string), "FR-") {
		t.Fatalf("datacenter inconsistent with location FR: %v", dc)
	}
	storage := d["storage"].(map[string]any)
	total, _ := asInt(storage["total"].(map[string]any)["value"])
	base, _ := asInt(storage["base"].(map[string]any)["value"])
	if total != base+10 {
		t.Fatalf("storage total %d != base %d + 10", total, base)
	}
	for _, k := range []string{"access_information", "console", "cpu", "ram", "vhosts", "booster", "compatible_applications",
		"upgrade_to", "available_upgrade", "autorenew", "password_updated_at", "expire_at", "created_at", "sharing_space", "language", "database"} {
		if _, ok := d[k]; !ok {
			t.Errorf("details lack %q", k)
		}
	}
	ai := d["access_information"].(map[string]any)
	db := ai["database"].(map[string]any)
	if db["host"] == nil || (db["socket"] == nil && db["port"] == nil) || len(db["admins"].([]any)) == 0 {
		t.Fatalf("access_information.database incomplete: %v", db)
	}
	if d["sharing_space"].(map[string]any)["id"] != orgAlice {
		t.Fatalf("owner is not the caller's own org: %v", d["sharing_space"])
	}
	lang := d["language"].(map[string]any)
	if lang["name"] != "php" || lang["version"] != languages["php"].recommended {
		t.Fatalf("language defaults: %v", lang)
	}
}

func TestPasswordUpdatedAtOnlyWhenSet(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAlice, SeedInstance{Name: "nopw"})
	d := e.get("/v5/simplehosting/instances/" + id).obj(t)
	if _, ok := d["password_updated_at"]; ok {
		t.Fatalf("password_updated_at present without a password")
	}
}

func TestInstanceLifecycleTransitions(t *testing.T) {
	e := newEnv(t)
	clk := e.useFakeClock()
	tm := FastTimings()
	id := e.createInstance(validCreate(), "")
	status := func() string { return e.get("/v5/simplehosting/instances/" + id).obj(t)["status"].(string) }
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, "waiting_bill"},
		{tm.InstanceWaitingBill - time.Millisecond, "waiting_bill"},
		{time.Millisecond, "being_created"},
		{tm.InstanceBeingCreated - time.Millisecond, "being_created"},
		{time.Millisecond, "active"},
	}
	for _, s := range steps {
		clk.Add(s.advance)
		if got := status(); got != s.want {
			t.Fatalf("after +%v: status %s, want %s", s.advance, got, s.want)
		}
	}
	expectStatus(t, e.del("/v5/simplehosting/instances/"+id), http.StatusNoContent)
	if got := status(); got != "being_deleted" {
		t.Fatalf("after DELETE: %s", got)
	}
	expectGandiError(t, e.del("/v5/simplehosting/instances/"+id), http.StatusConflict)
	clk.Add(tm.InstanceBeingDeleted)
	expectGandiError(t, e.get("/v5/simplehosting/instances/"+id), http.StatusNotFound)
}

func TestInstanceLifecycleRealTime(t *testing.T) {
	e := newEnv(t)
	id := e.createInstance(validCreate(), "")
	order := []string{"waiting_bill", "being_created", "active"}
	last := -1
	eventually(t, "active", func() bool {
		st := e.get("/v5/simplehosting/instances/" + id).obj(t)["status"].(string)
		i := slices.Index(order, st)
		if i < last {
			t.Fatalf("status went back to %s", st)
		}
		last = i
		return st == "active"
	})
	expectStatus(t, e.del("/v5/simplehosting/instances/"+id), http.StatusNoContent)
	eventually(t, "404 after delete", func() bool {
		return e.get("/v5/simplehosting/instances/"+id).status == http.StatusNotFound
	})
}

func TestCreateInstanceValidation(t *testing.T) {
	e := newEnv(t)
	mod := func(f func(b map[string]any)) map[string]any { b := validCreate(); f(b); return b }
	owner := map[string]any{"country": "FR", "email": "a@b.example", "family": "Doe", "given": "Jo", "streetaddr": "1 rue", "type": "individual"}
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"legacy size refused on create", mod(func(b map[string]any) { b["size"] = "m" }), "size"},
		{"missing size", mod(func(b map[string]any) { delete(b, "size") }), "size"},
		{"location", mod(func(b map[string]any) { b["location"] = "US" }), "location"},
		{"storage 1005", mod(func(b map[string]any) { b["storage_additional_size"] = 1005 }), "storage_additional_size"},
		{"storage negative", mod(func(b map[string]any) { b["storage_additional_size"] = -1 }), "storage_additional_size"},
		{"storage not integer", mod(func(b map[string]any) { b["storage_additional_size"] = 1.5 }), "storage_additional_size"},
		{"duration 0", mod(func(b map[string]any) { b["duration"] = 0 }), "duration"},
		{"duration unit", mod(func(b map[string]any) { b["duration_unit"] = "y" }), "duration_unit"},
		{"missing type", mod(func(b map[string]any) { delete(b, "type") }), "type"},
		{"language enum", mod(func(b map[string]any) { b["type"].(map[string]any)["language"] = map[string]any{"name": "java"} }), "type.language.name"},
		{"language version", mod(func(b map[string]any) {
			b["type"].(map[string]any)["language"] = map[string]any{"name": "php", "version": "5.6"}
		}), "type.language.version"},
		{"database enum", mod(func(b map[string]any) { b["type"].(map[string]any)["database"] = map[string]any{"name": "mongo"} }), "type.database.name"},
		{"bcrypt password", mod(func(b map[string]any) {
			b["authentication"] = map[string]any{"password": "$2y$10$abcdefghijklmnopqrstuv"}
		}), "authentication.password"},
		{"truncated sha512", mod(func(b map[string]any) { b["authentication"] = map[string]any{"password": sha512Hash[:40]} }), "authentication.password"},
		{"short clear password", mod(func(b map[string]any) { b["authentication"] = map[string]any{"password": "short"} }), "authentication.password"},
		{"password required", mod(func(b map[string]any) { b["authentication"] = map[string]any{} }), "authentication.password"},
		{"ssh key format", mod(func(b map[string]any) {
			b["authentication"] = map[string]any{"password": md5Hash, "ssh_keys": []string{"not a key"}}
		}), "authentication.ssh_keys.0"},
		{"misspelt field", mod(func(b map[string]any) { b["storage_additionnal_size"] = 1 }), "storage_additionnal_size"},
		{"case matters", mod(func(b map[string]any) { delete(b, "size"); b["Size"] = "starter" }), "Size"},
		{"null is not a string", mod(func(b map[string]any) { b["name"] = nil }), "name"},
		{"vhost fqdn", mod(func(b map[string]any) { b["vhosts"] = []any{map[string]any{"fqdn": "bad_host.example"}} }), "vhosts.0.fqdn"},
		{"vhost unicode fqdn", mod(func(b map[string]any) { b["vhosts"] = []any{map[string]any{"fqdn": "café.example"}} }), "vhosts.0.fqdn"},
		{"vhost https strategy", mod(func(b map[string]any) {
			b["vhosts"] = []any{map[string]any{"fqdn": "a.example", "https_strategy": "HTTPS_only"}}
		}), "vhosts.0.https_strategy"},
		{"vhost twice", mod(func(b map[string]any) {
			b["vhosts"] = []any{map[string]any{"fqdn": "a.example"}, map[string]any{"fqdn": "a.example"}}
		}), "vhosts.1.fqdn"},
		{"vhost unknown application", mod(func(b map[string]any) {
			b["vhosts"] = []any{map[string]any{"fqdn": "a.example", "application": map[string]any{"name": "joomla"}}}
		}), "vhosts.0.application.name"},
		{"vhost incompatible application", mod(func(b map[string]any) {
			b["type"].(map[string]any)["language"] = map[string]any{"name": "python"}
			b["vhosts"] = []any{map[string]any{"fqdn": "a.example", "application": map[string]any{"name": "wordpress"}}}
		}), "vhosts.0.application.name"},
		{"domain owner required", mod(func(b map[string]any) { b["domain"] = map[string]any{"fqdn": "new.example"} }), "domain.owner"},
		{"domain owner email", mod(func(b map[string]any) {
			o := map[string]any{}
			for k, v := range owner {
				o[k] = v
			}
			delete(o, "email")
			b["domain"] = map[string]any{"fqdn": "new.example", "owner": o}
		}), "domain.owner.email"},
		{"domain owner type", mod(func(b map[string]any) {
			o := map[string]any{}
			for k, v := range owner {
				o[k] = v
			}
			o["type"] = "person"
			b["domain"] = map[string]any{"fqdn": "new.example", "owner": o}
		}), "domain.owner.type"},
		{"company needs orgname", mod(func(b map[string]any) {
			o := map[string]any{}
			for k, v := range owner {
				o[k] = v
			}
			o["type"] = "company"
			b["domain"] = map[string]any{"fqdn": "new.example", "owner": o}
		}), "domain.owner.orgname"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectFieldError(t, e.post("/v5/simplehosting/instances", c.body), c.field)
		})
	}
	if n := len(e.sim.Instances()); n != 0 || e.sim.PaidCreates() != 0 {
		t.Fatalf("refused creates changed state: %d instances, %d paid", n, e.sim.PaidCreates())
	}
	t.Run("not JSON", func(t *testing.T) {
		expectGandiError(t, e.post("/v5/simplehosting/instances", "{"), http.StatusBadRequest)
	})
	t.Run("wrong content type", func(t *testing.T) {
		r := e.request("POST", "/v5/simplehosting/instances", bearer(tokAlice), validCreate(), "Content-Type", "text/plain")
		expectGandiError(t, r, http.StatusUnsupportedMediaType)
	})
}

func TestCreateInstanceAcceptsEveryCryptAndFullBody(t *testing.T) {
	e := newEnv(t)
	for _, pw := range []string{md5Hash, sha256Hash, sha512Hash, "clear text is fine"} {
		b := validCreate()
		b["authentication"] = map[string]any{"password": pw, "keys": []string{"9d3f5a4e-1c2b-4d6e-8f70-123456789abc"}}
		id := e.createInstance(b, "")
		if got := e.sim.LastPassword(id); got != pw {
			t.Fatalf("password stored as %q, sent %q", got, pw)
		}
	}
	full := validCreate()
	full["domain"] = map[string]any{
		"fqdn": "fresh.example",
		"owner": map[string]any{"country": "FR", "email": "a@b.example", "family": "Doe", "given": "Jo", "streetaddr": "1 rue",
			"type": "company", "orgname": "Doe SA", "lang": "fr", "data_obfuscated": true, "extra_parameters": map[string]any{"x": 1}},
	}
	full["duration"], full["duration_unit"], full["snapshot_enabled"] = 12, "m", true
	full["vhosts"] = []any{map[string]any{"fqdn": "www.fresh.example", "application": map[string]any{"name": "wordpress", "parameters": map[string]any{}},
		"https_strategy": "redirect_HTTP_to_HTTPS", "linked_dns_zone": map[string]any{"allow_alteration": true}, "with_free_ssl": true}}
	id := e.createInstance(full, "")
	in, _ := e.sim.Instance(id)
	if in.Domain != "fresh.example" || in.ExpireAt.Sub(in.CreatedAt) < 360*24*time.Hour {
		t.Fatalf("domain/duration not applied: %+v", in)
	}
	if _, ok := e.sim.Domain("fresh.example"); !ok {
		t.Fatalf("the free domain was not registered")
	}
}

func TestDryRun(t *testing.T) {
	e := newEnv(t)
	r := e.post("/v5/simplehosting/instances", validCreate(), "Dry-Run", "1")
	expectStatus(t, r, http.StatusOK)
	if m := r.obj(t); m["status"] != "success" {
		t.Fatalf("dry run of a valid body: %s", r.body)
	}
	bad := validCreate()
	bad["size"] = "xxl"
	r = e.post("/v5/simplehosting/instances", bad, "Dry-Run", "1")
	expectStatus(t, r, http.StatusOK) // a refusal is still a 200
	m := r.obj(t)
	if m["status"] != "error" || !hasFieldError(m, "size") {
		t.Fatalf("dry run of an invalid body: %s", r.body)
	}
	if r.header.Get("Content-Location") != "" {
		t.Fatalf("dry run answered a Content-Location")
	}
	if len(e.sim.Instances()) != 0 || e.sim.PaidCreates() != 0 {
		t.Fatalf("dry run changed state")
	}
	r = e.post("/v5/simplehosting/instances", validCreate(), "Dry-Run", "yes")
	expectFieldError(t, r, "Dry-Run")
	e.createInstance(validCreate(), "")
	if e.sim.PaidCreates() != 1 {
		t.Fatalf("PaidCreates = %d", e.sim.PaidCreates())
	}
}

func TestCreateBilling(t *testing.T) {
	e := newEnv(t)
	id := e.createInstance(validCreate(), "?sharing_id="+orgAcme)
	if in, _ := e.sim.Instance(id); in.OrgID != orgAcme {
		t.Fatalf("instance billed to %s, want acme", in.OrgID)
	}
	e.createInstance(validCreate(), "?sharing_id="+orgAlice) // own org needs no flag
	expectGandiError(t, e.post("/v5/simplehosting/instances?sharing_id="+orgNoBill, validCreate()), http.StatusForbidden)
	expectGandiError(t, e.post("/v5/simplehosting/instances?sharing_id="+orgBob, validCreate()), http.StatusForbidden)
	if e.sim.PaidCreates() != 2 {
		t.Fatalf("PaidCreates = %d, want 2", e.sim.PaidCreates())
	}
}

func TestDuplicateInstanceNamesAllowed(t *testing.T) {
	e := newEnv(t)
	b := validCreate()
	b["name"] = "twin"
	a, c := e.createInstance(b, ""), e.createInstance(b, "")
	if a == c {
		t.Fatalf("same ID twice")
	}
	r := e.get("/v5/simplehosting/instances?name=twin")
	if r.header.Get("Total-Count") != "2" {
		t.Fatalf("Total-Count %q, want 2", r.header.Get("Total-Count"))
	}
}

func TestListInstancesFiltersAndPagination(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"web-1", "web-2", "web-3", "shop"} {
		e.activeInstance(orgAlice, SeedInstance{Name: n, Size: "pro", Vhosts: []SeedVhost{{FQDN: n + ".example.com"}}})
	}
	e.activeInstance(orgAcme, SeedInstance{Name: "legacy", Size: "m", Status: "paused"})
	e.activeInstance(orgBob, SeedInstance{Name: "web-bob"})

	r := e.get("/v5/simplehosting/instances?per_page=2")
	expectStatus(t, r, http.StatusOK)
	if r.header.Get("Total-Count") != "5" || len(r.arr(t)) != 2 {
		t.Fatalf("Total-Count %q, %d items", r.header.Get("Total-Count"), len(r.arr(t)))
	}
	link := r.header.Get("Link")
	if !strings.Contains(link, `<`+e.srv.URL+`/v5/simplehosting/instances?page=2&per_page=2>; rel="next"`) ||
		!strings.Contains(link, `page=3&per_page=2>; rel="last"`) {
		t.Fatalf("Link = %q", link)
	}
	r = e.get("/v5/simplehosting/instances?per_page=2&page=3")
	if len(r.arr(t)) != 1 || r.header.Values("Link") != nil || r.header.Get("Total-Count") != "5" {
		t.Fatalf("last page: %d items, Link %q, Total-Count %q", len(r.arr(t)), r.header.Values("Link"), r.header.Get("Total-Count"))
	}
	r = e.get("/v5/simplehosting/instances?page=9")
	if string(r.body) != "[]\n" || r.header.Get("Total-Count") != "5" || r.header.Values("Link") != nil {
		t.Fatalf("page past the end: %s, Link %q", r.body, r.header.Values("Link"))
	}
	names := func(path string) []string {
		return pluck(e.get(path).arr(t), "name")
	}
	if got := names("/v5/simplehosting/instances?name=web*&sort_by=name"); !slices.Equal(got, []string{"web-1", "web-2", "web-3"}) {
		t.Fatalf("name pattern: %v", got)
	}
	if got := names("/v5/simplehosting/instances?sort_by=-name&name=*-*"); !slices.Equal(got, []string{"web-3", "web-2", "web-1"}) {
		t.Fatalf("reverse sort: %v", got)
	}
	if got := names("/v5/simplehosting/instances?size=m"); !slices.Equal(got, []string{"legacy"}) {
		t.Fatalf("size filter: %v", got)
	}
	if got := names("/v5/simplehosting/instances?status=paused&sharing_id=" + orgAcme); !slices.Equal(got, []string{"legacy"}) {
		t.Fatalf("status+sharing_id: %v", got)
	}
	if got := names("/v5/simplehosting/instances?fqdn=shop.example.*"); !slices.Equal(got, []string{"shop"}) {
		t.Fatalf("fqdn filter: %v", got)
	}
	if got := names("/v5/simplehosting/instances"); got[0] != "legacy" {
		t.Fatalf("default sort is -created_at: %v", got)
	}
	for _, q := range []string{"page=0", "per_page=0", "per_page=x", "size=huge", "status=on", "sort_by=color", "fqdn=caf%C3%A9.example"} {
		expectGandiError(t, e.get("/v5/simplehosting/instances?"+q), http.StatusBadRequest)
	}
	expectGandiError(t, e.get("/v5/simplehosting/instances?sharing_id="+orgBob), http.StatusForbidden)
}

func TestDefaultPerPage(t *testing.T) {
	e := newEnvWith(t, Options{Timings: FastTimings(), DefaultPerPage: 2})
	for range 3 {
		e.activeInstance(orgAlice, SeedInstance{})
	}
	r := e.get("/v5/simplehosting/instances")
	if len(r.arr(t)) != 2 || !strings.Contains(r.header.Get("Link"), `rel="next"`) {
		t.Fatalf("DefaultPerPage not applied: %s %q", r.body, r.header.Get("Link"))
	}
}

func TestPatchInstance(t *testing.T) {
	e := newEnv(t)
	clk := e.useFakeClock()
	step := FastTimings().InstanceUpdate
	legacy := e.activeInstance(orgAlice, SeedInstance{Size: "m", StorageAdditionalSize: 10, Language: SeedRuntime{Name: "php", Version: "8.1"}})
	path := "/v5/simplehosting/instances/" + legacy

	r := e.patch(path, map[string]any{"size": "l", "name": "renamed", "snapshot_enabled": true, "storage_additional_size": 20})
	expectStatus(t, r, http.StatusAccepted)
	if r.header.Get("Content-Location") != e.srv.URL+path || r.obj(t)["message"] == nil {
		t.Fatalf("PATCH answer: %q %s", r.header.Get("Content-Location"), r.body)
	}
	// 202: accepted, not done. Until Timings.InstanceUpdate has passed, a
	// GET shows the instance as it was.
	d := e.get(path).obj(t)
	if d["size"] != "m" || d["name"] == "renamed" || d["snapshot_enabled"] == true {
		t.Fatalf("PATCH applied before Timings.InstanceUpdate: %v %v %v", d["size"], d["name"], d["snapshot_enabled"])
	}
	if e.sim.PaidChanges() != 1 {
		t.Fatalf("PaidChanges = %d, want 1", e.sim.PaidChanges())
	}
	// The rules hold against what is already accepted: storage cannot go
	// below the 20 GB accepted, though the instance still shows 10.
	expectGandiError(t, e.patch(path, map[string]any{"storage_additional_size": 15}), http.StatusUnprocessableEntity)
	clk.Add(step)
	d = e.get(path).obj(t)
	if d["size"] != "l" || d["name"] != "renamed" || d["snapshot_enabled"] != true {
		t.Fatalf("PATCH not applied: %v %v %v", d["size"], d["name"], d["snapshot_enabled"])
	}

	expectFieldError(t, e.patch(path, map[string]any{"size": "xl"}), "size") // not a resize target
	expectFieldError(t, e.patch(path, map[string]any{"storage_additional_size": 1005}), "storage_additional_size")
	expectGandiError(t, e.patch(path, map[string]any{"storage_additional_size": 5}), http.StatusUnprocessableEntity)
	expectFieldError(t, e.patch(path, map[string]any{"booster_options": map[string]any{"size": "giant"}}), "booster_options.size")
	expectFieldError(t, e.patch(path, map[string]any{"password": "$6$bad"}), "password")

	current := e.activeInstance(orgAlice, SeedInstance{Size: "pro"})
	expectGandiError(t, e.patch("/v5/simplehosting/instances/"+current, map[string]any{"size": "l"}), http.StatusUnprocessableEntity)

	// language_id comes from the (simulator-extended) upgrade_to items.
	var ids []string
	var versions []string
	for _, it := range d["upgrade_to"].([]any) {
		u := it.(map[string]any)
		if u["type"] == "language" {
			ids = append(ids, u["id"].(string))
			versions = append(versions, u["version"].(string))
		}
	}
	if len(ids) == 0 || d["available_upgrade"] != true {
		t.Fatalf("php 8.1 offers no language upgrade: %v", d["upgrade_to"])
	}
	expectFieldError(t, e.patch(path, map[string]any{"language_id": "9d3f5a4e-1c2b-4d6e-8f70-123456789abc"}), "language_id")
	expectStatus(t, e.patch(path, map[string]any{"language_id": ids[len(ids)-1]}), http.StatusAccepted)
	clk.Add(step)
	if v := e.get(path).obj(t)["language"].(map[string]any)["version"]; v != versions[len(versions)-1] {
		t.Fatalf("language version = %v, want %s", v, versions[len(versions)-1])
	}

	expectStatus(t, e.patch(path, map[string]any{"password": sha512Hash, "booster": true, "booster_options": map[string]any{"size": "xl"}}), http.StatusAccepted)
	if e.sim.PaidChanges() != 2 {
		t.Fatalf("PaidChanges = %d, want 2 (a booster is paid)", e.sim.PaidChanges())
	}
	clk.Add(step)
	d = e.get(path).obj(t)
	if e.sim.LastPassword(legacy) != sha512Hash || d["password_updated_at"] == nil {
		t.Fatalf("password not recorded")
	}
	if cur, ok := d["booster"].(map[string]any)["current"].(map[string]any); !ok || cur["size_override"] != "xl" {
		t.Fatalf("booster: %v", d["booster"])
	}

	// The docs give a resize no direction: l down to s+ is taken.
	down := "/v5/simplehosting/instances/" + e.activeInstance(orgAlice, SeedInstance{Size: "l"})
	expectStatus(t, e.patch(down, map[string]any{"size": "s+"}), http.StatusAccepted)
	clk.Add(step)
	if d := e.get(down).obj(t); d["size"] != "s+" {
		t.Fatalf("size after a resize down = %v, want s+", d["size"])
	}

	e.sim.UpdateInstance(legacy, func(v *InstanceView) { v.Status = "locked" })
	expectGandiError(t, e.patch(path, map[string]any{"name": "x"}), http.StatusConflict)
}

func TestInstanceAction(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAlice, SeedInstance{})
	path := "/v5/simplehosting/instances/" + id + "/action"
	for _, a := range []string{"restart", "console", "reset_database_password"} {
		r := e.post(path, map[string]any{"action": a})
		expectStatus(t, r, http.StatusAccepted)
		if r.header.Get("Content-Location") != e.srv.URL+"/v5/simplehosting/instances/"+id || r.obj(t)["message"] == nil {
			t.Fatalf("action answer: %q %s", r.header.Get("Content-Location"), r.body)
		}
	}
	if got := e.sim.Actions(id); !slices.Equal(got, []string{"restart", "console", "reset_database_password"}) {
		t.Fatalf("Actions = %v", got)
	}
	if e.get("/v5/simplehosting/instances/" + id).obj(t)["console"].(map[string]any)["enabled"] != true {
		t.Fatalf("console action did not enable the console")
	}
	expectFieldError(t, e.post(path, map[string]any{"action": "reboot"}), "action")
	expectFieldError(t, e.post(path, map[string]any{}), "action")

	// 204 is documented as "the action cannot be performed".
	e.sim.FailNext(RouteInstanceAction, 1, http.StatusNoContent, 0)
	r := e.post(path, map[string]any{"action": "restart"})
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("injected 204: %d %s", r.status, r.body)
	}
	if len(e.sim.Actions(id)) != 3 {
		t.Fatalf("a 204 recorded an action")
	}
}

func TestInstanceUsage(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAlice, SeedInstance{Size: "starter", StorageAdditionalSize: 5, DiskUsedBytes: 1234})
	m := e.get("/v5/simplehosting/instances/" + id + "/usage").obj(t)
	size, _ := asInt(m["disk_size_bytes"])
	used, _ := asInt(m["disk_used_bytes"])
	if size != int64(sizes["starter"].baseGB+5)<<30 || used != 1234 {
		t.Fatalf("usage: %v", m)
	}
	expectGandiError(t, e.get("/v5/simplehosting/instances/00000000-0000-4000-8000-000000000000/usage"), http.StatusNotFound)
}

func TestWritesOnNotActiveInstance(t *testing.T) {
	e := newEnv(t)
	e.sim.SetTimings(Timings{InstanceWaitingBill: time.Hour})
	id := e.createInstance(validCreate(), "")
	path := "/v5/simplehosting/instances/" + id
	expectGandiError(t, e.patch(path, map[string]any{"name": "x"}), http.StatusConflict)
	expectGandiError(t, e.post(path+"/action", map[string]any{"action": "restart"}), http.StatusConflict)
	expectGandiError(t, e.post(path+"/vhosts", map[string]any{"fqdn": "a.example"}), http.StatusConflict)
	expectStatus(t, e.del(path), http.StatusNoContent) // a pending create can be cancelled
}

func TestDriftMadeAtGandi(t *testing.T) {
	e := newEnv(t)
	e.sim.SetTimings(Timings{InstanceBeingCreated: time.Hour})
	b := validCreate()
	b["vhosts"] = []any{map[string]any{"fqdn": "a.example"}}
	id := e.createInstance(b, "")
	e.sim.UpdateInstance(id, func(v *InstanceView) { v.Status, v.SnapshotEnabled, v.Name = "active", true, "changed" })
	d := e.get("/v5/simplehosting/instances/" + id).obj(t)
	if d["status"] != "active" || d["snapshot_enabled"] != true || d["name"] != "changed" {
		t.Fatalf("drift not visible: %v", d)
	}
	if vh := d["vhosts"].([]any); len(vh) != 1 {
		t.Fatalf("vhosts of the create body did not appear once active: %v", vh)
	}
}

// TestCreateRefusesAllowAlterationOnZoneItCannotAlter: the instance create
// docs say allow_alteration "can only be set if related domain is managed
// by LiveDNS and you have the rights to manage the domain records". A vhost
// asking it on another zone is refused, in the Dry-Run answer as in the
// create itself, and nothing is bought.
func TestCreateRefusesAllowAlterationOnZoneItCannotAlter(t *testing.T) {
	e := newEnv(t)
	e.sim.AddDomain(orgAlice, "example.com")
	e.sim.AddDomain(orgBob, "bob.example")
	if err := e.sim.LoadSeed([]byte(`{"domains": [{"org": "` + orgAlice + `", "fqdn": "readonly.example", "records_read_only": true},
		{"org": "` + orgAlice + `", "fqdn": "custom.example", "nameservers": ["ns1.custom.example"]}]}`)); err != nil {
		t.Fatal(err)
	}
	withVhosts := func(allow bool, fqdns ...string) map[string]any {
		b := validCreate()
		vhosts := make([]any, 0, len(fqdns))
		for _, f := range fqdns {
			vhosts = append(vhosts, map[string]any{"fqdn": f, "linked_dns_zone": map[string]any{"allow_alteration": allow}})
		}
		b["vhosts"] = vhosts
		return b
	}
	for _, fqdn := range []string{"www.elsewhere.example", "www.bob.example", "www.readonly.example", "www.custom.example"} {
		t.Run(fqdn, func(t *testing.T) {
			body := withVhosts(true, "www.example.com", fqdn)
			r := e.post("/v5/simplehosting/instances", body, "Dry-Run", "1")
			expectStatus(t, r, http.StatusOK)
			if m := r.obj(t); m["status"] != "error" || !hasFieldError(m, "vhosts.1.linked_dns_zone.allow_alteration") || hasFieldError(m, "vhosts.0.linked_dns_zone.allow_alteration") {
				t.Fatalf("dry run: %s", r.body)
			}
			expectFieldError(t, e.post("/v5/simplehosting/instances", body), "vhosts.1.linked_dns_zone.allow_alteration")
			// Without allow_alteration the same vhost is fine: its owner
			// proves ownership with the TXT.
			r = e.post("/v5/simplehosting/instances", withVhosts(false, fqdn), "Dry-Run", "1")
			if m := r.obj(t); m["status"] != "success" {
				t.Fatalf("dry run without allow_alteration: %s", r.body)
			}
		})
	}
	if n := len(e.sim.Instances()); n != 0 || e.sim.PaidCreates() != 0 {
		t.Fatalf("refused creates changed state: %d instances, %d paid", n, e.sim.PaidCreates())
	}
	e.createInstance(withVhosts(true, "www.example.com", "example.com"), "")
}

// TestBoosterExpiresAndCoolsDown: the booster reports a boost of
// duration_days ending at expires_at, and a next one available after
// cooldown_days. The boost ends at its expiry, the next is unavailable
// (available false, available_at) until the cooldown after it is over, and
// a PATCH booster:true meanwhile is refused with a 409 and counts as no
// paid change.
func TestBoosterExpiresAndCoolsDown(t *testing.T) {
	e := newEnv(t)
	clk := e.useFakeClock()
	day := 24 * time.Hour
	id := e.activeInstance(orgAlice, SeedInstance{})
	path := "/v5/simplehosting/instances/" + id
	booster := func() (current, next map[string]any) {
		t.Helper()
		b := e.get(path).obj(t)["booster"].(map[string]any)
		current, _ = b["current"].(map[string]any)
		return current, b["next"].(map[string]any)
	}
	if _, next := booster(); next["available"] != true || next["available_at"] != nil {
		t.Fatalf("a fresh instance's booster: %v", next)
	}

	expectStatus(t, e.patch(path, map[string]any{"booster": true}), http.StatusAccepted)
	// One boost accepted: another is refused, before and after it shows.
	expectGandiError(t, e.patch(path, map[string]any{"booster": true}), http.StatusConflict)
	clk.Add(FastTimings().InstanceUpdate)
	started := clk.Now()
	cur, next := booster()
	if cur == nil || cur["status"] != "active" || cur["expires_at"] != ts(started.Add(7*day)) || next["available"] != false {
		t.Fatalf("a running boost: current %v, next %v", cur, next)
	}
	expectGandiError(t, e.patch(path, map[string]any{"booster": true}), http.StatusConflict)

	// The boost ends at its expiry and the cooldown starts there.
	clk.Add(7*day - time.Second)
	if cur, _ := booster(); cur == nil {
		t.Fatalf("the boost ended before its expiry")
	}
	clk.Add(time.Second)
	availableAt := ts(started.Add(7 * day).Add(30 * day))
	if cur, next := booster(); cur != nil || next["available"] != false || next["available_at"] != availableAt {
		t.Fatalf("after the expiry: current %v, next %v (want available_at %s)", cur, next, availableAt)
	}
	if v, _ := e.sim.Instance(id); v.Booster {
		t.Fatalf("the instance view still shows the booster on")
	}
	clk.Add(30*day - time.Second)
	expectGandiError(t, e.patch(path, map[string]any{"booster": true}), http.StatusConflict)
	if e.sim.PaidChanges() != 1 {
		t.Fatalf("PaidChanges = %d, want 1 (refused boosts are not paid)", e.sim.PaidChanges())
	}

	// Once the cooldown is over, the next boost can start; turning it off
	// early starts the cooldown then.
	clk.Add(time.Second)
	if _, next := booster(); next["available"] != true || next["available_at"] != nil {
		t.Fatalf("after the cooldown: %v", next)
	}
	expectStatus(t, e.patch(path, map[string]any{"booster": true}), http.StatusAccepted)
	clk.Add(FastTimings().InstanceUpdate)
	clk.Add(day)
	expectStatus(t, e.patch(path, map[string]any{"booster": false}), http.StatusAccepted)
	expectGandiError(t, e.patch(path, map[string]any{"booster": true}), http.StatusConflict)
	clk.Add(FastTimings().InstanceUpdate)
	stopped := clk.Now()
	if cur, next := booster(); cur != nil || next["available"] != false || next["available_at"] != ts(stopped.Add(30*day)) {
		t.Fatalf("a boost turned off: current %v, next %v", cur, next)
	}
}

// Advance is how a test outside the package passes Gandi's days: a boost
// ends and its cooldown runs out as if the clock had moved.
func TestAdvanceRunsTheBoosterOut(t *testing.T) {
	e := newEnv(t)
	day := 24 * time.Hour
	id := e.activeInstance(orgAlice, SeedInstance{})
	path := "/v5/simplehosting/instances/" + id
	e.sim.UpdateInstance(id, func(v *InstanceView) { v.Booster = true })
	e.sim.Advance(7 * day)
	if v, _ := e.sim.Instance(id); v.Booster {
		t.Fatalf("the boost runs past its duration_days")
	}
	expectGandiError(t, e.patch(path, map[string]any{"booster": true}), http.StatusConflict)
	e.sim.Advance(30 * day)
	expectStatus(t, e.patch(path, map[string]any{"booster": true}), http.StatusAccepted)
}
