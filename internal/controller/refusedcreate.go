package controller

import (
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// Gandi serves a vhost FQDN on one instance. A create for an FQDN another
// instance serves, which the object's credentials may not even see (an
// instance of another account), is refused and makes nothing, for as long
// as that instance holds the name; nothing the object reads shows when it
// lets it go. Sent again at every poll, such a create cost an intent
// record, a refused create and the record's removal each time, in a state
// nothing changes. This file is the one rule of when it is sent again,
// shared by the PaaSInstance (status.vhostConflicts[].refusedAt) and the
// Vhost (status.createRefusedAt, through the lifecycle: refusalKept).

// sendVhostCreate decides whether to send the create of a vhost that
// nothing this object's credentials read shows. A create Gandi refused for
// such a name (refused: the status records the refusal) is refused again
// as long as the other owner holds it, which this object cannot see. So it
// waits for what can change the answer: the spec (a generation not yet
// observed) or a requested reconcile (changed, freshWanted), and otherwise
// tries again at the slow detail interval (due, refusalDue), as the other
// owner may have let the name go. A create this object recorded and whose
// answer was lost (earlier) is always sent, as only the refusal tells
// whether that create made it.
func sendVhostCreate(earlier, refused, changed, due bool) bool {
	return earlier || !refused || changed || due
}

// refusalDue says a refused create recorded at at is due to be sent again,
// every (Timing.Detail) after it; one whose time is not recorded (an
// older build's record) is due.
func refusalDue(at *metav1.Time, now time.Time, every time.Duration) bool {
	return at == nil || !now.Before(at.Add(every))
}

// resentNote tells the user when a refused create is sent again. A zero
// interval (--detail-interval 0: no batched observation) sends it at
// every poll.
func resentNote(every time.Duration) string {
	when := "every " + every.String()
	if every <= 0 {
		when = "at every poll"
	}
	return "the create is sent again " + when + ", or as soon as the spec changes or a reconcile is requested"
}

// refusalKept is an external whose status keeps when Gandi last refused
// its create for a key Gandi serves where this object cannot look (a
// Vhost's FQDN another instance serves: status.createRefusedAt). The
// lifecycle records the refusal (createFailed) and sends the create again
// only as sendVhostCreate says (refusalStands).
type refusalKept interface {
	// refusedAt is when; nil when no such refusal stands.
	refusedAt() *metav1.Time
	// keepRefusedAt records it, for the status this pass writes.
	keepRefusedAt(at *metav1.Time)
	// changed: the spec changed or a reconcile was requested since the
	// status was last observed (freshWanted). A refusal counts as
	// observed, so a change made before it has been answered.
	changed() bool
}

// refusalRecorded says the create being sent again is one the status
// records as refused, and nothing changed since (it was due): its
// refusal, met again, is no news and makes no second event. A create
// sent for a changed spec or a requested reconcile is answered anew.
func refusalRecorded(ext external) bool {
	k, ok := ext.(refusalKept)
	return ok && k.refusedAt() != nil && !k.changed()
}

// refusalStands is the step before a create that a lookup found nothing
// for: while sendVhostCreate says the recorded refusal still answers it,
// nothing is sent or written, the status reports that refusal as the pass
// that recorded it did, and the next look is at the poll interval (a
// read: the key may show up where this object looks). pending is an open
// create intent of this object's own. A nil result lets the create go.
// The pass is stalled as the one that recorded the refusal was, on Ready's
// report of it (CreateRefused): Stalled, too, stays as it was.
func (l *lifecycle) refusalStands(obj managed, ext external, pending bool) *result {
	k, ok := ext.(refusalKept)
	if !ok {
		return nil
	}
	at := k.refusedAt()
	if sendVhostCreate(pending, at != nil, k.changed(), refusalDue(at, l.now(), l.timing.Detail)) {
		return nil
	}
	res := waitFor(jittered(l.timing.Poll))
	if c := meta.FindStatusCondition(*obj.GetConditions(), hostingv1alpha1.ConditionReady); c != nil {
		res = res.stalling(c.Reason, c.Message)
	}
	return halt(res)
}
