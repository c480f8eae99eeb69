package gandi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// BenchmarkGetInstance measures one GetInstance against the simulator on
// loopback: the client's overhead (encoding, pacing bookkeeping, metrics,
// decoding) plus the simulator and the loopback round trip, which dominate.
func BenchmarkGetInstance(b *testing.B) {
	sim := gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
	sim.AddAccount(gandisim.Account{Token: token, User: "alice", Orgs: []gandisim.Org{{ID: orgID, Name: "alice", CanBill: true}}})
	id := sim.AddInstance(orgID, gandisim.SeedInstance{Name: "web", Size: "starter",
		Vhosts: []gandisim.SeedVhost{{FQDN: "www.example.org"}}})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c, err := gandi.New(gandi.Config{
		BaseURL:    srv.URL,
		Credential: gandi.Credential{Token: token},
		ClientOptions: gandi.ClientOptions{
			RequestsPerMinute: -1, // measure the client, not the pacing
			Metrics:           gandi.NewMetrics(nil),
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.GetInstance(ctx, id); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetInstance(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetInstanceClientOnly replays the simulator's answer from memory,
// without a network or a server: what is left is the client's own cost per
// request (building it, pacing and metrics bookkeeping, reading and decoding
// the answer).
func BenchmarkGetInstanceClientOnly(b *testing.B) {
	sim := gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
	sim.AddAccount(gandisim.Account{Token: token, User: "alice", Orgs: []gandisim.Org{{ID: orgID, Name: "alice", CanBill: true}}})
	id := sim.AddInstance(orgID, gandisim.SeedInstance{Name: "web", Size: "starter",
		Vhosts: []gandisim.SeedVhost{{FQDN: "www.example.org"}}})
	rec := httptest.NewRecorder()
	req := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "http://sim"+gandi.RouteInstances+"/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	sim.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("simulator answered %d", rec.Code)
	}
	body, header := rec.Body.Bytes(), rec.Header()

	replay := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Header: header, Request: r,
			Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}, nil
	})
	c, err := gandi.New(gandi.Config{
		BaseURL:    "http://sim",
		Credential: gandi.Credential{Token: token},
		ClientOptions: gandi.ClientOptions{
			RequestsPerMinute: 1 << 30, // the limiter's bookkeeping, never its waits
			Burst:             1 << 20,
			Metrics:           gandi.NewMetrics(nil),
			HTTPClient:        &http.Client{Transport: replay},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetInstance(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
