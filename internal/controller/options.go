package controller

import (
	"math/rand/v2"
	"time"
)

// Timing is how often the reconcilers come back to an object.
type Timing struct {
	// Poll is the interval between reconciles of a settled object, so that
	// changes made outside the cluster are seen and reported.
	Poll time.Duration
	// Transitional is the interval while Gandi reports a state that is about
	// to change (being_created, waiting_bill, a running dispatch…).
	Transitional time.Duration
	// CreateGrace is the operator's bound on how late Gandi shows what it
	// accepted: how long after a create whose answer was lost it keeps
	// looking for the new object before it may create again (Gandi may
	// list a fresh object late), and how long an object that took hold of
	// an instance whose past it has no record of waits before its first
	// paid change (one sent before may still be under way: paidchange.go).
	CreateGrace time.Duration
	// Usage is the interval between refreshes of an instance's disk usage.
	Usage time.Duration
	// ExpiryWarning is how long before its end an instance that will not
	// renew gets the ExpiringSoon condition and a Warning event; 0 turns
	// the warnings off.
	ExpiryWarning time.Duration

	// Detail is the interval between reads of a settled object's detail
	// route (access information, upgrades, DNS details…) when Gandi's list
	// shows no change; 0 reads it at every poll (no batched observation).
	Detail time.Duration
}

// sendWindow is how long after its record a request recorded before it is
// sent (a paid create, a template apply) may still go out
// (gandi.RecordBeforeSend): another process takes such a record for lost
// a grace after it at the earliest, and the other half of the grace
// covers the skew between the two processes' clocks.
func (t Timing) sendWindow() time.Duration { return t.CreateGrace / 2 }

// Day is the unit of the expiry warning window (--expiry-warning-days).
const Day = 24 * time.Hour

// DefaultExpiryWarningDays is the default warning window: a month leaves
// time to renew by hand, or to turn autorenew on, before Gandi pauses the
// instance.
const DefaultExpiryWarningDays = 30

// DefaultTiming is the timing the manager uses unless told otherwise.
func DefaultTiming() Timing {
	return Timing{Poll: 5 * time.Minute, Transitional: 5 * time.Second, CreateGrace: 2 * time.Minute, Usage: 30 * time.Minute, Detail: 30 * time.Minute, ExpiryWarning: DefaultExpiryWarningDays * Day}
}

// jittered spreads requeues of many objects over +/-10% of d, so that they
// do not all poll Gandi in the same second.
func jittered(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	spread := int64(d) / 5
	if spread == 0 {
		return d
	}
	return d - time.Duration(spread/2) + time.Duration(rand.Int64N(spread)) //nolint:gosec // jitter, not a secret
}
