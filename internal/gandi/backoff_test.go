package gandi

import (
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	minD, maxD := 100*time.Millisecond, time.Second
	lowest := func(int64) int64 { return 0 }
	highest := func(n int64) int64 { return n - 1 }
	for attempt, nominal := range []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} {
		nominal *= time.Millisecond
		lo := backoffDelay(attempt, minD, maxD, lowest)
		hi := backoffDelay(attempt, minD, maxD, highest)
		if lo != nominal/2 || hi != nominal {
			t.Errorf("attempt %d: [%s, %s], want [%s, %s]", attempt, lo, hi, nominal/2, nominal)
		}
	}
	// A huge attempt number must not overflow.
	if d := backoffDelay(1000, minD, maxD, highest); d != maxD {
		t.Errorf("attempt 1000: %s", d)
	}
	p := &Pacer{minBackoff: minD, maxBackoff: maxD}
	for range 100 {
		if d := p.Backoff(2); d < 200*time.Millisecond || d > 400*time.Millisecond {
			t.Fatalf("jittered backoff out of range: %s", d)
		}
	}
}
