package paas_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

const simKey = "sim-api-key-7f3a"

func newSimClient(t *testing.T) (*paas.Client, *gandisim.Server, *prometheus.Registry) {
	t.Helper()
	s := gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
	s.AddAccount(gandisim.Account{Token: simKey, APIKey: true, User: "alice"})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	reg := prometheus.NewRegistry()
	c, err := paas.New(paas.Config{
		Endpoint: ts.URL + gandisim.XMLRPCPath,
		APIKey:   simKey,
		ClientOptions: gandi.ClientOptions{
			RequestsPerMinute: -1,
			MinBackoff:        time.Millisecond,
			Metrics:           gandi.NewMetrics(reg),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, s, reg
}

func TestClientAgainstSimulator(t *testing.T) {
	c, s, reg := newSimClient(t)
	ctx := context.Background()
	types, err := c.TypeList(ctx, &paas.PaasTypeListOptions{Visibility: paas.VisibilityDeprecated})
	if err != nil || len(types) == 0 || types[0].Visibility != paas.VisibilityDeprecated {
		t.Fatalf("types %v %v", types, err)
	}
	ops, err := c.Create(ctx, paas.PaasCreateParams{DatacenterID: 1, Duration: "1m", Name: "web", Password: "s3cret-pass",
		Size: paas.SizeS, Type: "php7.3mysql5.7", Vhosts: []string{"www.example.com"}})
	if err != nil || len(ops) != 3 {
		t.Fatalf("create %v %v", ops, err)
	}
	list, err := c.List(ctx, &paas.PaasListOptions{PaasCountOptions: paas.PaasCountOptions{Name: []string{"web"}}})
	if err != nil || len(list) != 1 {
		t.Fatalf("list %v %v", list, err)
	}
	id := list[0].ID
	var info *paas.PaasReturn
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if info, err = c.Info(ctx, id); err != nil {
			t.Fatal(err)
		}
		if info.State == paas.StateRunning || time.Now().After(deadline) {
			break
		}
	}
	if info.State != paas.StateRunning || info.Datacenter.ID != 1 || len(info.Vhosts) != 1 || info.DateEnd.IsZero() {
		t.Fatalf("info %+v", info)
	}
	before := info.DateEnd
	if _, err := c.Renew(ctx, id, paas.RenewOptions{Duration: "12m"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		// paas.renew's operations are asynchronous: date_end moves later.
		if info, _ = c.Info(ctx, id); info.DateEnd.Equal(before.AddDate(1, 0, 0)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("date_end %s -> %s", before, info.DateEnd)
		}
	}
	console := true
	if _, err := c.Update(ctx, id, paas.PaasUpdateParams{Console: &console, SnapshotProfile: paas.SetSnapshotProfile(2), Password: "n3w-password"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Restart(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.VhostCreate(ctx, paas.PaasVhost{PaasID: id, Vhost: "shop.example.com"}); err != nil {
		t.Fatal(err)
	}
	vh, err := c.VhostInfo(ctx, "shop.example.com")
	if err != nil || vh.PaasID != id {
		t.Fatalf("vhost %v %v", vh, err)
	}
	if n, err := c.VhostCount(ctx, &paas.VhostListOptions{PaasID: id}); err != nil || n != 2 {
		t.Fatalf("vhost count %d %v", n, err)
	}
	if vs, err := c.VhostList(ctx, &paas.VhostListOptions{NameLike: "shop%"}); err != nil || len(vs) != 1 {
		t.Fatalf("vhost list %v %v", vs, err)
	}
	if dns, err := c.VhostDNSEntries(ctx, paas.PaasDnsEntry{Datacenter: 1, Vhost: "shop.example.com"}); err != nil || dns["txt"] == "" {
		t.Fatalf("dns %v %v", dns, err)
	}
	sid := s.AddPaasSnapshot(id, "daily", "auto", 42)
	if sn, err := c.SnapshotInfo(ctx, sid); err != nil || sn.Name != "daily" || sn.Source.PaasID != id {
		t.Fatalf("snapshot %v %v", sn, err)
	}
	if sl, err := c.SnapshotList(ctx, &paas.PaasSnapshotListOptions{PaasID: id}); err != nil || len(sl) != 1 {
		t.Fatalf("snapshots %v %v", sl, err)
	}
	for _, count := range []func() (int, error){
		func() (int, error) { return c.Count(ctx, nil) },
		func() (int, error) { return c.SnapshotCount(ctx, nil) },
		func() (int, error) { return c.TypeCount(ctx, nil) },
	} {
		if n, err := count(); err != nil || n == 0 {
			t.Fatalf("count %d %v", n, err)
		}
	}
	if _, err := c.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	_, err = c.VhostDelete(ctx, "nope.example.com")
	if !paas.IsNotFound(err) || !paas.NotApplied(err) {
		t.Fatalf("vhost delete of nothing: %v", err)
	}
	_, err = c.Create(ctx, paas.PaasCreateParams{DatacenterID: 1, Duration: "1m", Name: "x", Password: "short", Size: "s", Type: "php7.3mysql5.7"})
	if !paas.IsInvalid(err) || strings.Contains(err.Error(), "short") {
		t.Fatalf("invalid create: %v", err)
	}
	if s.PaasPaidCreates() != 1 || s.PaasPaidRenews() != 1 {
		t.Fatalf("creates %d renews %d", s.PaasPaidCreates(), s.PaasPaidRenews())
	}
	if n := testutil.CollectAndCount(reg, "gandi_api_requests_total"); n == 0 {
		t.Fatal("no metrics")
	}
	out, _ := testutil.CollectAndFormat(reg, expfmt.TypeTextPlain, "gandi_api_requests_total")
	if strings.Contains(string(out), simKey) || !strings.Contains(string(out), `route="paas.create"`) {
		t.Fatalf("metrics: %s", out)
	}
}

func TestLostCreateIsSentOnceAndReadSurvivesReset(t *testing.T) {
	c, s, _ := newSimClient(t)
	ctx := context.Background()
	s.CommitThenDrop(gandisim.XMLRPCRoute("paas.create"), 1)
	_, err := c.Create(ctx, paas.PaasCreateParams{DatacenterID: 1, Duration: "1m", Name: "lost", Password: "s3cret-pass", Size: "s", Type: "php7.3mysql5.7"})
	if err == nil || paas.NotApplied(err) || !paas.IsTransient(err) || strings.Contains(err.Error(), simKey) {
		t.Fatalf("lost create: %v", err)
	}
	if s.PaasPaidCreates() != 1 || s.RequestCounts()[gandisim.XMLRPCRoute("paas.create")] != 1 {
		t.Fatalf("paid creates %d", s.PaasPaidCreates())
	}
	s.ResetNext(gandisim.XMLRPCRoute("paas.list"), 1)
	list, err := c.List(ctx, &paas.PaasListOptions{PaasCountOptions: paas.PaasCountOptions{Name: []string{"lost"}}})
	if err != nil || len(list) != 1 || s.RequestCounts()[gandisim.XMLRPCRoute("paas.list")] != 2 {
		t.Fatalf("list after reset: %v %v", list, err)
	}
}

func TestBadKeyIsTypedAndRedacted(t *testing.T) {
	_, s, _ := newSimClient(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	c, err := paas.New(paas.Config{Endpoint: ts.URL + gandisim.XMLRPCPath, APIKey: "wrong-key-123", ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Info(context.Background(), 1)
	var f *paas.Fault
	if !errors.As(err, &f) || !paas.IsUnauthorized(err) || strings.Contains(err.Error(), "wrong-key-123") {
		t.Fatalf("bad key: %v", err)
	}
	if _, err := paas.New(paas.Config{}); !errors.Is(err, paas.ErrNoAPIKey) {
		t.Fatalf("no key: %v", err)
	}
}

// TestBudgetSharedWithV5Client: an API key used by both APIs is one token
// of the IP budget, with one bound: what the v5 client spent, the XML-RPC
// client cannot spend again.
func TestBudgetSharedWithV5Client(t *testing.T) {
	s := gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
	s.AddAccount(gandisim.Account{Token: simKey, APIKey: true, User: "alice"})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	budget := gandi.NewBudget(gandi.BudgetConfig{RequestsPerMinute: 600})
	v5, err := gandi.New(gandi.Config{
		BaseURL:    ts.URL,
		Credential: gandi.Credential{Token: simKey, APIKey: true},
		ClientOptions: gandi.ClientOptions{
			Budget:            budget,
			RequestsPerMinute: 1,
			Burst:             1,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	x, err := paas.New(paas.Config{Endpoint: ts.URL + gandisim.XMLRPCPath, APIKey: simKey, ClientOptions: gandi.ClientOptions{Budget: budget, RequestsPerMinute: 1, Burst: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v5.ListTemplates(t.Context(), gandi.ListTemplatesOptions{}); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err = x.Count(cctx, nil)
	var ns *gandi.NotSentError
	if !errors.As(err, &ns) {
		t.Fatalf("XML-RPC call over the key's bound: %v, want NotSentError", err)
	}
	if n := s.RequestCounts()[gandisim.XMLRPCRoute("paas.count")]; n != 0 {
		t.Fatalf("paas.count reached the simulator %d times", n)
	}
}

// A paas.update (a resize pays) is a write: the client never sends it
// again on its own after a lost answer, with or without WithoutResend.
func TestLostUpdateIsSentOnce(t *testing.T) {
	c, s, _ := newSimClient(t)
	ctx := context.Background()
	id := createRunning(ctx, t, c)
	route := gandisim.XMLRPCRoute("paas.update")
	for i, ctx := range []context.Context{ctx, gandi.WithoutResend(ctx)} {
		s.CommitThenDrop(route, 1)
		_, err := c.Update(ctx, id, paas.PaasUpdateParams{Size: []string{"m", "l"}[i]})
		if err == nil || paas.NotApplied(err) {
			t.Fatalf("lost update: %v", err)
		}
		if s.PaasPaidUpdates() != i+1 || s.RequestCounts()[route] != i+1 {
			t.Fatalf("paid updates %d, requests %d, want %d", s.PaasPaidUpdates(), s.RequestCounts()[route], i+1)
		}
	}
}

// createRunning buys an instance through c and waits until Gandi runs it
// (paas.update takes only a running instance).
func createRunning(ctx context.Context, t *testing.T, c *paas.Client) int {
	t.Helper()
	if _, err := c.Create(ctx, paas.PaasCreateParams{DatacenterID: 1, Duration: "1m", Name: "web", Password: "s3cret-pass", Size: "s", Type: "php7.3mysql5.7"}); err != nil {
		t.Fatal(err)
	}
	list, err := c.List(ctx, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("list %v %v", list, err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if info, err := c.Info(ctx, list[0].ID); err == nil && info.State == paas.StateRunning {
			return list[0].ID
		}
		if time.Now().After(deadline) {
			t.Fatal("never running")
		}
	}
}

// The operator holds a snapshot profile change as paid, sent once per
// value (its disk counts in datadisk_total_size, which Gandi bills); the
// simulator counts the paas.update that sets or unsets one as paid too,
// so that a spec counting paid updates sees one sent twice. The free
// members are not counted.
func TestSnapshotProfileUpdateIsPaid(t *testing.T) {
	c, s, _ := newSimClient(t)
	ctx := context.Background()
	id := createRunning(ctx, t, c)
	for _, tc := range []struct {
		name string
		up   paas.PaasUpdateParams
		paid int
	}{
		{"set a profile", paas.PaasUpdateParams{SnapshotProfile: paas.SetSnapshotProfile(2)}, 1},
		{"unset it", paas.PaasUpdateParams{SnapshotProfile: paas.UnsetSnapshotProfile()}, 1},
		{"free members", paas.PaasUpdateParams{Name: "web2", Console: gandi.Ptr(true)}, 0},
	} {
		before := s.PaasPaidUpdates()
		if _, err := c.Update(ctx, id, tc.up); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := s.PaasPaidUpdates() - before; got != tc.paid {
			t.Errorf("%s: counted %d paid updates, want %d", tc.name, got, tc.paid)
		}
	}
}

// ListAll reads a list of more than a page between two paas.count calls:
// an instance of page 0 deleted before page 1 is read slides the first of
// page 1 onto page 0 unread, and only the count that moved shows it. The
// list is read again, whole; one that changes at every read is an error,
// never a list an instance is missing from.
func TestListAllReadsAgainAListThatChangedBetweenPages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		changes int // how many reads see a deletion before their page 1
		wantErr bool
	}{
		{"changed during the first read", 1, false},
		{"changed during every read", 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
			s.AddAccount(gandisim.Account{Token: simKey, APIKey: true, User: "alice"})
			// A paas.list of page 0 leaves the page out (omitempty): the
			// first paas.list naming a page after one of page 0 is page 1.
			afterPage0, deleted := false, 0
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				if bytes.Contains(body, []byte("<methodName>paas.list</methodName>")) {
					paged := bytes.Contains(body, []byte("<name>page</name>"))
					if paged && afterPage0 && deleted < tc.changes {
						oldest := s.PaasInstances()[0].ID
						for _, in := range s.PaasInstances() {
							oldest = min(oldest, in.ID)
						}
						s.DeletePaasInstance(oldest)
						s.Advance(time.Hour)
						deleted++
					}
					afterPage0 = !paged
				}
				s.ServeHTTP(w, r)
			}))
			t.Cleanup(ts.Close)
			c, err := paas.New(paas.Config{Endpoint: ts.URL + gandisim.XMLRPCPath, APIKey: simKey,
				ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1, MinBackoff: time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			// One more than a page for each read that sees a deletion.
			for i := range 100 + tc.changes {
				if _, err := c.Create(ctx, paas.PaasCreateParams{DatacenterID: 1, Duration: "1m", Name: fmt.Sprintf("web-%03d", i),
					Password: "s3cret-pass", Size: paas.SizeS, Type: "php7.3mysql5.7"}); err != nil {
					t.Fatal(err)
				}
			}
			last := s.PaasInstances()
			newest := last[0].ID
			for _, in := range last {
				newest = max(newest, in.ID)
			}
			list, err := c.ListAll(ctx, paas.PaasCountOptions{})
			if tc.wantErr {
				if !errors.Is(err, gandi.ErrIncompleteList) || !gandi.IsTransient(err) || list != nil {
					t.Fatalf("got %d instances, %v; want no list and a transient ErrIncompleteList", len(list), err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := len(s.PaasInstances()); len(list) != want || deleted != 1 {
				t.Fatalf("%d instances after %d deletions, want %d", len(list), deleted, want)
			}
			if !slices.ContainsFunc(list, func(in paas.PaasListReturn) bool { return in.ID == newest }) {
				t.Fatal("the newest instance, slid onto page 0 by the deletion, is missing")
			}
		})
	}
}

// The legacy create goes through the same pacer as the v5 one: recorded
// (gandi.RecordBeforeSend) and then paused past its window, it is not
// sent, and reads as not applied.
func TestCreateRecordedTooLongAgoIsNotSent(t *testing.T) {
	c, s, _ := newSimClient(t)
	ctx := gandi.RecordBeforeSend(context.Background(), func(context.Context) (time.Duration, error) {
		time.Sleep(20 * time.Millisecond)
		return 5 * time.Millisecond, nil
	})
	_, err := c.Create(ctx, paas.PaasCreateParams{DatacenterID: 1, Duration: "1m", Name: "late", Password: "s3cret-pass", Size: "s", Type: "php7.3mysql5.7"})
	if !errors.Is(err, gandi.ErrSendWindowPassed) || !gandi.NotApplied(err) || !paas.NotApplied(err) {
		t.Fatalf("create past its window: %v", err)
	}
	if n := s.RequestCounts()[gandisim.XMLRPCRoute("paas.create")]; n != 0 || s.PaasPaidCreates() != 0 {
		t.Errorf("paas.create reached the simulator %d times (%d paid)", n, s.PaasPaidCreates())
	}
}
