package gandi_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// TestSimBudgetSharedByTokens: clients of three tokens share one IP budget:
// together they send no more than it holds, the rest is not sent (the
// caller's deadline came first), and the simulator's per-IP limit never
// answers a 429.
func TestSimBudgetSharedByTokens(t *testing.T) {
	e := newEnv(t)
	e.sim.SetIPRateLimit(6)
	budget := gandi.NewBudget(gandi.BudgetConfig{RequestsPerMinute: 5, Burst: 5})
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent, notSent := 0, 0
	for _, cred := range []struct {
		tok    string
		apiKey bool
	}{{token, false}, {apiKey, true}, {otherToken, false}} {
		// Each token alone could send all three: its own bound is wide.
		c := e.client(cred.tok, cred.apiKey, func(cfg *gandi.Config) { cfg.Budget, cfg.RequestsPerMinute = budget, 600 })
		for range 3 {
			wg.Go(func() {
				cctx, cancel := context.WithTimeout(ctx(t), 300*time.Millisecond)
				defer cancel()
				_, err := c.ListTemplates(cctx, gandi.ListTemplatesOptions{})
				var ns *gandi.NotSentError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					sent++
				case errors.As(e.keep(err), &ns):
					notSent++
				default:
					t.Errorf("ListTemplates: %v", err)
				}
			})
		}
	}
	wg.Wait()
	if sent != 5 || notSent != 4 {
		t.Fatalf("sent %d, not sent %d; want the budget's 5 and 4", sent, notSent)
	}
	if got := e.sim.RequestsByIP()["127.0.0.1"]; got != 5 {
		t.Errorf("the simulator saw %d requests from the IP, want 5", got)
	}
	if n := e.sim.FaultCounts()[gandisim.FaultIPRateLimited]; n != 0 {
		t.Errorf("%d per-IP 429s", n)
	}
	if n := testutil.CollectAndCount(e.reg, "gandi_api_rate_limit_wait_seconds"); n == 0 {
		t.Error("the budget waits were not counted")
	}
}

// TestSimBudget429PausesEveryToken: Gandi's 429 to one token pauses the
// whole budget: another token's request is not sent into the same limit.
func TestSimBudget429PausesEveryToken(t *testing.T) {
	e := newEnv(t)
	e.sim.SetIPRateLimit(1)
	budget := gandi.NewBudget(gandi.BudgetConfig{RequestsPerMinute: 600})
	short := func(cfg *gandi.Config) { cfg.Budget, cfg.MaxWait = budget, 100*time.Millisecond }
	a, b := e.client(token, false, short), e.client(otherToken, false, short)
	if _, err := a.ListTemplates(ctx(t), gandi.ListTemplatesOptions{}); e.keep(err) != nil {
		t.Fatal(err)
	}
	if _, err := a.ListTemplates(ctx(t), gandi.ListTemplatesOptions{}); !gandi.IsRateLimited(e.keep(err)) {
		t.Fatalf("second request: %v, want Gandi's 429", err)
	}
	_, err := b.ListTemplates(ctx(t), gandi.ListTemplatesOptions{})
	var pe *gandi.PausedError
	if !errors.As(e.keep(err), &pe) {
		t.Fatalf("other token during the pause: %v, want a PausedError", err)
	}
	if got := e.sim.RequestsByIP()["127.0.0.1"]; got != 2 {
		t.Errorf("the simulator saw %d requests, want 2", got)
	}
}
