package gandi_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// Tokens of the simulated accounts. Every test environment checks, when it
// ends, that none of them appears in a log line, a metric or an error.
const (
	token      = "pat_sim-T0KEN-4f9a2c"
	apiKey     = "legacy-K3Y-77e1"
	otherToken = "pat_other-T0KEN-9b1d"
	orgID      = "6b1a7c9e-1111-4c3d-9e8f-000000000001"
	sharedOrg  = "6b1a7c9e-1111-4c3d-9e8f-000000000002"
	foreignOrg = "6b1a7c9e-1111-4c3d-9e8f-000000000003"
	password   = "$6$rounds=5000$saltsalt$Q9xkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkA1b2A1b2A1b2A1b2A1b2A1b2A1b2A1b2A1b2A1b2zzY"
)

// password2 is the rotated password (same shape, different hash).
var password2 = password[:len(password)-4] + "Zw9q"

var secrets = []string{token, apiKey, otherToken, password, password2}

// env is a simulator on loopback HTTP and a client of it whose logs, metrics
// and errors are kept for the leak check.
type env struct {
	t      *testing.T
	sim    *gandisim.Server
	srv    *httptest.Server
	c      *gandi.Client
	reg    *prometheus.Registry
	logs   *syncBuffer
	mu     sync.Mutex
	errs   []string
	arrive map[string][]time.Time // route -> when requests reached the simulator
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, reg: prometheus.NewRegistry(), logs: &syncBuffer{}, arrive: map[string][]time.Time{}}
	e.sim = gandisim.New(gandisim.Options{
		Timings: gandisim.FastTimings(),
		OnRequest: func(l gandisim.RequestLog) {
			e.mu.Lock()
			e.arrive[l.Route] = append(e.arrive[l.Route], time.Now().Add(-l.Duration))
			e.mu.Unlock()
		},
	})
	e.sim.AddAccount(gandisim.Account{Token: token, User: "alice", Orgs: []gandisim.Org{
		{ID: orgID, Name: "alice", CanBill: true},
		{ID: sharedOrg, Name: "shared", CanBill: false},
	}})
	e.sim.AddAccount(gandisim.Account{Token: apiKey, APIKey: true, User: "legacy", Orgs: []gandisim.Org{{ID: orgID, Name: "alice", CanBill: true}}})
	e.sim.AddAccount(gandisim.Account{Token: otherToken, User: "mallory", Orgs: []gandisim.Org{{ID: foreignOrg, Name: "mallory", CanBill: true}}})
	e.srv = httptest.NewServer(e.sim)
	e.c = e.client(token, false, nil)
	t.Cleanup(func() {
		e.srv.Close()
		e.checkNoLeaks()
	})
	return e
}

// client builds a client of the simulator; tweak adjusts its Config.
func (e *env) client(tok string, apiKey bool, tweak func(*gandi.Config)) *gandi.Client {
	e.t.Helper()
	cfg := gandi.Config{
		BaseURL:    e.srv.URL,
		Credential: gandi.Credential{Token: tok, APIKey: apiKey},
		ClientOptions: gandi.ClientOptions{
			RequestsPerMinute: -1,
			MinBackoff:        10 * time.Millisecond,
			MaxBackoff:        50 * time.Millisecond,
			Metrics:           gandi.NewMetrics(e.reg),
			Logger:            slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := gandi.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// keep records an error for the leak check and returns it.
func (e *env) keep(err error) error {
	if err != nil {
		e.mu.Lock()
		e.errs = append(e.errs, err.Error())
		e.mu.Unlock()
	}
	return err
}

func (e *env) arrivals(route string) []time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Time(nil), e.arrive[route]...)
}

func (e *env) checkNoLeaks() {
	e.t.Helper()
	var texts []string
	texts = append(texts, e.logs.String())
	e.mu.Lock()
	texts = append(texts, e.errs...)
	e.mu.Unlock()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Error(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				texts = append(texts, l.GetValue())
			}
		}
	}
	for _, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				e.t.Errorf("secret %.8s… leaked in %q", s, text)
			}
		}
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}
