// Command gandisim serves the in-memory Gandi v5 API simulator
// (internal/gandi/gandisim) over HTTP, for the demo, e2e tests and manual
// runs. Its control API lives under /_sim/ on the same listener.
//
//	gandisim -listen 127.0.0.1:8080 -seed hack/seed.yaml -token pat_demo -org demo
//
// -ip-rate-limit 1000 limits every client IP as Gandi does (GET
// /_sim/counters reports requests_by_ip and peak_per_minute_by_ip either
// way); -rate-limit limits each token.
//
// The -fault-* flags turn on the seeded random faults, for every route or
// the -fault-route ones; the seed is logged so that a run can be replayed:
//
//	gandisim -fast -token pat_demo -fault-seed 42 -fault-5xx 0.1 -fault-reset-before 0.025 -fault-reset-after 0.025 -fault-429 0.02 -fault-latency-min 5ms -fault-latency-max 50ms
//
// The control routes are listed in the package documentation of
// internal/gandi/gandisim. For example, this shows PaaS instance 100001
// as Gandi shows one it deleted (state "deleted", still listed, its vhosts
// gone):
//
//	curl -X POST -d '{"paas_id": 100001}' http://127.0.0.1:8080/_sim/paas-deleted
//
// and this locks it, as Gandi support would (every change of it refused
// until it is released with "state": "running"):
//
//	curl -X POST -d '{"paas_id": 100001, "state": "locked"}' http://127.0.0.1:8080/_sim/paas-state
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gandisim:", err)
		os.Exit(1)
	}
}

func run() error {
	def := gandisim.DefaultTimings()
	var (
		listen    = flag.String("listen", "127.0.0.1:8080", "address to listen on")
		seedPath  = flag.String("seed", "", "seed file (YAML or JSON) loaded at start")
		fast      = flag.Bool("fast", false, "use the short test timings instead of the defaults (explicit timing flags still win)")
		rateLimit = flag.Int("rate-limit", 0, "requests per minute per token before 429 (0 = off)")
		ipLimit   = flag.Int("ip-rate-limit", 0, "requests per minute per client IP before 429, in a sliding window (0 = off; Gandi documents 1000)")
		perPage   = flag.Int("per-page", 100, "page size when per_page is absent")
		token     = flag.String("token", "", "add an account with this token (its value is never logged)")
		apiKey    = flag.Bool("apikey", false, "the -token is a legacy API key (Authorization: Apikey) instead of a bearer token")
		orgID     = flag.String("org", "", "organization ID of the -token account (default: derived from -user)")
		orgName   = flag.String("org-name", "", "organization name of the -token account (default: -org)")
		user      = flag.String("user", "demo", "user name of the -token account")
		t         = def
		faults    faultFlags
	)
	faults.register(flag.CommandLine)
	flag.DurationVar(&t.InstanceWaitingBill, "instance-waiting-bill", def.InstanceWaitingBill, "time an instance stays waiting_bill")
	flag.DurationVar(&t.InstanceBeingCreated, "instance-create", def.InstanceBeingCreated, "time an instance stays being_created")
	flag.DurationVar(&t.InstanceBeingDeleted, "instance-delete", def.InstanceBeingDeleted, "time an instance stays being_deleted")
	flag.DurationVar(&t.VhostBeingCreated, "vhost-create", def.VhostBeingCreated, "time a vhost stays being_created")
	flag.DurationVar(&t.VhostBeingDeleted, "vhost-delete", def.VhostBeingDeleted, "time a vhost stays being_deleted")
	flag.DurationVar(&t.VhostOwnershipValidated, "vhost-ownership-validated", def.VhostOwnershipValidated, "time a vhost stays ownership_validated")
	flag.DurationVar(&t.VhostValidationTimeout, "vhost-validation-timeout", def.VhostValidationTimeout, "time a vhost waits in waiting_ownership for its TXT record before validation_failed")
	flag.DurationVar(&t.ApplicationBeingCreated, "app-create", def.ApplicationBeingCreated, "time a vhost application stays being_created")
	flag.DurationVar(&t.DispatchStep, "dispatch-step", def.DispatchStep, "time of each dispatch task step (0 -> 10 -> 20)")
	flag.DurationVar(&t.InstanceUpdate, "instance-update", def.InstanceUpdate, "time an accepted instance PATCH takes to show")
	flag.Parse()

	if *fast {
		t = fastUnlessSet(t)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	sim := gandisim.New(gandisim.Options{
		Timings:              t,
		RateLimitPerMinute:   *rateLimit,
		IPRateLimitPerMinute: *ipLimit,
		DefaultPerPage:       *perPage,
		// Only method, route template, status and fault: never a header, so
		// no Authorization value can reach the log.
		OnRequest: func(e gandisim.RequestLog) {
			route := e.Route
			if route == "" {
				route = "(no route)"
			}
			attrs := []any{"method", e.Method, "route", route, "status", e.Status, "fault", e.Fault, "duration", e.Duration.Round(time.Microsecond)}
			if e.RandomSeq > 0 {
				attrs = append(attrs, "random_seq", e.RandomSeq)
			}
			logger.Info("request", attrs...)
		},
	})
	if rf, on, err := faults.apply(sim); err != nil {
		return err
	} else if on {
		routes := "every route"
		if len(faults.routes) > 0 {
			routes = faults.routes.String()
		}
		logger.Info("random faults on", "seed", rf.Seed, "routes", routes,
			"rate_5xx", rf.Rate5xx, "statuses_5xx", rf.Statuses5xx, "rate_reset_before_commit", rf.RateResetBeforeCommit,
			"rate_reset_after_commit", rf.RateResetAfterCommit, "rate_429", rf.Rate429, "retry_after", rf.RetryAfter,
			"latency_min", rf.LatencyMin, "latency_max", rf.LatencyMax)
	}
	if *token != "" {
		acct := gandisim.Account{Token: *token, APIKey: *apiKey, User: *user}
		if *orgID != "" {
			name := *orgName
			if name == "" {
				name = *orgID
			}
			acct.Orgs = []gandisim.Org{{ID: *orgID, Name: name, CanBill: true}}
		}
		sim.AddAccount(acct)
	}
	if *seedPath != "" {
		seed, err := gandisim.LoadSeedFile(*seedPath)
		if err != nil {
			return err
		}
		if err := sim.ApplySeed(seed); err != nil {
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("gandisim listening", "url", "http://"+ln.Addr().String())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// fastUnlessSet swaps in FastTimings for every timing flag left at its default.
func fastUnlessSet(t gandisim.Timings) gandisim.Timings {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fast := gandisim.FastTimings()
	for name, pair := range map[string][2]*time.Duration{
		"instance-waiting-bill":     {&t.InstanceWaitingBill, &fast.InstanceWaitingBill},
		"instance-create":           {&t.InstanceBeingCreated, &fast.InstanceBeingCreated},
		"instance-delete":           {&t.InstanceBeingDeleted, &fast.InstanceBeingDeleted},
		"vhost-create":              {&t.VhostBeingCreated, &fast.VhostBeingCreated},
		"vhost-delete":              {&t.VhostBeingDeleted, &fast.VhostBeingDeleted},
		"vhost-ownership-validated": {&t.VhostOwnershipValidated, &fast.VhostOwnershipValidated},
		"vhost-validation-timeout":  {&t.VhostValidationTimeout, &fast.VhostValidationTimeout},
		"app-create":                {&t.ApplicationBeingCreated, &fast.ApplicationBeingCreated},
		"dispatch-step":             {&t.DispatchStep, &fast.DispatchStep},
		"instance-update":           {&t.InstanceUpdate, &fast.InstanceUpdate},
	} {
		if !set[name] {
			*pair[0] = *pair[1]
		}
	}
	return t
}
