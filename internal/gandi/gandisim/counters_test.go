package gandisim

import (
	"net/http"
	"testing"
)

func TestPasswordChangesCounter(t *testing.T) {
	e := newEnv(t)
	body := validCreate()
	body["authentication"] = map[string]any{"password": sha512Hash}
	id := e.createInstance(body, "")
	e.waitInstanceStatus(id, statusActive)
	path := "/v5/simplehosting/instances/" + id
	if e.sim.PasswordChanges() != 0 {
		t.Fatalf("the create's password counted as a change: %d", e.sim.PasswordChanges())
	}

	expectStatus(t, e.patch(path, map[string]any{"snapshot_enabled": true}), http.StatusAccepted)
	expectFieldError(t, e.patch(path, map[string]any{"password": "$6$bad"}), "password")
	if e.sim.PasswordChanges() != 0 {
		t.Fatalf("a PATCH without a (valid) password counted: %d", e.sim.PasswordChanges())
	}
	// The same password again is still a PATCH that sets it.
	expectStatus(t, e.patch(path, map[string]any{"password": sha512Hash}), http.StatusAccepted)
	expectStatus(t, e.patch(path, map[string]any{"password": md5Hash, "name": "x"}), http.StatusAccepted)
	if e.sim.PasswordChanges() != 2 {
		t.Fatalf("PasswordChanges = %d, want 2", e.sim.PasswordChanges())
	}
	e.sim.UpdateInstance(id, func(v *InstanceView) { v.PasswordChanges = 99 })
	if in, _ := e.sim.Instance(id); in.PasswordChanges != 2 {
		t.Fatalf("instance PasswordChanges = %d, want 2", in.PasswordChanges)
	}
	c := e.request("GET", "/_sim/counters", "", nil).obj(t)
	if n, _ := asInt(c["password_changes"]); n != 2 {
		t.Fatalf("counters: %v", c)
	}
	st := e.request("GET", "/_sim/state", "", nil).obj(t)
	if n, _ := asInt(st["instances"].([]any)[0].(map[string]any)["password_changes"]); n != 2 {
		t.Fatalf("state instances: %v", st["instances"])
	}
	e.sim.ResetCounters()
	if e.sim.PasswordChanges() != 0 {
		t.Fatalf("PasswordChanges not reset")
	}
}

func TestVhostCreatesCounter(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAlice, SeedInstance{})
	body := map[string]any{"fqdn": "www.example.com", "linked_dns_zone": map[string]any{"allow_alteration": false}}
	expectStatus(t, e.post(vhostsPath(id), body), http.StatusAccepted)
	expectGandiError(t, e.post(vhostsPath(id), body), http.StatusUnprocessableEntity)
	expectFieldError(t, e.post(vhostsPath(id), map[string]any{"fqdn": "not a host name"}), "fqdn")
	if e.sim.VhostCreates() != 1 {
		t.Fatalf("VhostCreates = %d, want 1", e.sim.VhostCreates())
	}
	c := e.request("GET", "/_sim/counters", "", nil).obj(t)
	if n, _ := asInt(c["vhost_creates"]); n != 1 {
		t.Fatalf("counters: %v", c)
	}
	e.sim.ResetCounters()
	if e.sim.VhostCreates() != 0 {
		t.Fatalf("VhostCreates not reset")
	}
}

func TestDispatchDoneReads(t *testing.T) {
	e := newEnv(t)
	clk := e.useFakeClock()
	step := FastTimings().DispatchStep
	domID := e.sim.AddDomain(orgAlice, "example.com")
	tpl := e.createTemplate(map[string]any{"name": "one", "payload": map[string]any{
		"domain:mailboxes": map[string]any{"values": []any{map[string]any{"login": "x"}}},
	}}, "")
	id := e.applyTemplate(tpl, domID)
	path := "/v5/template/dispatch/" + id
	doneReads := func() int {
		d, ok := e.sim.Dispatch(id)
		if !ok {
			t.Fatalf("dispatch %s not found", id)
		}
		return d.DoneReads
	}

	e.get(path)   // pending
	clk.Add(step) // running
	e.get(path)   //
	clk.Add(step) // done, but nobody looked
	if doneReads() != 0 {
		t.Fatalf("DoneReads = %d before any GET saw it done", doneReads())
	}
	if !finished(taskStatuses(e.get(path).obj(t))) {
		t.Fatalf("dispatch not done after two steps")
	}
	e.get(path)
	if doneReads() != 2 {
		t.Fatalf("DoneReads = %d, want 2", doneReads())
	}
	st := e.request("GET", "/_sim/state", "", nil).obj(t)
	if n, _ := asInt(st["dispatches"].([]any)[0].(map[string]any)["done_reads"]); n != 2 {
		t.Fatalf("state dispatches: %v", st["dispatches"])
	}

	// A dispatch that fails as a whole is finished too.
	e.sim.FailDispatches("boom")
	failed := "/v5/template/dispatch/" + e.applyTemplate(tpl, domID)
	clk.Add(step)
	if n, _ := asInt(e.get(failed).obj(t)["state"]); n != StateError {
		t.Fatalf("the dispatch did not fail as a whole")
	}
	for _, d := range e.sim.DispatchList() {
		if d.State == StateError && d.DoneReads != 1 {
			t.Fatalf("failed dispatch DoneReads = %d, want 1", d.DoneReads)
		}
	}
}

func TestPaidChangesCounter(t *testing.T) {
	e := newEnv(t)
	id := e.activeInstance(orgAlice, SeedInstance{Size: "m", StorageAdditionalSize: 10, Language: SeedRuntime{Name: "php", Version: "8.1"}})
	path := "/v5/simplehosting/instances/" + id
	expectStatus(t, e.patch(path, map[string]any{"name": "free", "snapshot_enabled": true}), http.StatusAccepted)
	expectGandiError(t, e.patch(path, map[string]any{"storage_additional_size": 5, "size": "l"}), http.StatusUnprocessableEntity)
	if e.sim.PaidChanges() != 0 {
		t.Fatalf("a free or refused PATCH counted as paid: %d", e.sim.PaidChanges())
	}
	// Each accepted PATCH carrying a paid field counts, the same size again
	// included: Gandi may charge each.
	for _, body := range []map[string]any{{"size": "l"}, {"size": "l"}, {"storage_additional_size": 20}, {"booster": true}} {
		expectStatus(t, e.patch(path, body), http.StatusAccepted)
	}
	if e.sim.PaidChanges() != 4 {
		t.Fatalf("PaidChanges = %d, want 4", e.sim.PaidChanges())
	}
	c := e.request("GET", "/_sim/counters", "", nil).obj(t)
	if n, _ := asInt(c["paid_changes"]); n != 4 {
		t.Fatalf("counters: %v", c)
	}
	e.sim.ResetCounters()
	if e.sim.PaidChanges() != 0 {
		t.Fatalf("PaidChanges not reset")
	}
}
