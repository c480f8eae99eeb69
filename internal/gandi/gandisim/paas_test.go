package gandisim

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testPaasKey = "paas-test-key"

// postXML posts an XML-RPC body to url under the test's context.
func postXML(t testing.TB, url string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	return http.DefaultClient.Do(req)
}

type xenv struct {
	t   *testing.T
	s   *Server
	url string
}

func newXEnv(t *testing.T) *xenv {
	t.Helper()
	s := New(Options{Timings: FastTimings()})
	s.AddAccount(Account{Token: testPaasKey, APIKey: true, User: "alice"})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &xenv{t: t, s: s, url: ts.URL + XMLRPCPath}
}

// call sends method with the key first; it returns the value or the fault.
func (e *xenv) call(method string, params ...any) (any, *xfault) {
	e.t.Helper()
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\"?><methodCall><methodName>" + method + "</methodName><params>")
	for _, p := range append([]any{testPaasKey}, params...) {
		b.WriteString("<param>")
		writeValue(&b, p)
		b.WriteString("</param>")
	}
	b.WriteString("</params></methodCall>")
	res, err := postXML(e.t, e.url, &b)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		e.t.Fatalf("%s: HTTP %d", method, res.StatusCode)
	}
	var root xnode
	if err := xml.Unmarshal(body, &root); err != nil {
		e.t.Fatalf("%s: %v in %s", method, err, body)
	}
	if f := root.child("fault"); f != nil {
		v, _ := parseValue(f.child("value"))
		m := v.(map[string]any)
		return nil, &xfault{code: int(m["faultCode"].(int64)), msg: m["faultString"].(string)}
	}
	v, err := parseValue(root.child("params").child("param").child("value"))
	if err != nil {
		e.t.Fatal(err)
	}
	return v, nil
}

func (e *xenv) must(method string, params ...any) any {
	e.t.Helper()
	v, f := e.call(method, params...)
	if f != nil {
		e.t.Fatalf("%s: fault %d %s", method, f.code, f.msg)
	}
	return v
}

func (e *xenv) fault(want int, method string, params ...any) {
	e.t.Helper()
	if _, f := e.call(method, params...); f == nil || f.code != want {
		e.t.Fatalf("%s: want fault %d, got %+v", method, want, f)
	}
}

func createParams(name string) map[string]any {
	return map[string]any{"datacenter_id": 1, "duration": "1m", "name": name, "password": "s3cret-pass",
		"size": "s", "type": "php7.3mysql5.7", "vhosts": []any{"www." + name + ".example.com"}}
}

func (e *xenv) waitState(id int64, want string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		info := e.must("paas.info", id).(map[string]any)
		if info["state"] == want {
			return info
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("instance %d: state %v, want %s", id, info["state"], want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *xenv) createRunning(name string) int64 {
	e.t.Helper()
	e.must("paas.create", createParams(name))
	list := e.must("paas.list", map[string]any{"name": name}).([]any)
	id := list[0].(map[string]any)["id"].(int64)
	e.waitState(id, "running")
	return id
}

func TestPaasCreateLifecycle(t *testing.T) {
	e := newXEnv(t)
	ops := e.must("paas.create", createParams("web")).([]any)
	if len(ops) != 3 || ops[0].(map[string]any)["type"] != "paas_vm_create" || ops[2].(map[string]any)["type"] != "rproxy_update" {
		t.Fatalf("operations %v", ops)
	}
	list := e.must("paas.list", map[string]any{"~name": "W%"}).([]any)
	if len(list) != 1 {
		t.Fatalf("list %v", list)
	}
	id := list[0].(map[string]any)["id"].(int64)
	if st := e.must("paas.info", id).(map[string]any)["state"]; st != "being_created" {
		t.Fatalf("state %v right after create", st)
	}
	info := e.waitState(id, "running")
	if _, ok := info["date_end_commitment"]; ok {
		t.Error("date_end_commitment without fixed")
	}
	if n := e.must("paas.count").(int64); n != 1 {
		t.Errorf("count %d", n)
	}
	if e.s.PaasPaidCreates() != 1 {
		t.Errorf("paid creates %d", e.s.PaasPaidCreates())
	}
	e.fault(faultExists, "paas.create", createParams("web"))
	bad := createParams("other")
	bad["type"] = "cobol"
	e.fault(faultInvalid, "paas.create", bad)
	bad = createParams("other")
	bad["colour"] = "blue"
	e.fault(faultInvalid, "paas.create", bad)
	if e.s.PaasPaidCreates() != 1 {
		t.Errorf("refused creates were counted: %d", e.s.PaasPaidCreates())
	}
}

func TestPaasRenewMovesDateEndWhenItsOperationsFinish(t *testing.T) {
	e := newXEnv(t)
	id := e.createRunning("web")
	e.s.SetTimings(Timings{PaasRenew: time.Hour})
	before, _ := e.s.PaasInstance(int(id))
	e.must("paas.renew", id, map[string]any{"duration": "12m", "fixed": true})
	if running, _ := e.s.PaasInstance(int(id)); !running.DateEnd.Equal(before.DateEnd) || e.s.PaasPaidRenews() != 1 {
		t.Fatalf("while the operations run: date_end %s -> %s, paid renews %d", before.DateEnd, running.DateEnd, e.s.PaasPaidRenews())
	}
	e.s.SetTimings(FastTimings())
	e.s.mu.Lock()
	e.s.advance(e.s.now().Add(time.Hour))
	e.s.mu.Unlock()
	after, _ := e.s.PaasInstance(int(id))
	if !after.DateEnd.Equal(before.DateEnd.AddDate(1, 0, 0)) || !after.DateEndCommitment.Equal(after.DateEnd) {
		t.Fatalf("date_end %s -> %s, commitment %s", before.DateEnd, after.DateEnd, after.DateEndCommitment)
	}
	e.fault(faultInvalid, "paas.renew", id, map[string]any{"duration": "12m"})
	if e.s.PaasPaidRenews() != 1 || e.s.PaasPaidCreates() != 1 {
		t.Fatalf("renews %d creates %d", e.s.PaasPaidRenews(), e.s.PaasPaidCreates())
	}
	e.s.ResetCounters()
	if e.s.PaasPaidRenews() != 0 || e.s.PaasPaidCreates() != 0 {
		t.Fatal("counters not reset")
	}
}

func TestPaasDeleteGoesThroughBeingDeleted(t *testing.T) {
	e := newXEnv(t)
	id := e.createRunning("web")
	e.s.AddPaasSnapshot(int(id), "daily", "auto", 12)
	e.must("paas.delete", id)
	if st := e.must("paas.info", id).(map[string]any)["state"]; st != "being_deleted" {
		t.Fatalf("state %v", st)
	}
	e.fault(faultBadState, "paas.delete", id)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, f := e.call("paas.info", id); f != nil && f.code == faultNotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("instance never went away")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := e.must("paas.vhost.count").(int64); n != 0 {
		t.Errorf("%d vhosts left", n)
	}
	if n := e.must("paas.snapshot.count").(int64); n != 0 {
		t.Errorf("%d snapshots left", n)
	}
}

func TestPaasVhostLifecycle(t *testing.T) {
	e := newXEnv(t)
	id := e.createRunning("web")
	op := e.must("paas.vhost.create", map[string]any{"paas_id": id, "vhost": "shop.example.com"}).(map[string]any)
	if op["type"] != "rproxy_update" {
		t.Fatalf("operation %v", op)
	}
	if st := e.must("paas.vhost.info", "shop.example.com").(map[string]any)["state"]; st != "being_created" {
		t.Fatalf("state %v", st)
	}
	e.fault(faultExists, "paas.vhost.create", map[string]any{"paas_id": id, "vhost": "shop.example.com"})
	e.fault(faultInvalid, "paas.vhost.create", map[string]any{"paas_id": id, "vhost": "x.example.org", "override": true})
	e.fault(faultBadState, "paas.vhost.delete", "shop.example.com")
	waitVhost := func(want string) {
		deadline := time.Now().Add(5 * time.Second)
		for {
			v, f := e.call("paas.vhost.info", "shop.example.com")
			if (want == "" && f != nil && f.code == faultNotFound) || (f == nil && v.(map[string]any)["state"] == want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("vhost never %q: %v %v", want, v, f)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitVhost("running")
	if n := e.must("paas.vhost.count", map[string]any{"paas_id": id}).(int64); n != 2 {
		t.Fatalf("%d vhosts", n)
	}
	e.must("paas.vhost.delete", "shop.example.com")
	waitVhost("being_deleted")
	waitVhost("")
	dns := e.must("paas.vhost.get_dns_entries", map[string]any{"datacenter": 1, "vhost": "shop.example.com"}).(map[string]any)
	if dns["name"] != "shop" || dns["txt"] == "" {
		t.Fatalf("dns %v", dns)
	}
}

func TestPaasSnapshotsPerInstance(t *testing.T) {
	e := newXEnv(t)
	a, b := e.createRunning("a"), e.createRunning("b")
	sid := e.s.AddPaasSnapshot(int(a), "daily-1", "auto", 100)
	e.s.AddPaasSnapshot(int(a), "daily-2", "auto", 200)
	e.s.AddPaasSnapshot(int(b), "manual", "manual", 300)
	list := e.must("paas.snapshot.list", map[string]any{"paas_id": a}).([]any)
	if len(list) != 2 {
		t.Fatalf("snapshots of a: %v", list)
	}
	if n := e.must("paas.snapshot.count", map[string]any{">size": 150}).(int64); n != 2 {
		t.Errorf(">size count %d", n)
	}
	info := e.must("paas.snapshot.info", sid).(map[string]any)
	if info["name"] != "daily-1" || info["source"].(map[string]any)["paas_id"] != a {
		t.Errorf("info %v", info)
	}
	e.fault(faultNotFound, "paas.snapshot.info", 999999)
}

func TestPaasTypeCatalogue(t *testing.T) {
	e := newXEnv(t)
	if n := e.must("paas.type.count").(int64); n != int64(len(paasTypeNames)) {
		t.Fatalf("count %d", n)
	}
	dep := e.must("paas.type.list", map[string]any{"visibility": "deprecated"}).([]any)
	beta := e.must("paas.type.list", map[string]any{"visibility": "beta"}).([]any)
	all := e.must("paas.type.list", map[string]any{"visibility": "all", "items_per_page": 5, "page": 1}).([]any)
	if len(dep) == 0 || len(beta) != 2 || len(all) != 5 {
		t.Fatalf("deprecated %d beta %d all page %d", len(dep), len(beta), len(all))
	}
	php := e.must("paas.type.list", map[string]any{"name": "php7.3mysql5.7"}).([]any)[0].(map[string]any)
	if php["language"] != "php7.3" || php["database"] != "mysql" || php["visibility"] != "all" {
		t.Errorf("type %v", php)
	}
}

func TestPaasUpdateAndRestart(t *testing.T) {
	e := newXEnv(t)
	id := e.createRunning("web")
	e.must("paas.update", id, map[string]any{"name": "web2", "size": "m", "quantity": 5, "console": true,
		"reset_mysql_password": true, "upgrade": true, "snapshot_profile": 2, "password": "n3w-password"})
	e.finishOperations()
	v, _ := e.s.PaasInstance(int(id))
	if v.Name != "web2" || v.Size != "m" || v.Quantity != 5 || !v.Console || v.MySQLResets != 1 || v.Upgrades != 1 || v.SnapshotProfile != 2 || v.PasswordChanges != 1 {
		t.Fatalf("after update %+v", v)
	}
	e.must("paas.update", id, map[string]any{"snapshot_profile": ""})
	e.fault(faultInvalid, "paas.update", id, map[string]any{"quantity": 1})
	e.must("paas.restart", id)
	e.finishOperations()
	if v, _ := e.s.PaasInstance(int(id)); v.SnapshotProfile != 0 || v.Restarts != 1 {
		t.Fatalf("after unset and restart %+v", v)
	}
}

// finishOperations moves the simulator's clock past every operation of
// FastTimings.
func (e *xenv) finishOperations() {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	e.s.advance(e.s.now().Add(time.Hour))
}

func TestPaasUpdateShowsWhenItsOperationsFinish(t *testing.T) {
	e := newXEnv(t)
	id := e.createRunning("web")
	other := e.createRunning("other")
	e.s.SetTimings(Timings{PaasUpdate: time.Hour})
	e.s.SetPaasNeedUpgrade(int(id))
	ops := e.must("paas.update", id, map[string]any{"name": "web2", "size": "m", "quantity": 5, "console": true, "snapshot_profile": 2, "upgrade": true}).([]any)
	types := make([]any, 0, len(ops))
	for _, op := range ops {
		types = append(types, op.(map[string]any)["type"])
	}
	if len(types) != 4 || types[0] != "paas_vm_update" || types[1] != "paas_disk_update" || types[3] != "paas_console" {
		t.Fatalf("operations %v", types)
	}
	info := e.must("paas.info", id).(map[string]any)
	if v, _ := e.s.PaasInstance(int(id)); v.Name != "web" || v.Size != "s" || v.Quantity != 0 || v.Console || v.SnapshotProfile != 0 || !v.NeedUpgrade || info["size"] != "s" {
		t.Fatalf("shown before its operations finished: %+v, info size %v", v, info["size"])
	}
	if e.s.PaasPaidUpdates() != 1 {
		t.Fatalf("paid updates %d", e.s.PaasPaidUpdates())
	}
	// Checked against what the accepted update leaves.
	e.fault(faultInvalid, "paas.update", id, map[string]any{"quantity": 3})
	e.fault(faultExists, "paas.update", other, map[string]any{"name": "web2"})
	// A free change is not paid; a resize to the size already asked is.
	e.must("paas.update", id, map[string]any{"name": "web3"})
	e.must("paas.update", id, map[string]any{"size": "m"})
	if e.s.PaasPaidUpdates() != 2 {
		t.Fatalf("paid updates %d, want 2", e.s.PaasPaidUpdates())
	}
	e.s.SetTimings(FastTimings())
	e.finishOperations()
	if v, _ := e.s.PaasInstance(int(id)); v.Name != "web3" || v.Size != "m" || v.Quantity != 5 || !v.Console || v.SnapshotProfile != 2 || v.NeedUpgrade || v.Upgrades != 1 {
		t.Fatalf("after its operations finished %+v", v)
	}
	e.s.ResetCounters()
	if e.s.PaasPaidUpdates() != 0 {
		t.Fatal("paid updates not reset")
	}
}

func TestPaasAuthAndProtocolFaults(t *testing.T) {
	e := newXEnv(t)
	e.s.AddAccount(Account{Token: "pat", User: "bob"})
	e.fault(faultUnknownMethod, "paas.nope")
	e.fault(faultBadParams, "paas.info", "not-an-int")
	e.fault(faultNotFound, "paas.info", 1)
	res, err := postXML(t, e.url, bytes.NewBufferString("<methodCall><methodName>paas.count</methodName><params><param><value><string>pat</string></value></param></params></methodCall>"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if !bytes.Contains(body, []byte("510150")) || bytes.Contains(body, []byte("pat<")) {
		t.Fatalf("a bearer token as key: %s", body)
	}
	// Another account sees none of alice's instances.
	id := e.createRunning("web")
	e.s.AddAccount(Account{Token: "other-key", APIKey: true, User: "carol"})
	if _, f := e.callAs("other-key", "paas.info", id); f == nil || f.code != faultNotFound {
		t.Fatalf("other account: %+v", f)
	}
}

func (e *xenv) callAs(key, method string, params ...any) (any, *xfault) {
	var b bytes.Buffer
	b.WriteString("<methodCall><methodName>" + method + "</methodName><params>")
	for _, p := range append([]any{key}, params...) {
		b.WriteString("<param>")
		writeValue(&b, p)
		b.WriteString("</param>")
	}
	b.WriteString("</params></methodCall>")
	res, err := postXML(e.t, e.url, &b)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	body, _ := io.ReadAll(res.Body)
	if bytes.Contains(body, []byte("<fault>")) {
		return nil, &xfault{code: faultNotFound}
	}
	return body, nil
}

func TestPaasFaultQueue(t *testing.T) {
	e := newXEnv(t)
	e.s.FailNext(XMLRPCRoute("paas.count"), 1, http.StatusServiceUnavailable, 0)
	res, err := postXML(t, e.url, bytes.NewBufferString("<methodCall><methodName>paas.count</methodName><params><param><value>"+testPaasKey+"</value></param></params></methodCall>"))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d", res.StatusCode)
	}
	e.s.CommitThenDrop(XMLRPCRoute("paas.create"), 1)
	var b bytes.Buffer
	b.WriteString("<methodCall><methodName>paas.create</methodName><params><param><value>" + testPaasKey + "</value></param><param>")
	writeValue(&b, createParams("lost"))
	b.WriteString("</param></params></methodCall>")
	if res, err := postXML(t, e.url, &b); err == nil {
		_ = res.Body.Close()
		t.Fatal("commit-then-drop answered")
	}
	if e.s.PaasPaidCreates() != 1 || e.s.RequestCounts()[XMLRPCRoute("paas.create")] != 1 {
		t.Fatalf("paid creates %d", e.s.PaasPaidCreates())
	}
}

// A paas.create lost with DropThenCommitPaid is answered by no one at
// once, and Gandi performs (and bills) it afterwards, as on the REST API.
func TestPaasDropThenCommit(t *testing.T) {
	e := newXEnv(t)
	e.s.DropThenCommitPaid(XMLRPCRoute("paas.create"), 1, 50*time.Millisecond)
	var b bytes.Buffer
	b.WriteString("<methodCall><methodName>paas.create</methodName><params><param><value>" + testPaasKey + "</value></param><param>")
	writeValue(&b, createParams("late"))
	b.WriteString("</param></params></methodCall>")
	if res, err := postXML(t, e.url, &b); err == nil {
		_ = res.Body.Close()
		t.Fatal("drop-then-commit answered")
	}
	if n := e.s.PaasPaidCreates(); n != 0 {
		t.Fatalf("paid creates %d right after the drop, want 0: the call is performed later", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.s.PaasPaidCreates() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the dropped create was never performed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := e.s.RequestCounts()[XMLRPCRoute("paas.create")]; got != 1 {
		t.Fatalf("paas.create requests %d, want 1", got)
	}
	if e.s.FaultCounts()[FaultDropThenCommit] != 1 {
		t.Fatalf("fault counts %v", e.s.FaultCounts())
	}
}

func TestPaasDeletedStateIsShownAndRefusesDelete(t *testing.T) {
	e := newXEnv(t)
	id := e.createRunning("gone")
	if !e.s.MarkPaasDeleted(int(id)) {
		t.Fatal("no such instance")
	}
	if st := e.must("paas.info", id).(map[string]any)["state"]; st != "deleted" {
		t.Fatalf("state %v, want deleted", st)
	}
	if list := e.must("paas.list", map[string]any{"state": "deleted"}).([]any); len(list) != 1 {
		t.Fatalf("listed %d deleted instances, want 1", len(list))
	}
	e.fault(faultBadState, "paas.delete", id)
	if n := e.must("paas.vhost.count").(int64); n != 0 {
		t.Errorf("%d vhosts left on a deleted instance", n)
	}
}

// POST /_sim/paas-deleted does what MarkPaasDeleted does, for tests in
// another process; an unknown or missing ID is the caller's error.
func TestPaasDeletedControlRoute(t *testing.T) {
	e := newXEnv(t)
	id := e.createRunning("gone")
	ctl := simControl(t, e, "/_sim/paas-deleted")
	for _, bad := range []string{`{}`, `{"paas_id": 1}`, `{"id": ` + strconv.FormatInt(id, 10) + `}`, `{"paas_id": "x"}`} {
		if got := ctl(bad); got != http.StatusBadRequest {
			t.Errorf("POST /_sim/paas-deleted %s: status %d, want 400", bad, got)
		}
	}
	if st := e.must("paas.info", id).(map[string]any)["state"]; st != "running" {
		t.Fatalf("state %v after refused requests, want running", st)
	}
	if got := ctl(`{"paas_id": ` + strconv.FormatInt(id, 10) + `}`); got != http.StatusNoContent {
		t.Fatalf("POST /_sim/paas-deleted: status %d, want 204", got)
	}
	if st := e.must("paas.info", id).(map[string]any)["state"]; st != "deleted" {
		t.Fatalf("state %v, want deleted", st)
	}
	if n := e.must("paas.vhost.count").(int64); n != 0 {
		t.Errorf("%d vhosts left on a deleted instance", n)
	}
	e.fault(faultBadState, "paas.delete", id)
}

// TestPaasHeldStatesRefuseChanges: POST /_sim/paas-state puts an instance
// in each state Gandi holds one in and back; while held, every change of
// it is refused (CAUSE_BADSTATE) and nothing is done or counted, reads
// are answered, and a renewal is taken while paused or locked.
func TestPaasHeldStatesRefuseChanges(t *testing.T) {
	for _, state := range PaasHeldStates {
		t.Run(state, func(t *testing.T) {
			e := newXEnv(t)
			id := e.createRunning("held")
			vhost := "www.held.example.com"
			e.finishOperations()
			if got := e.must("paas.vhost.info", vhost).(map[string]any)["state"]; got != "running" {
				t.Fatalf("vhost state %v, want running", got)
			}
			ctl := simControl(t, e, "/_sim/paas-state")
			if got := ctl(`{"paas_id": ` + strconv.FormatInt(id, 10) + `, "state": "` + state + `"}`); got != http.StatusNoContent {
				t.Fatalf("POST /_sim/paas-state %s: status %d, want 204", state, got)
			}
			if got := e.must("paas.info", id).(map[string]any)["state"]; got != state {
				t.Fatalf("state %v, want %s", got, state)
			}
			if list := e.must("paas.list", map[string]any{"state": state}).([]any); len(list) != 1 {
				t.Fatalf("listed %d %s instances, want 1", len(list), state)
			}
			e.must("paas.vhost.info", vhost)
			paid := e.s.PaasPaidUpdates()
			e.fault(faultBadState, "paas.update", id, map[string]any{"size": "m"})
			e.fault(faultBadState, "paas.update", id, map[string]any{"quantity": 10})
			e.fault(faultBadState, "paas.update", id, map[string]any{"password": "another-pass"})
			e.fault(faultBadState, "paas.update", id, map[string]any{"name": "renamed"})
			e.fault(faultBadState, "paas.restart", id)
			e.fault(faultBadState, "paas.vhost.create", map[string]any{"paas_id": id, "vhost": "new.held.example.com"})
			e.fault(faultBadState, "paas.vhost.delete", vhost)
			e.fault(faultBadState, "paas.delete", id)
			v, _ := e.s.PaasInstance(int(id))
			if e.s.PaasPaidUpdates() != paid || v.PasswordChanges != 0 || v.Restarts != 0 || v.Size != "s" || len(v.Vhosts) != 1 {
				t.Fatalf("a refused call did something: paid updates %d (was %d), %+v", e.s.PaasPaidUpdates(), paid, v)
			}
			if got := e.must("paas.vhost.info", vhost).(map[string]any)["state"]; got != "running" {
				t.Fatalf("vhost state %v after a refused delete, want running", got)
			}
			renew := map[string]any{"duration": "12m", "fixed": false}
			if state == "being_migrated" {
				e.fault(faultBadState, "paas.renew", id, renew)
			} else {
				e.must("paas.renew", id, renew)
			}

			if got := ctl(`{"paas_id": ` + strconv.FormatInt(id, 10) + `, "state": "running"}`); got != http.StatusNoContent {
				t.Fatalf("POST /_sim/paas-state running: status %d, want 204", got)
			}
			e.must("paas.update", id, map[string]any{"size": "m"})
			e.must("paas.vhost.delete", vhost)
			e.must("paas.delete", id)
		})
	}
}

// TestPaasStateControlRoute: what POST /_sim/paas-state refuses, leaving
// the instance as it was.
func TestPaasStateControlRoute(t *testing.T) {
	e := newXEnv(t)
	id := e.createRunning("held")
	ctl := simControl(t, e, "/_sim/paas-state")
	n := strconv.FormatInt(id, 10)
	for _, bad := range []string{`{}`, `{"paas_id": ` + n + `}`, `{"state": "locked"}`, `{"paas_id": 1, "state": "locked"}`,
		`{"paas_id": ` + n + `, "state": "deleted"}`, `{"paas_id": ` + n + `, "state": "being_deleted"}`,
		`{"paas_id": ` + n + `, "state": "Locked"}`, `{"paas_id": ` + n + `, "state": "locked", "x": 1}`} {
		if got := ctl(bad); got != http.StatusBadRequest {
			t.Errorf("POST /_sim/paas-state %s: status %d, want 400", bad, got)
		}
	}
	if st := e.must("paas.info", id).(map[string]any)["state"]; st != "running" {
		t.Fatalf("state %v after refused requests, want running", st)
	}
	e.must("paas.delete", id)
	if got := ctl(`{"paas_id": ` + n + `, "state": "locked"}`); got != http.StatusBadRequest {
		t.Errorf("an instance being deleted put in a held state: status %d, want 400", got)
	}
	if err := e.s.SetPaasState(int(id), "running"); err == nil {
		t.Error("an instance being deleted released to running")
	}
}

// simControl posts a body to the control route of e's simulator and
// returns the status.
func simControl(t *testing.T, e *xenv, route string) func(body string) int {
	return func(body string) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, strings.TrimSuffix(e.url, XMLRPCPath)+route, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		return res.StatusCode
	}
}
