package gandisim

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// ownershipEnv is a simulator on a fake clock with an active instance of
// alice's.
type ownershipEnv struct {
	*env
	clk *fakeClock
	tm  Timings
	id  string
}

func newOwnershipEnv(t *testing.T) *ownershipEnv {
	t.Helper()
	e := newEnv(t)
	clk := e.useFakeClock()
	return &ownershipEnv{env: e, clk: clk, tm: FastTimings(), id: e.activeInstance(orgAlice, SeedInstance{})}
}

func (o *ownershipEnv) vhostPath(fqdn string) string { return vhostsPath(o.id) + "/" + fqdn }

// createVhost POSTs a vhost and lets its creation end.
func (o *ownershipEnv) createVhost(fqdn string, allowAlteration bool) {
	o.t.Helper()
	expectStatus(o.t, o.post(vhostsPath(o.id), map[string]any{"fqdn": fqdn, "linked_dns_zone": map[string]any{"allow_alteration": allowAlteration}}), http.StatusAccepted)
	o.clk.Add(o.tm.VhostBeingCreated)
}

func (o *ownershipEnv) details(fqdn string) (status string, zone map[string]any) {
	o.t.Helper()
	d := o.get(o.vhostPath(fqdn)).obj(o.t)
	return d["status"].(string), d["linked_dns_zone"].(map[string]any)
}

func (o *ownershipEnv) expectState(fqdn, want string) map[string]any {
	o.t.Helper()
	st, zone := o.details(fqdn)
	if st != want {
		o.t.Fatalf("%s is %s, want %s (zone %v)", fqdn, st, want, zone)
	}
	return zone
}

// publish goes through the control API, as a demo script or e2e test would.
func (o *ownershipEnv) publish(zone string, records ...DNSRecord) {
	o.t.Helper()
	expectStatus(o.t, o.request("POST", "/_sim/dns", "", map[string]any{"zone": zone, "records": records}), http.StatusNoContent)
}

// exampleCom is the zone example.com as the simulator holds it.
func (o *ownershipEnv) exampleCom() DomainView {
	o.t.Helper()
	d, ok := o.sim.Domain("example.com")
	if !ok {
		o.t.Fatalf("no zone example.com")
	}
	return d
}

func record(d DomainView, name, typ string) []string {
	for _, r := range d.Records {
		if r.Name == name && r.Type == typ {
			return r.Values
		}
	}
	return nil
}

func TestVhostOnAlterableZoneRunsAndGetsItsRecords(t *testing.T) {
	o := newOwnershipEnv(t)
	o.sim.AddDomain(orgAlice, "example.com")

	o.createVhost("www.example.com", true)
	zone := o.expectState("www.example.com", "running")
	if zone["is_alterable"] != true || zone["last_checked_status"] != "livedns_done" || zone["last_checked_at"] == nil {
		t.Fatalf("zone: %v", zone)
	}
	if got := record(o.exampleCom(), "www", "CNAME"); !slices.Equal(got, []string{zone["cname"].(string)}) {
		t.Fatalf("CNAME written: %v, want %v", got, zone["cname"])
	}

	// At the root Gandi writes A and AAAA instead.
	o.createVhost("example.com", true)
	zone = o.expectState("example.com", "running")
	d := o.exampleCom()
	if zone["is_root"] != true || zone["key"] != "@" ||
		!slices.Equal(record(d, "@", "A"), []string{zone["ipv4"].(string)}) || !slices.Equal(record(d, "@", "AAAA"), []string{zone["ipv6"].(string)}) {
		t.Fatalf("root records: %v for %v", d.Records, zone)
	}

	// Without allow_alteration the vhost runs too (the organization holds
	// the zone) but nothing is written: the records are the user's to add.
	o.createVhost("blog.example.com", false)
	zone = o.expectState("blog.example.com", "running")
	if zone["last_checked_status"] != "unknown" || record(o.exampleCom(), "blog", "CNAME") != nil {
		t.Fatalf("without allow_alteration: %v, records %v", zone, o.exampleCom().Records)
	}
	at := zone["last_checked_at"]
	o.clk.Add(time.Minute)
	if _, again := o.details("blog.example.com"); again["last_checked_at"] != at {
		t.Fatalf("last_checked_at moved with the zone unchanged: %v -> %v", at, again["last_checked_at"])
	}
	o.publish("example.com", DNSRecord{Name: "blog", Type: "CNAME", Values: []string{strings.TrimSuffix(zone["cname"].(string), ".")}})
	if _, zone = o.details("blog.example.com"); zone["last_checked_status"] != "altered" || zone["last_checked_at"] == at {
		t.Fatalf("after the user's CNAME: %v", zone)
	}
}

func TestVhostWaitsForItsTXTThenRuns(t *testing.T) {
	o := newOwnershipEnv(t)
	o.createVhost("www.elsewhere.example", false)
	zone := o.expectState("www.elsewhere.example", "waiting_ownership")
	txt, _ := zone["txt"].(string)
	if zone["is_alterable"] != false || zone["domain"] != "elsewhere.example" || zone["key"] != "www" || !strings.HasPrefix(txt, "gandi-webhosting-verification=") {
		t.Fatalf("zone of a waiting vhost: %v", zone)
	}

	o.clk.Add(o.tm.VhostValidationTimeout - time.Second)
	o.publish("elsewhere.example", DNSRecord{Name: "www", Type: "TXT", Values: []string{"gandi-webhosting-verification=0000"}})
	o.publish("elsewhere.example", DNSRecord{Name: "other", Type: "TXT", Values: []string{txt}})
	o.expectState("www.elsewhere.example", "waiting_ownership")

	// As DNS interfaces often show it: quoted.
	o.publish("elsewhere.example", DNSRecord{Name: "www", Type: "TXT", TTL: 300, Values: []string{`"` + txt + `"`}})
	o.expectState("www.elsewhere.example", "ownership_validated")
	o.clk.Add(o.tm.VhostOwnershipValidated)
	zone = o.expectState("www.elsewhere.example", "running")
	if zone["last_checked_status"] != "unknown" {
		t.Fatalf("running without a CNAME: %v", zone)
	}
	// The validation is done: taking the TXT away changes nothing.
	expectStatus(t, o.request("DELETE", "/_sim/dns", "", map[string]any{"zone": "elsewhere.example", "name": "www", "type": "TXT"}), http.StatusNoContent)
	o.clk.Add(o.tm.VhostValidationTimeout)
	o.expectState("www.elsewhere.example", "running")
}

func TestVhostValidationFailsWithoutItsTXT(t *testing.T) {
	o := newOwnershipEnv(t)
	o.createVhost("shop.elsewhere.example", true)
	zone := o.expectState("shop.elsewhere.example", "waiting_ownership")
	if zone["last_checked_status"] != "livedns_error" {
		t.Fatalf("allow_alteration on a zone Gandi cannot alter: %v", zone)
	}
	o.clk.Add(o.tm.VhostValidationTimeout - time.Millisecond)
	o.expectState("shop.elsewhere.example", "waiting_ownership")
	o.clk.Add(time.Millisecond)
	zone = o.expectState("shop.elsewhere.example", "validation_failed")

	// Publishing late does not revive it by itself...
	o.publish("elsewhere.example", DNSRecord{Name: "shop", Type: "TXT", Values: []string{zone["txt"].(string)}})
	o.clk.Add(time.Hour)
	o.expectState("shop.elsewhere.example", "validation_failed")
	// ...a PATCH of linked_dns_zone has Gandi check again.
	r := o.patch(o.vhostPath("shop.elsewhere.example"), map[string]any{"linked_dns_zone": map[string]any{"allow_alteration": false}})
	expectStatus(t, r, http.StatusOK)
	if st := r.obj(t)["status"]; st != "waiting_ownership" {
		t.Fatalf("PATCH answer: %v", st)
	}
	o.expectState("shop.elsewhere.example", "ownership_validated")
	o.clk.Add(o.tm.VhostOwnershipValidated)
	o.expectState("shop.elsewhere.example", "running")
}

// A proof published before the deadline counts even when nobody looked
// before the deadline passed; one published after it does not.
func TestVhostValidationIsDatedByThePublication(t *testing.T) {
	o := newOwnershipEnv(t)
	o.createVhost("a.elsewhere.example", false)
	_, zone := o.details("a.elsewhere.example")
	o.clk.Add(o.tm.VhostValidationTimeout / 2)
	if err := o.sim.PublishDNS("elsewhere.example", DNSRecord{Name: "a", Type: "TXT", Values: []string{zone["txt"].(string)}}); err != nil {
		t.Fatal(err)
	}
	o.clk.Add(o.tm.VhostValidationTimeout)
	o.expectState("a.elsewhere.example", "running")

	o.createVhost("b.elsewhere.example", false)
	_, zone = o.details("b.elsewhere.example")
	o.clk.Add(o.tm.VhostValidationTimeout)
	if err := o.sim.PublishDNS("elsewhere.example", DNSRecord{Name: "b", Type: "TXT", Values: []string{zone["txt"].(string)}}); err != nil {
		t.Fatal(err)
	}
	o.expectState("b.elsewhere.example", "validation_failed")
}

func TestHTTPSVhostAlsoNeedsItsPointingRecords(t *testing.T) {
	e := newEnv(t)
	clk := e.useFakeClock()
	tm := FastTimings()
	b := validCreate()
	b["vhosts"] = []any{
		map[string]any{"fqdn": "www.secure.example", "with_free_ssl": true},
		map[string]any{"fqdn": "secure.example", "with_free_ssl": true},
	}
	id := e.createInstance(b, "")
	clk.Add(tm.InstanceWaitingBill + tm.InstanceBeingCreated + tm.VhostBeingCreated)
	path := vhostsPath(id)
	for _, fqdn := range []string{"www.secure.example", "secure.example"} {
		d := e.get(path + "/" + fqdn).obj(t)
		if d["status"] != "waiting_ownership" {
			t.Fatalf("%s: %v", fqdn, d)
		}
		zone := d["linked_dns_zone"].(map[string]any)
		key := zone["key"].(string)
		if err := e.sim.PublishDNS("secure.example", DNSRecord{Name: key, Type: "TXT", Values: []string{zone["txt"].(string)}}); err != nil {
			t.Fatal(err)
		}
		if st := e.get(path + "/" + fqdn).obj(t)["status"]; st != "waiting_ownership" {
			t.Fatalf("%s with its TXT but no CNAME/A/AAAA: %v", fqdn, st)
		}
		if key == "@" {
			// A CNAME cannot sit at the root; either address record does.
			if err := e.sim.PublishDNS("secure.example", DNSRecord{Name: "@", Type: "CNAME", Values: []string{zone["cname"].(string)}}); err != nil {
				t.Fatal(err)
			}
			if st := e.get(path + "/" + fqdn).obj(t)["status"]; st != "waiting_ownership" {
				t.Fatalf("a root CNAME counted: %v", st)
			}
			err := e.sim.PublishDNS("secure.example", DNSRecord{Name: "@", Type: "AAAA", Values: []string{zone["ipv6"].(string)}})
			if err != nil {
				t.Fatal(err)
			}
		} else if err := e.sim.PublishDNS("secure.example", DNSRecord{Name: key, Type: "CNAME", Values: []string{zone["cname"].(string)}}); err != nil {
			t.Fatal(err)
		}
		if st := e.get(path + "/" + fqdn).obj(t)["status"]; st != "ownership_validated" {
			t.Fatalf("%s with TXT and pointing records: %v", fqdn, st)
		}
	}
	clk.Add(tm.VhostOwnershipValidated)
	for _, fqdn := range []string{"www.secure.example", "secure.example"} {
		d := e.get(path + "/" + fqdn).obj(t)
		if d["status"] != "running" || len(d["certificates"].([]any)) != 1 || d["linked_dns_zone"].(map[string]any)["last_checked_status"] != "altered" {
			t.Fatalf("%s: %v", fqdn, d)
		}
	}
}

// Only a zone the instance's organization holds, at LiveDNS, with the right
// to manage its records proves ownership by itself.
func TestWhichZonesProveOwnership(t *testing.T) {
	cases := []struct {
		name string
		seed string
		want string
	}{
		{"held at LiveDNS", "{org: " + orgAlice + ", fqdn: example.net}", "running"},
		{"held at LiveDNS by name", "{org: " + orgAlice + ", fqdn: example.net, nameservers: [ns1.gandi.net, ns2.gandi.net, ns3.gandi.net]}", "running"},
		{"held, other nameservers", "{org: " + orgAlice + ", fqdn: example.net, nameservers: [ns1.example.org]}", "waiting_ownership"},
		{"held, records read-only", "{org: " + orgAlice + ", fqdn: example.net, records_read_only: true}", "waiting_ownership"},
		{"held by another organization", "{org: " + orgBob + ", fqdn: example.net}", "waiting_ownership"},
		{"held by nobody", "{fqdn: example.net}", "waiting_ownership"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newOwnershipEnv(t)
			if err := o.sim.LoadSeed([]byte("domains:\n  - " + c.seed + "\n")); err != nil {
				t.Fatal(err)
			}
			o.createVhost("www.example.net", true)
			zone := o.expectState("www.example.net", c.want)
			if alterable := c.want == "running"; zone["is_alterable"] != alterable {
				t.Fatalf("is_alterable = %v", zone["is_alterable"])
			}
		})
	}
}

// A held domain that moves to LiveDNS through a template proves the
// ownership of the vhosts waiting on it, as of when the dispatch ended even
// if nobody looks before the deadline.
func TestDispatchToLiveDNSValidatesAWaitingVhost(t *testing.T) {
	o := newOwnershipEnv(t)
	domID, err := o.sim.AddTemplate(orgAlice, SeedTemplate{Name: "to-livedns", Payload: map[string]any{
		"domain:nameservers": map[string]any{"service": "livedns", "addresses": []any{}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.sim.LoadSeed([]byte("domains: [{org: " + orgAlice + ", fqdn: moving.example, nameservers: [ns1.example.org]}]")); err != nil {
		t.Fatal(err)
	}
	o.createVhost("www.moving.example", false)
	o.expectState("www.moving.example", "waiting_ownership")
	dom, _ := o.sim.Domain("moving.example")
	expectStatus(t, o.post("/v5/template/templates/"+domID, map[string]any{"object_type": "domain", "object_id": dom.ID}), http.StatusAccepted)
	o.clk.Add(o.tm.VhostValidationTimeout + time.Hour)
	o.expectState("www.moving.example", "running")
}

func TestLastCheckedStatusConflictAndOverride(t *testing.T) {
	o := newOwnershipEnv(t)
	if err := o.sim.LoadSeed([]byte("domains: [{org: " + orgAlice + ", fqdn: example.com, records: [{name: www, type: A, values: [203.0.113.7]}]}]")); err != nil {
		t.Fatal(err)
	}
	o.createVhost("www.example.com", true)
	zone := o.expectState("www.example.com", "running")
	if zone["last_checked_status"] != "livedns_conflict" || !slices.Equal(record(o.exampleCom(), "www", "A"), []string{"203.0.113.7"}) {
		t.Fatalf("conflict: %v, records %v", zone, o.exampleCom().Records)
	}
	o.clk.Add(time.Second)
	r := o.patch(o.vhostPath("www.example.com"), map[string]any{"linked_dns_zone": map[string]any{"allow_alteration": true, "allow_alteration_override": true}})
	expectStatus(t, r, http.StatusOK)
	if st := r.obj(t)["linked_dns_zone"].(map[string]any)["last_checked_status"]; st != "livedns_done" {
		t.Fatalf("after override: %v", st)
	}
	d := o.exampleCom()
	if record(d, "www", "A") != nil || record(d, "www", "CNAME") == nil {
		t.Fatalf("override did not replace the A record: %v", d.Records)
	}
}

func TestFQDNServedByAnotherInstanceIsRefused(t *testing.T) {
	e := newEnv(t)
	e.sim.AddDomain(orgAlice, "example.com")
	first := e.activeInstance(orgAlice, SeedInstance{Vhosts: []SeedVhost{{FQDN: "www.example.com"}}})
	second := e.activeInstance(orgAlice, SeedInstance{})
	bobs := e.activeInstance(orgBob, SeedInstance{})

	m := expectGandiError(t, e.post(vhostsPath(second), map[string]any{"fqdn": "WWW.example.com"}), http.StatusUnprocessableEntity)
	if m["object"] != "Vhost" || !strings.Contains(m["message"].(string), "another instance") {
		t.Fatalf("refusal body: %v", m)
	}
	// Another organization's instance is refused too, without naming the
	// instance that serves the FQDN.
	r := e.request("POST", vhostsPath(bobs), bearer(tokBob), map[string]any{"fqdn": "www.example.com"})
	if m := expectGandiError(t, r, http.StatusUnprocessableEntity); strings.Contains(m["message"].(string), first) {
		t.Fatalf("the refusal reveals the instance: %v", m)
	}
	b := validCreate()
	b["vhosts"] = []any{map[string]any{"fqdn": "www.example.com"}}
	expectFieldError(t, e.post("/v5/simplehosting/instances", b), "vhosts.0.fqdn")
	if err := e.sim.LoadSeed([]byte("instances: [{org: " + orgAlice + ", size: starter, vhosts: [{fqdn: www.example.com}]}]")); err == nil {
		t.Fatalf("a seed gave the FQDN to a second instance")
	}

	// Still served while being deleted; free once gone.
	expectStatus(t, e.del(vhostsPath(first)+"/www.example.com"), http.StatusNoContent)
	expectGandiError(t, e.post(vhostsPath(second), map[string]any{"fqdn": "www.example.com"}), http.StatusUnprocessableEntity)
	eventually(t, "vhost gone", func() bool { return e.get(vhostsPath(first)+"/www.example.com").status == http.StatusNotFound })
	expectStatus(t, e.post(vhostsPath(second), map[string]any{"fqdn": "www.example.com"}), http.StatusAccepted)

	// An instance create's vhosts hold their FQDN before they appear.
	b["vhosts"] = []any{map[string]any{"fqdn": "shop.example.com"}}
	pending := e.createInstance(b, "")
	expectGandiError(t, e.post(vhostsPath(second), map[string]any{"fqdn": "shop.example.com"}), http.StatusUnprocessableEntity)
	if len(e.sim.Vhosts(pending)) != 0 {
		t.Fatalf("vhosts before the instance is active")
	}
}

func TestControlDNS(t *testing.T) {
	e := newEnv(t)
	ctl := func(method string, body any) resp { return e.request(method, "/_sim/dns", "", body) }
	txt := DNSRecord{Name: "www", Type: "TXT", Values: []string{"proof"}}

	for name, body := range map[string]any{
		"no zone":         map[string]any{"records": []any{txt}},
		"no records":      map[string]any{"zone": "elsewhere.example"},
		"bad zone":        map[string]any{"zone": "bad_zone.example", "records": []any{txt}},
		"bad type":        map[string]any{"zone": "elsewhere.example", "records": []any{map[string]any{"name": "www", "type": "TXTX", "values": []any{"x"}}}},
		"bad name":        map[string]any{"zone": "elsewhere.example", "records": []any{map[string]any{"name": "www..x", "type": "TXT", "values": []any{"x"}}}},
		"no values":       map[string]any{"zone": "elsewhere.example", "records": []any{map[string]any{"name": "www", "type": "TXT"}}},
		"unknown field":   map[string]any{"zone": "elsewhere.example", "records": []any{txt}, "ttl": 3},
		"name on publish": map[string]any{"zone": "elsewhere.example", "records": []any{txt}, "name": "www"},
	} {
		t.Run(name, func(t *testing.T) { expectStatus(t, ctl("POST", body), http.StatusBadRequest) })
	}
	if len(e.sim.Domains()) != 0 {
		t.Fatalf("a refused publication created a zone: %v", e.sim.Domains())
	}

	expectStatus(t, ctl("POST", map[string]any{"zone": "Elsewhere.Example.", "records": []any{txt, map[string]any{"name": "@", "type": "A", "values": []any{"192.0.2.1"}}}}), http.StatusNoContent)
	expectStatus(t, ctl("POST", map[string]any{"zone": "elsewhere.example", "records": []any{map[string]any{"name": "www", "type": "TXT", "values": []any{"replaced"}}}}), http.StatusNoContent)
	zones := ctl("GET", nil).obj(t)["zones"].([]any)
	if len(zones) != 1 {
		t.Fatalf("zones: %v", zones)
	}
	z := zones[0].(map[string]any)
	if z["zone"] != "elsewhere.example" || z["org_id"] != "" || z["nameserver_service"] != "custom" || len(z["records"].([]any)) != 2 {
		t.Fatalf("zone: %v", z)
	}
	if www := z["records"].([]any)[0].(map[string]any); www["values"].([]any)[0] != "replaced" {
		t.Fatalf("a record set is replaced by name and type: %v", www)
	}
	// Held by no account: the domain API does not show it.
	expectGandiError(t, e.get("/v5/domain/domains/elsewhere.example"), http.StatusNotFound)

	expectStatus(t, ctl("DELETE", map[string]any{"zone": "elsewhere.example", "name": "www"}), http.StatusNoContent)
	expectStatus(t, ctl("DELETE", map[string]any{"zone": "nowhere.example", "name": "www"}), http.StatusBadRequest)
	expectStatus(t, ctl("DELETE", map[string]any{"zone": "elsewhere.example"}), http.StatusBadRequest)
	if d, _ := e.sim.Domain("elsewhere.example"); len(d.Records) != 1 || d.Records[0].Type != "A" {
		t.Fatalf("after DELETE: %v", d.Records)
	}

	expectStatus(t, e.request("POST", "/_sim/timings", "", map[string]any{"vhost_validation_timeout": "2s", "vhost_ownership_validated": "1s"}), http.StatusNoContent)
	e.sim.mu.Lock()
	tm := e.sim.timings
	e.sim.mu.Unlock()
	if tm.VhostValidationTimeout != 2*time.Second || tm.VhostOwnershipValidated != time.Second {
		t.Fatalf("timings: %+v", tm)
	}
}

// The seed publishes a zone held by no account with the proof of a seeded
// waiting vhost, computed as the package doc says.
func TestSeedPublishesAProof(t *testing.T) {
	e := newEnv(t)
	const id = "5e1f0c2a-0000-4000-8000-0000000000aa"
	sum := sha256.Sum256([]byte(id + " shop.elsewhere.example"))
	txt := "gandi-webhosting-verification=" + hex.EncodeToString(sum[:16])
	seed := `
domains:
  - fqdn: elsewhere.example
    records: [{name: shop, type: TXT, values: ["` + txt + `"]}]
instances:
  - {org: ` + orgAlice + `, id: ` + id + `, size: starter, vhosts: [{fqdn: shop.elsewhere.example, status: waiting_ownership}]}
`
	if err := e.sim.LoadSeed([]byte(seed)); err != nil {
		t.Fatal(err)
	}
	d := e.get(vhostsPath(id) + "/shop.elsewhere.example").obj(t)
	if got := d["linked_dns_zone"].(map[string]any)["txt"]; got != txt {
		t.Fatalf("txt = %v, want %v", got, txt)
	}
	eventually(t, "seeded vhost running", func() bool { return e.get(vhostsPath(id) + "/shop.elsewhere.example").obj(t)["status"] == "running" })
	z, _ := e.sim.Domain("elsewhere.example")
	if z.OrgID != "" || z.NameserverService != "custom" || !slices.Equal(z.Nameservers, elsewhereNameservers) {
		t.Fatalf("zone held by nobody: %+v", z)
	}
	if err := e.sim.LoadSeed([]byte("domains: [{fqdn: x.example, records: [{name: www, type: TXT}]}]")); err == nil {
		t.Fatalf("a record without values was seeded")
	}
}
