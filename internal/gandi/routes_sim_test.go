package gandi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

const missingID = "00000000-0000-4000-8000-000000000000"

// fixture is one object of each kind, ready for every route.
type fixture struct {
	instanceID, fqdn, templateID, domainID, dispatchID string
}

func seed(t *testing.T, e *env) fixture {
	t.Helper()
	f := fixture{fqdn: "www.example.org"}
	f.instanceID = e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "web", Size: "starter",
		Vhosts: []gandisim.SeedVhost{{FQDN: f.fqdn}}})
	f.domainID = e.sim.AddDomain(orgID, "example.org")
	var err error
	f.templateID, err = e.sim.AddTemplate(orgID, gandisim.SeedTemplate{Name: "site", Payload: map[string]any{
		"dns:records": map[string]any{"default": true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.c.ApplyTemplate(ctx(t), f.templateID, gandi.ApplyTemplateRequest{ObjectID: f.domainID})
	if err != nil {
		t.Fatal(err)
	}
	f.dispatchID = res.DispatchID
	e.sim.ResetCounters()
	return f
}

// routeCase calls one documented route through the client; missing calls
// it on an object that does not exist (nil for routes without one).
type routeCase struct {
	sim     string // the simulator's route template
	call    func(context.Context, *gandi.Client, fixture) error
	missing func(context.Context, *gandi.Client, fixture) error
	// once: the client sends it once, never again on its own, like a POST
	// (an action: a cache purge).
	once bool
}

func (rc routeCase) method() string { return strings.Fields(rc.sim)[0] }

// sentOnce: the client never sends rc's request twice.
func (rc routeCase) sentOnce() bool { return rc.once || rc.method() == http.MethodPost }

func ignore[T any](_ T, err error) error { return err }

// everyRoute lists every route of the package doc's table.
var everyRoute = []routeCase{
	{sim: gandisim.RouteListApplications,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.ListApplications(ctx, gandi.ListApplicationsOptions{}))
		}},
	{sim: gandisim.RouteGetApplication,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetApplication(ctx, "wordpress"))
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetApplication(ctx, "no-such-app"))
		}},
	{sim: gandisim.RouteListInstances,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.ListInstances(ctx, gandi.ListInstancesOptions{}))
		}},
	{sim: gandisim.RouteCreateInstance,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.CreateInstance(ctx, validCreate("new"), gandi.CreateOptions{}))
		}},
	{sim: gandisim.RouteGetInstance,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetInstance(ctx, f.instanceID))
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetInstance(ctx, missingID))
		}},
	{sim: gandisim.RoutePatchInstance,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.UpdateInstance(ctx, f.instanceID, gandi.UpdateInstanceRequest{SnapshotEnabled: gandi.Ptr(true)})
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.UpdateInstance(ctx, missingID, gandi.UpdateInstanceRequest{SnapshotEnabled: gandi.Ptr(true)})
		}},
	{sim: gandisim.RouteDeleteInstance,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.DeleteInstance(ctx, f.instanceID)
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error { return c.DeleteInstance(ctx, missingID) }},
	{sim: gandisim.RouteInstanceAction,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.InstanceAction(ctx, f.instanceID, gandi.ActionRestart)
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.InstanceAction(ctx, missingID, gandi.ActionRestart)
		}},
	{sim: gandisim.RouteInstanceUsage,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetInstanceUsage(ctx, f.instanceID))
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetInstanceUsage(ctx, missingID))
		}},
	{sim: gandisim.RouteListVhosts,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.ListVhosts(ctx, f.instanceID, gandi.ListVhostsOptions{}))
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.ListVhosts(ctx, missingID, gandi.ListVhostsOptions{}))
		}},
	{sim: gandisim.RouteCreateVhost,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.CreateVhost(ctx, f.instanceID, gandi.CreateVhostRequest{FQDN: "new.example.org"})
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.CreateVhost(ctx, missingID, gandi.CreateVhostRequest{FQDN: "new.example.org"})
		}},
	{sim: gandisim.RouteGetVhost,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetVhost(ctx, f.instanceID, f.fqdn))
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetVhost(ctx, f.instanceID, "missing.example.org"))
		}},
	{sim: gandisim.RoutePatchVhost,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.UpdateVhost(ctx, f.instanceID, f.fqdn, gandi.UpdateVhostRequest{LinkedDNSZone: &gandi.LinkedDNSZoneRequest{AllowAlteration: true}})
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.UpdateVhost(ctx, f.instanceID, "missing.example.org", gandi.UpdateVhostRequest{LinkedDNSZone: &gandi.LinkedDNSZoneRequest{}})
		}},
	{sim: gandisim.RouteDeleteVhost,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.DeleteVhost(ctx, f.instanceID, f.fqdn)
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.DeleteVhost(ctx, f.instanceID, "missing.example.org")
		}},
	{sim: gandisim.RoutePurgeVhostCache,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.PurgeVhostCache(ctx, f.instanceID, f.fqdn)
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.PurgeVhostCache(ctx, f.instanceID, "missing.example.org")
		},
		once: true},
	{sim: gandisim.RouteListTemplates,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.ListTemplates(ctx, gandi.ListTemplatesOptions{}))
		}},
	{sim: gandisim.RouteCreateTemplate,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.CreateTemplate(ctx, gandi.CreateTemplateRequest{Name: "new", Payload: recordsPayload()}, gandi.CreateOptions{}))
		}},
	{sim: gandisim.RouteGetTemplate,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetTemplate(ctx, f.templateID))
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetTemplate(ctx, missingID))
		}},
	{sim: gandisim.RoutePatchTemplate,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.UpdateTemplate(ctx, f.templateID, gandi.UpdateTemplateRequest{Name: "renamed"})
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.UpdateTemplate(ctx, missingID, gandi.UpdateTemplateRequest{Name: "renamed"})
		}},
	{sim: gandisim.RouteDeleteTemplate,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return c.DeleteTemplate(ctx, f.templateID)
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error { return c.DeleteTemplate(ctx, missingID) }},
	{sim: gandisim.RouteApplyTemplate,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.ApplyTemplate(ctx, f.templateID, gandi.ApplyTemplateRequest{ObjectID: f.domainID}))
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.ApplyTemplate(ctx, missingID, gandi.ApplyTemplateRequest{ObjectID: f.domainID}))
		}},
	{sim: gandisim.RouteGetDispatch,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetDispatch(ctx, f.dispatchID))
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetDispatch(ctx, missingID))
		}},
	{sim: gandisim.RouteGetDomain,
		call: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetDomain(ctx, "example.org"))
		},
		missing: func(ctx context.Context, c *gandi.Client, f fixture) error {
			return ignore(c.GetDomain(ctx, "unknown.example"))
		}},
}

func TestSimEveryRouteIsCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, rc := range everyRoute {
		covered[rc.sim] = true
	}
	for _, r := range gandisim.Routes() {
		if !covered[r] {
			t.Errorf("route %s has no case", r)
		}
	}
}

// TestSimEveryRoute drives each route through success and its error cases:
// 404, 401 (wrong API key), 403 (unknown bearer token), 5xx and 429.
func TestSimEveryRoute(t *testing.T) {
	for _, rc := range everyRoute {
		t.Run(rc.sim, func(t *testing.T) {
			t.Run("ok", func(t *testing.T) {
				e := newEnv(t)
				f := seed(t, e)
				if err := rc.call(ctx(t), e.c, f); e.keep(err) != nil {
					t.Fatal(err)
				}
				if n := e.sim.Requests(rc.sim); n != 1 {
					t.Errorf("%d requests", n)
				}
			})
			if rc.missing != nil {
				t.Run("404", func(t *testing.T) {
					e := newEnv(t)
					f := seed(t, e)
					if err := rc.missing(ctx(t), e.c, f); !gandi.IsNotFound(e.keep(err)) {
						t.Errorf("got %v", err)
					}
				})
			}
			t.Run("401 wrong API key", func(t *testing.T) {
				e := newEnv(t)
				f := seed(t, e)
				err := rc.call(ctx(t), e.client("wrong-"+apiKey, true, nil), f)
				if !gandi.IsUnauthorized(e.keep(err)) || gandi.IsTransient(err) {
					t.Errorf("got %v", err)
				}
			})
			t.Run("403 unknown token", func(t *testing.T) {
				e := newEnv(t)
				f := seed(t, e)
				err := rc.call(ctx(t), e.client("expired-"+token, false, nil), f)
				if !gandi.IsForbidden(e.keep(err)) || gandi.IsTransient(err) {
					t.Errorf("got %v", err)
				}
			})
			t.Run("5xx", func(t *testing.T) { testServerErrors(t, rc) })
			t.Run("429", func(t *testing.T) { testRateLimited(t, rc) })
		})
	}
}

func testServerErrors(t *testing.T, rc routeCase) {
	e := newEnv(t)
	f := seed(t, e)
	if rc.sentOnce() {
		// Never retried: one request, the error goes to the caller.
		e.sim.FailNext(rc.sim, 1, http.StatusServiceUnavailable, 0)
		err := rc.call(ctx(t), e.c, f)
		if !gandi.IsTransient(e.keep(err)) || e.sim.Requests(rc.sim) != 1 || e.sim.Writes() != 0 {
			t.Errorf("%s after 503: %v, %d requests, %d writes", rc.method(), err, e.sim.Requests(rc.sim), e.sim.Writes())
		}
		return
	}
	e.sim.FailNext(rc.sim, 2, http.StatusServiceUnavailable, 0)
	if err := rc.call(ctx(t), e.c, f); e.keep(err) != nil || e.sim.Requests(rc.sim) != 3 {
		t.Fatalf("after two 503s: %v, %d requests", err, e.sim.Requests(rc.sim))
	}
	e.sim.ResetCounters()
	e.sim.FailNext(rc.sim, gandi.DefaultMaxRetries+1, http.StatusInternalServerError, 0)
	err := rc.call(ctx(t), e.c, f)
	if !gandi.IsTransient(e.keep(err)) || gandi.RetryAfter(err) != 0 || e.sim.Requests(rc.sim) != gandi.DefaultMaxRetries+1 {
		t.Errorf("persistent 500: %v, %d requests", err, e.sim.Requests(rc.sim))
	}
}

func testRateLimited(t *testing.T, rc routeCase) {
	e := newEnv(t)
	f := seed(t, e)
	// A caller that may not wait a whole second gets the 429 back at once…
	c := e.client(token, false, func(cfg *gandi.Config) { cfg.MaxWait = 10 * time.Millisecond })
	e.sim.FailNext(rc.sim, 1, http.StatusTooManyRequests, time.Second)
	err := rc.call(ctx(t), c, f)
	if !gandi.IsRateLimited(e.keep(err)) || gandi.RetryAfter(err) != time.Second || e.sim.Requests(rc.sim) != 1 {
		t.Fatalf("429: %v (retry after %s), %d requests", err, gandi.RetryAfter(err), e.sim.Requests(rc.sim))
	}
	// …and the client holds every other request back, without sending it.
	before := total(e.sim.RequestCounts())
	_, err = c.GetDomain(ctx(t), "example.org")
	if !gandi.IsRateLimited(e.keep(err)) || gandi.RetryAfter(err) <= 0 || total(e.sim.RequestCounts()) != before {
		t.Errorf("request during the pause: %v", err)
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
