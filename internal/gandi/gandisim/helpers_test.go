package gandisim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	tokAlice   = "pat_alice"
	tokBob     = "pat_bob"
	tokExpired = "pat_expired"
	tokReader  = "pat_reader"
	keyLegacy  = "legacy-api-key"

	orgAlice  = "11111111-1111-4111-8111-111111111111"
	orgAcme   = "22222222-2222-4222-8222-222222222222" // alice may bill it
	orgNoBill = "33333333-3333-4333-8333-333333333333" // alice is a member, cannot bill
	orgBob    = "44444444-4444-4444-8444-444444444444"

	sha512Hash = "$6$saltsalt$hRM5XZ86KXEw9UOmjigeVqFgULtFB2sgpC9lXQDfMib3Zgw7mEiUvBJI2EplzfAqxL5Vvwp2scFtv/uamSo5z0"
	md5Hash    = "$1$abcd$SwRG.yy0q6pJ8rg/8TwLf."
	sha256Hash = "$5$abcd$oJn9Si3gzldVsy0.xEA52h89DIAUiW8H2QPfr2NxmnB"
)

type env struct {
	t   *testing.T
	sim *Server
	srv *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, Options{Timings: FastTimings()})
}

func newEnvWith(t *testing.T, opts Options) *env {
	t.Helper()
	sim := New(opts)
	sim.AddAccount(Account{Token: tokAlice, User: "alice", Orgs: []Org{
		{ID: orgAlice, Name: "alice"}, {ID: orgAcme, Name: "acme", CanBill: true}, {ID: orgNoBill, Name: "nobill"},
	}})
	sim.AddAccount(Account{Token: tokBob, User: "bob", Orgs: []Org{{ID: orgBob, Name: "bob"}}})
	sim.AddAccount(Account{Token: tokExpired, User: "carol", Expired: true})
	sim.AddAccount(Account{Token: tokReader, User: "dave", ReadOnly: true, Orgs: []Org{{ID: orgAcme, Name: "acme"}}})
	sim.AddAccount(Account{Token: keyLegacy, APIKey: true, User: "erin", Orgs: []Org{{ID: orgAlice, Name: "alice"}}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &env{t: t, sim: sim, srv: srv}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) obj(t *testing.T) map[string]any {
	t.Helper()
	m, err := decodeObject(r.body)
	if err != nil {
		t.Fatalf("status %d: body is not a JSON object: %v: %s", r.status, err, r.body)
	}
	return m
}

func (r resp) arr(t *testing.T) []any {
	t.Helper()
	var a []any
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("status %d: body is not a JSON array: %v: %s", r.status, err, r.body)
	}
	return a
}

// request sends one request; auth is the whole Authorization value ("" for
// none); body is sent as JSON unless it is a string.
func (e *env) request(method, path, auth string, body any, headers ...string) resp {
	e.t.Helper()
	r, err := e.try(method, path, auth, body, headers...)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (e *env) try(method, path, auth string, body any, headers ...string) (resp, error) {
	var rd io.Reader
	if body != nil {
		var data []byte
		if s, ok := body.(string); ok {
			data = []byte(s)
		} else {
			var err error
			if data, err = json.Marshal(body); err != nil {
				return resp{}, err
			}
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, rd)
	if err != nil {
		return resp{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	// A fresh connection per request, so a dropped connection is always
	// reported instead of being retried by the transport.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer func() { _ = res.Body.Close() }()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	return resp{status: res.StatusCode, header: res.Header, body: data}, nil
}

func bearer(tok string) string { return "Bearer " + tok }

// as alice, the default caller.
func (e *env) get(path string) resp {
	e.t.Helper()
	return e.request("GET", path, bearer(tokAlice), nil)
}
func (e *env) post(path string, body any, headers ...string) resp {
	e.t.Helper()
	return e.request("POST", path, bearer(tokAlice), body, headers...)
}
func (e *env) patch(path string, body any) resp {
	e.t.Helper()
	return e.request("PATCH", path, bearer(tokAlice), body)
}
func (e *env) del(path string) resp {
	e.t.Helper()
	return e.request("DELETE", path, bearer(tokAlice), nil)
}

func expectStatus(t *testing.T, r resp, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body: %s", r.status, want, r.body)
	}
}

// expectGandiError checks the documented error body on any error status.
func expectGandiError(t *testing.T, r resp, want int) map[string]any {
	t.Helper()
	expectStatus(t, r, want)
	m := r.obj(t)
	code, _ := asInt(m["code"])
	if int(code) != want {
		t.Fatalf("code = %v, want %d: %s", m["code"], want, r.body)
	}
	for _, k := range []string{"message", "object", "cause"} {
		if s, _ := m[k].(string); s == "" {
			t.Fatalf("error body lacks %q: %s", k, r.body)
		}
	}
	return m
}

// expectFieldError checks a 400 naming field in its errors.
func expectFieldError(t *testing.T, r resp, field string) {
	t.Helper()
	m := expectGandiError(t, r, http.StatusBadRequest)
	if !hasFieldError(m, field) {
		t.Fatalf("no error for field %q: %s", field, r.body)
	}
}

func hasFieldError(m map[string]any, field string) bool {
	errs, _ := m["errors"].([]any)
	for _, e := range errs {
		fe := e.(map[string]any)
		if fe["name"] == field && fe["location"] != "" && fe["description"] != "" {
			return true
		}
	}
	return false
}

// waitFor bounds every poll: generous, because the machine may be busy, and
// still far above FastTimings.
const waitFor = 5 * time.Second

// eventually polls cond until it holds or waitFor passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", waitFor, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func validCreate() map[string]any {
	return map[string]any{
		"location": "FR",
		"size":     "starter",
		"type": map[string]any{
			"database": map[string]any{"name": "mysql"},
			"language": map[string]any{"name": "php"},
		},
	}
}

// createInstance POSTs body as alice and returns the new ID from the
// absolute Content-Location.
func (e *env) createInstance(body map[string]any, query string) string {
	e.t.Helper()
	r := e.post("/v5/simplehosting/instances"+query, body)
	expectStatus(e.t, r, http.StatusAccepted)
	loc := r.header.Get("Content-Location")
	prefix := e.srv.URL + "/v5/simplehosting/instances/"
	if !strings.HasPrefix(loc, prefix) {
		e.t.Fatalf("Content-Location %q is not absolute under %s", loc, prefix)
	}
	return strings.TrimPrefix(loc, prefix)
}

func (e *env) waitInstanceStatus(id, status string) {
	e.t.Helper()
	eventually(e.t, "instance "+status, func() bool {
		return e.get("/v5/simplehosting/instances/" + id).obj(e.t)["status"] == status
	})
}

// applied waits until every PATCH Gandi accepted for instance id shows.
func (e *env) applied(id string) {
	e.t.Helper()
	eventually(e.t, "the PATCHes of instance "+id+" applied", func() bool {
		defer e.sim.lock()()
		in := e.sim.instances[id]
		return in == nil || len(in.updates) == 0
	})
}

// activeInstance adds a ready instance owned by org.
func (e *env) activeInstance(org string, in SeedInstance) string {
	if in.Size == "" {
		in.Size = "starter"
	}
	return e.sim.AddInstance(org, in)
}

// fakeClock drives the lifecycle deterministically.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (e *env) useFakeClock() *fakeClock {
	clk := &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e.sim.mu.Lock()
	e.sim.now = clk.Now
	e.sim.mu.Unlock()
	return clk
}

// pluck collects one string field of every object of a JSON list.
func pluck(items []any, key string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, _ := it.(map[string]any)[key].(string)
		out = append(out, s)
	}
	return out
}
