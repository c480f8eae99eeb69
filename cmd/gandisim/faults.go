package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// faultFlags are the -fault-* flags of the seeded random mode: the same
// configuration for every listed route (-fault-route, repeatable), or for
// every route when none is listed. POST /_sim/random sets one route at a
// time at run time.
type faultFlags struct {
	seed       int64
	rf         gandisim.RandomFaults
	statuses   string
	routes     routeList
	seedIsSet  func() bool
	defaultRNG func() int64
}

// routeList is a repeatable flag of route templates.
type routeList []string

func (l *routeList) String() string { return strings.Join(*l, "; ") }

func (l *routeList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func (f *faultFlags) register(fs *flag.FlagSet) {
	fs.Int64Var(&f.seed, "fault-seed", 0, "seed of the random faults; the same seed replays the same faults on every route (default: drawn from the clock and logged)")
	fs.Float64Var(&f.rf.Rate5xx, "fault-5xx", 0, "fraction of requests answered with a 5xx and Gandi's error body (0.1 = 10%)")
	fs.StringVar(&f.statuses, "fault-5xx-statuses", "500,502,503,504", "comma-separated 5xx statuses the random 5xx answers are drawn from")
	fs.Float64Var(&f.rf.RateResetBeforeCommit, "fault-reset-before", 0, "fraction of requests whose connection is reset before anything is done")
	fs.Float64Var(&f.rf.RateResetAfterCommit, "fault-reset-after", 0, "fraction of requests performed in full whose connection is then reset (the answer is lost)")
	fs.Float64Var(&f.rf.Rate429, "fault-429", 0, "fraction of requests answered 429 with Retry-After")
	fs.DurationVar(&f.rf.RetryAfter, "fault-retry-after", time.Second, "Retry-After of the random 429s (whole seconds, rounded up)")
	fs.DurationVar(&f.rf.LatencyMin, "fault-latency-min", 0, "least latency added to every request")
	fs.DurationVar(&f.rf.LatencyMax, "fault-latency-max", 0, "most latency added to every request, drawn uniformly from [min, max] (default: -fault-latency-min)")
	fs.Var(&f.routes, "fault-route", `route template the random faults apply to, such as "POST /v5/simplehosting/instances" (repeatable; default: every route)`)
	f.seedIsSet = func() bool {
		set := false
		fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "fault-seed" })
		return set
	}
	f.defaultRNG = func() int64 { return time.Now().UnixNano() }
}

// config returns the random configuration the flags ask for, and whether
// they ask for one at all (a rate or a latency).
func (f *faultFlags) config() (rf gandisim.RandomFaults, on bool, err error) {
	rf = f.rf
	on = rf.Rate5xx > 0 || rf.RateResetBeforeCommit > 0 || rf.RateResetAfterCommit > 0 || rf.Rate429 > 0 || rf.LatencyMin > 0 || rf.LatencyMax > 0
	if !on {
		return rf, false, nil
	}
	for _, field := range strings.Split(f.statuses, ",") {
		st, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil {
			return rf, false, fmt.Errorf("-fault-5xx-statuses: %q is not a status", field)
		}
		rf.Statuses5xx = append(rf.Statuses5xx, st)
	}
	rf.Seed = f.seed
	if !f.seedIsSet() {
		rf.Seed = f.defaultRNG()
	}
	return rf, true, nil
}

// apply turns the random mode on in sim as the flags ask, and returns the
// configuration set.
func (f *faultFlags) apply(sim *gandisim.Server) (gandisim.RandomFaults, bool, error) {
	rf, on, err := f.config()
	if err != nil || !on {
		return rf, false, err
	}
	routes := []string(f.routes)
	if len(routes) == 0 {
		routes = []string{""}
	}
	for _, route := range routes {
		if err := sim.SetRandomFaults(route, rf); err != nil {
			return rf, false, fmt.Errorf("-fault-*: %w", err)
		}
	}
	return rf, true, nil
}
