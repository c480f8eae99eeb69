package controller

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Gandi serves a vhost FQDN on one instance. A create for an FQDN another
// instance serves, which the object's credentials may not even see (an
// instance of another account), is refused and makes nothing, for as long
// as that instance holds the name; nothing the object reads shows when it
// lets it go. Sent again at every poll, such a create cost an intent
// record, a refused create and the record's removal each time, in a state
// nothing changes. This file is the one rule of when it is sent again,
// for the kinds whose creates meet it (the PaaSInstance:
// status.vhostConflicts[].refusedAt).

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

// resentNote tells the user when a refused create is sent again.
func resentNote(every time.Duration) string {
	return "the create is sent again every " + every.String() + ", or as soon as the spec changes or a reconcile is requested"
}
