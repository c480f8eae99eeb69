package gandi

import (
	"math/rand/v2"
	"time"
)

// Backoff is the wait before retry number attempt+1: exponential from
// MinBackoff, capped at MaxBackoff, with "equal jitter" (half fixed, half
// random) so that clients failing together do not retry together, while a
// retry never comes sooner than half the nominal delay. Both APIs back off
// alike.
func (p *Pacer) Backoff(attempt int) time.Duration {
	return backoffDelay(attempt, p.minBackoff, p.maxBackoff, rand.Int64N)
}

func backoffDelay(attempt int, minD, maxD time.Duration, randN func(int64) int64) time.Duration {
	d := minD
	for i := 0; i < attempt && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + time.Duration(randN(int64(half)+1))
}
