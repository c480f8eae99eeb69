package controller

import "time"

// lossState is where a request whose answer was never seen (a create, a
// template's apply) stands in the grace Gandi may take to show what it
// did: until that grace is over, nothing may send the request again.
type lossState int

const (
	// lossInGrace: Gandi may still show what the request did.
	lossInGrace lossState = iota
	// lossUnrecorded: the grace since the request was sent is over, and
	// nothing records when its answer was lost: the process that sent it
	// stopped mid-attempt (or the write of the loss failed), and the
	// attempt may have reached Gandi as late as that. It is over by now at
	// the latest: now is to be recorded as its loss, and the grace waited
	// from it.
	lossUnrecorded
	// lossSettled: a grace passed since the loss: what Gandi shows now is
	// all the request did.
	lossSettled
)

// lossGrace says where a request stands that was recorded as about to be
// sent at sent and whose answer was lost at lostAt (zero: no loss is
// recorded), and for lossInGrace how much of the grace is left. The grace
// counts from the later of the two: an attempt may wait for the request
// budget and then take the client's timeout, so it may reach Gandi long
// after it was recorded, but not after its answer was lost.
func lossGrace(sent, lostAt, now time.Time, grace time.Duration) (lossState, time.Duration) {
	if left := latest(sent, lostAt).Add(grace).Sub(now); left > 0 {
		return lossInGrace, left
	}
	if lostAt.IsZero() {
		return lossUnrecorded, 0
	}
	return lossSettled, 0
}
