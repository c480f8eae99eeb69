package gandi_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// A POST whose answer is lost is not sent again: the instance is bought
// once, the caller gets a transient error and finds the instance by name.
func TestSimPostIsSentOnceWhenTheAnswerIsLost(t *testing.T) {
	e := newEnv(t)
	e.sim.CommitThenDrop(gandisim.RouteCreateInstance, 1)
	id, err := e.c.CreateInstance(ctx(t), validCreate("paid-once"), gandi.CreateOptions{})
	if e.keep(err) == nil || id != "" {
		t.Fatalf("lost answer reported success: %q", id)
	}
	if !gandi.IsTransient(err) {
		t.Errorf("lost answer is not transient: %v", err)
	}
	if n := e.sim.Requests(gandisim.RouteCreateInstance); n != 1 {
		t.Errorf("POST sent %d times", n)
	}
	if n := e.sim.PaidCreates(); n != 1 {
		t.Errorf("%d paid creates", n)
	}
	found, err := e.c.ListInstances(ctx(t), gandi.ListInstancesOptions{Name: "paid-once"})
	if e.keep(err) != nil || len(found) != 1 {
		t.Errorf("look-up after the lost answer: %+v %v", found, err)
	}

	// The same holds for the other POSTs.
	f := seed(t, e)
	e.sim.CommitThenDrop(gandisim.RouteApplyTemplate, 1)
	_, err = e.c.ApplyTemplate(ctx(t), f.templateID, gandi.ApplyTemplateRequest{ObjectID: f.domainID})
	if !gandi.IsTransient(e.keep(err)) || e.sim.Requests(gandisim.RouteApplyTemplate) != 1 || e.sim.Dispatches() != 1 {
		t.Errorf("apply: %v, %d requests, %d dispatches", err, e.sim.Requests(gandisim.RouteApplyTemplate), e.sim.Dispatches())
	}
}

// An idempotent request survives two 503s and a connection reset.
func TestSimIdempotentRequestsSurvive503sAndAReset(t *testing.T) {
	e := newEnv(t)
	f := seed(t, e)
	e.sim.FailNext(gandisim.RouteGetInstance, 2, http.StatusServiceUnavailable, 0)
	e.sim.ResetNext(gandisim.RouteGetInstance, 1)
	inst, err := e.c.GetInstance(ctx(t), f.instanceID)
	if e.keep(err) != nil || inst.ID != f.instanceID {
		t.Fatalf("GET: %v", err)
	}
	if n := e.sim.Requests(gandisim.RouteGetInstance); n < 4 {
		t.Errorf("only %d requests for 2 failures, a reset and a success", n)
	}

	e.sim.FailNext(gandisim.RoutePatchInstance, 1, http.StatusBadGateway, 0)
	e.sim.ResetNext(gandisim.RoutePatchInstance, 1)
	e.sim.FailNext(gandisim.RoutePatchInstance, 1, http.StatusServiceUnavailable, 0)
	if err := e.c.UpdateInstance(ctx(t), f.instanceID, gandi.UpdateInstanceRequest{SnapshotEnabled: gandi.Ptr(true)}); e.keep(err) != nil {
		t.Fatalf("PATCH: %v", err)
	}
	// Accepted (202), applied a moment later.
	eventually(t, "PATCH applied", func() bool { v, _ := e.sim.Instance(f.instanceID); return v.SnapshotEnabled })

	e.sim.ResetNext(gandisim.RouteDeleteVhost, 1)
	e.sim.FailNext(gandisim.RouteDeleteVhost, 1, http.StatusServiceUnavailable, 0)
	if err := e.c.DeleteVhost(ctx(t), f.instanceID, f.fqdn); e.keep(err) != nil {
		t.Fatalf("DELETE: %v", err)
	}
}

// A cache purge is an action: its lost answer comes back to the caller,
// and the client does not purge a second time.
func TestSimCachePurgeIsSentOnce(t *testing.T) {
	e := newEnv(t)
	f := seed(t, e)
	e.sim.CommitThenDrop(gandisim.RoutePurgeVhostCache, 1)
	err := e.c.PurgeVhostCache(ctx(t), f.instanceID, f.fqdn)
	if !gandi.IsTransient(e.keep(err)) || gandi.NotApplied(err) || e.sim.PurgeCount(f.instanceID, f.fqdn) != 1 || e.sim.Requests(gandisim.RoutePurgeVhostCache) != 1 {
		t.Errorf("lost answer: %v, %d purges, %d requests", err, e.sim.PurgeCount(f.instanceID, f.fqdn), e.sim.Requests(gandisim.RoutePurgeVhostCache))
	}
}

// A 429's Retry-After pauses every request of the client, not only the one
// that got it.
func TestSimRetryAfterPausesTheWholeClient(t *testing.T) {
	e := newEnv(t)
	f := seed(t, e)
	e.sim.FailNext(gandisim.RouteGetInstance, 1, http.StatusTooManyRequests, time.Second)

	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := e.c.GetInstance(ctx(t), f.instanceID); e.keep(err) != nil {
			t.Errorf("first request: %v", err)
		}
	})
	eventually(t, "the 429", func() bool { return len(e.arrivals(gandisim.RouteGetInstance)) >= 1 })
	limitedAt := e.arrivals(gandisim.RouteGetInstance)[0]
	time.Sleep(50 * time.Millisecond) // the 429 has been read by now
	wg.Go(func() {
		if _, err := e.c.GetInstanceUsage(ctx(t), f.instanceID); e.keep(err) != nil {
			t.Errorf("second request: %v", err)
		}
	})
	wg.Wait()

	usage := e.arrivals(gandisim.RouteInstanceUsage)
	retry := e.arrivals(gandisim.RouteGetInstance)
	if len(usage) != 1 || len(retry) != 2 {
		t.Fatalf("arrivals: usage %v, get %v", usage, retry)
	}
	for name, at := range map[string]time.Time{"other request": usage[0], "retry": retry[1]} {
		if waited := at.Sub(limitedAt); waited < 950*time.Millisecond {
			t.Errorf("%s reached Gandi %s after the 429 (Retry-After: 1)", name, waited)
		}
	}
	if n := testutil.CollectAndCount(e.reg, "gandi_api_rate_limit_wait_seconds"); n == 0 {
		t.Error("the wait was not counted")
	}
}

// Gandi's own rate limit (per token and minute): past it the client answers
// from its pause without sending anything until Retry-After has elapsed.
func TestSimGlobalRateLimit(t *testing.T) {
	e := newEnv(t)
	e.sim.SetRateLimit(3)
	c := e.client(token, false, func(cfg *gandi.Config) { cfg.MaxWait = 100 * time.Millisecond })
	for i := range 3 {
		if _, err := c.ListTemplates(ctx(t), gandi.ListTemplatesOptions{}); e.keep(err) != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	_, err := c.ListTemplates(ctx(t), gandi.ListTemplatesOptions{})
	if !gandi.IsRateLimited(e.keep(err)) || gandi.RetryAfter(err) <= 0 {
		t.Fatalf("4th request: %v", err)
	}
	var ae *gandi.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusTooManyRequests || ae.Route != gandi.RouteTemplates {
		t.Errorf("not Gandi's 429: %#v", err)
	}
	_, err = c.ListInstances(ctx(t), gandi.ListInstancesOptions{})
	var pe *gandi.PausedError
	if !errors.As(e.keep(err), &pe) || e.sim.Requests(gandisim.RouteListInstances) != 0 {
		t.Errorf("request during the pause: %v", err)
	}
}

func TestSimCredentials(t *testing.T) {
	e := newEnv(t)
	legacy := e.client(apiKey, true, nil)
	if _, err := legacy.ListInstances(ctx(t), gandi.ListInstancesOptions{}); e.keep(err) != nil {
		t.Fatalf("API key: %v", err)
	}
	// An API key sent as a bearer token is unknown: 403, not 401.
	if _, err := e.client(apiKey, false, nil).ListInstances(ctx(t), gandi.ListInstancesOptions{}); !gandi.IsForbidden(e.keep(err)) {
		t.Errorf("API key as bearer: %v", err)
	}
	// Another organization's instance is out of reach.
	id := e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "web", Size: "starter"})
	_, err := e.client(otherToken, false, nil).GetInstance(ctx(t), id)
	if !gandi.IsForbidden(e.keep(err)) && !gandi.IsNotFound(err) {
		t.Errorf("other org's instance: %v", err)
	}
	if err == nil || strings.Contains(err.Error(), otherToken) {
		t.Errorf("error string: %v", err)
	}
	// The leak check at the end only means something if there are logs.
	if logs := e.logs.String(); !strings.Contains(logs, `"msg":"gandi request"`) || !strings.Contains(logs, `"status":403`) {
		t.Errorf("no request logs captured: %q", logs)
	}
}
