package main

import (
	"flag"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

func parseFaults(t *testing.T, args ...string) *faultFlags {
	t.Helper()
	fs := flag.NewFlagSet("gandisim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &faultFlags{}
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	f.defaultRNG = func() int64 { return 1234 }
	return f
}

func TestFaultFlagsOffByDefault(t *testing.T) {
	if _, on, err := parseFaults(t, "-fault-seed", "9").config(); on || err != nil {
		t.Fatalf("on %v, err %v without a rate or a latency", on, err)
	}
}

func TestFaultFlags(t *testing.T) {
	f := parseFaults(t, "-fault-seed", "42", "-fault-5xx", "0.1", "-fault-5xx-statuses", "503, 500",
		"-fault-reset-before", "0.025", "-fault-reset-after", "0.025", "-fault-429", "0.05", "-fault-retry-after", "2s",
		"-fault-latency-min", "5ms", "-fault-latency-max", "50ms",
		"-fault-route", gandisim.RouteCreateInstance, "-fault-route", gandisim.RouteGetInstance)
	rf, on, err := f.config()
	if err != nil || !on {
		t.Fatalf("on %v, err %v", on, err)
	}
	want := gandisim.RandomFaults{Seed: 42, Rate5xx: 0.1, Statuses5xx: []int{503, 500}, RateResetBeforeCommit: 0.025,
		RateResetAfterCommit: 0.025, Rate429: 0.05, RetryAfter: 2 * time.Second, LatencyMin: 5 * time.Millisecond, LatencyMax: 50 * time.Millisecond}
	if rf.Seed != want.Seed || rf.Rate5xx != want.Rate5xx || !slices.Equal(rf.Statuses5xx, want.Statuses5xx) ||
		rf.RateResetBeforeCommit != want.RateResetBeforeCommit || rf.RateResetAfterCommit != want.RateResetAfterCommit ||
		rf.Rate429 != want.Rate429 || rf.RetryAfter != want.RetryAfter || rf.LatencyMin != want.LatencyMin || rf.LatencyMax != want.LatencyMax {
		t.Fatalf("config %+v, want %+v", rf, want)
	}

	sim := gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
	if _, _, err := f.apply(sim); err != nil {
		t.Fatal(err)
	}
	all, perRoute := sim.RandomFaultConfig()
	if all != nil || len(perRoute) != 2 || perRoute[gandisim.RouteGetInstance].Seed != 42 {
		t.Fatalf("set %+v, %+v", all, perRoute)
	}
}

func TestFaultFlagsEveryRouteAndDrawnSeed(t *testing.T) {
	f := parseFaults(t, "-fault-429", "0.5")
	sim := gandisim.New(gandisim.Options{})
	rf, on, err := f.apply(sim)
	if err != nil || !on || rf.Seed != 1234 || rf.RetryAfter != time.Second || len(rf.Statuses5xx) != 4 {
		t.Fatalf("config %+v, on %v, err %v", rf, on, err)
	}
	if all, perRoute := sim.RandomFaultConfig(); all == nil || all.Seed != 1234 || len(perRoute) != 0 {
		t.Fatalf("set %+v, %+v", all, perRoute)
	}
}

func TestFaultFlagsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"-fault-5xx", "0.1", "-fault-5xx-statuses", "500,oops"},
		{"-fault-5xx", "0.1", "-fault-5xx-statuses", "404"},
		{"-fault-5xx", "0.7", "-fault-429", "0.5"},
		{"-fault-5xx", "0.1", "-fault-route", "GET /nowhere"},
		{"-fault-latency-min", "20ms", "-fault-latency-max", "10ms"},
	} {
		if _, _, err := parseFaults(t, args...).apply(gandisim.New(gandisim.Options{})); err == nil {
			t.Fatalf("%v accepted", args)
		}
	}
}
