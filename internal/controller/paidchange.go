package controller

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// Paid changes, of any kind.
//
// A change Gandi accepts and applies later, and which can induce a
// payment (a HostingInstance's PATCH of size, storage or booster,
// hostinginstance_paid.go; a PaaSInstance's paas.update of size or
// quantity, paasinstance_paid.go), must not be sent again because a read
// right after still shows the old value: that pays twice. So its fields
// are a side effect recorded before they are sent, one value per field,
// in effects.hosting.gandi-operator.dev/paid-change ("size=l;storage=50",
// keys in the kind's order), with the fields Gandi accepted in its
// .confirmed annotation. A field whose recorded value is the one the spec
// asks for is not sent again: while Gandi's acceptance was seen, Synced
// says the change is on its way (Updating); when it was never seen (a lost
// answer, a crash between the record and the answer), it says
// ActionUnconfirmed, and a person who checked at Gandi removes the
// annotation to have it sent again. Once Gandi shows a field's recorded
// value, its record is dropped, so that a later drift is corrected by a
// new send. The client does not resend the paid call on its own
// (gandi.WithoutResend).
//
// A recorded value the spec no longer asks for (l accepted, then the spec
// back to the m Gandi still shows) is still on its way: Gandi gives no way
// to take back a change it accepted. So it keeps Synced from UpToDate
// (Updating, or ActionUnconfirmed when its acceptance was never seen)
// until Gandi shows it; the spec is then compared with what Gandi shows,
// and a change back is a new paid change.
//
// When each recorded value was recorded, before it was sent, is kept
// beside the record (paidSentAtKey, "booster=<RFC 3339>"): what Gandi
// shows later than that can prove a change ran even when it never showed
// it (a boost that ran and ended unseen, hostinginstance_booster.go).
//
// An object that takes hold of an instance whose past it has no record of
// (takes hold again after a restore from a backup older than its last
// paid change, the spec synced again from Git; created again; adopted)
// cannot tell a change it would send from one sent before it that Gandi
// still applies: neither API shows a change under way (the docs give no
// method to follow paas.update's operations, an instance PATCH only
// answers 202, and neither names a state for an instance being changed).
// So the write that takes hold records when (paidHoldKey, withPaidHold),
// and no paid field is sent before a grace from then (Timing.CreateGrace,
// the operator's bound on how late Gandi shows what it accepted) is over:
// Synced says PaidChangeHeld until then. A field Gandi shows by then is
// not sent at all; one it does not show is sent then, once, as the spec
// declares it. An object that made its instance knows its past: it sends
// at once.

// paidField is one paid field of an object.
type paidField struct {
	key string
	// want is the value the spec asks for when Gandi does not show it and
	// can take it (the kind's comparison put it in its update), ""
	// otherwise.
	want string
	// shown is the value Gandi shows.
	shown string
}

// paidPlan is what one pass does with the paid fields.
type paidPlan struct {
	// keys are the kind's paid fields, in the record's order.
	keys []string
	// send are the keys to send, each at its field's want.
	send []string
	// record and confirmed are the annotations as this pass leaves them
	// before the answer: fields Gandi shows dropped, fields sent recorded
	// and not (yet) confirmed.
	record, confirmed string
	// waiting were sent and accepted, and Gandi does not show them yet;
	// unconfirmed were sent, maybe, and their acceptance was never seen.
	// Neither is sent again.
	waiting, unconfirmed []paidField
	// withdrawn and withdrawnUnconfirmed are the same for values the spec
	// no longer asks for, each with want set to the recorded value.
	withdrawn, withdrawnUnconfirmed []paidField
	// held would be sent, and wait for hold to end.
	held []paidField
	hold paidHold
}

// paidHoldKey names the annotation beside the paid-change record that
// holds when this object took hold of its instance without a record of
// its past (RFC 3339): the grace before its first paid change counts from
// it. It says nothing once the grace is over, and goes in the next write
// that settles the record (settlePaid), or with the instance's other
// records when the object is about another one (effectKeys). A person may
// remove it: that write wakes the object (paidHoldEdited).
const paidHoldKey = effectAnnotationPrefix + effectPaidChange + ".held-since"

// paidHold is where an object's paid hold (paidHoldKey) stands in a pass.
type paidHold struct {
	// recorded: the object records a hold, over or not.
	recorded bool
	// held: no paid field is sent in this pass.
	held bool
	// until is when the hold ends; zero for a record that is not a time
	// (edited by hand): it holds until a person removes it.
	until time.Time
}

// readPaidHold is obj's paid hold at now, the grace counting from the
// time it records.
func readPaidHold(obj client.Object, now time.Time, grace time.Duration) paidHold {
	v, ok := obj.GetAnnotations()[paidHoldKey]
	if !ok {
		return paidHold{}
	}
	since, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return paidHold{recorded: true, held: true}
	}
	until := since.Add(grace)
	return paidHold{recorded: true, held: now.Before(until), until: until}
}

// withPaidHold adds to p, the write by which obj takes hold of an
// instance whose past it has no record of, the start of its paid hold
// (now), for a kind with paid changes.
func withPaidHold(ext external, p annotationPatch, now time.Time) annotationPatch {
	e, ok := ext.(effectsOnObject)
	if !ok || !slices.Contains(e.objectEffects(), effectPaidChange) {
		return p
	}
	set := maps.Clone(p.set)
	if set == nil {
		set = map[string]string{}
	}
	set[paidHoldKey] = now.UTC().Format(time.RFC3339Nano)
	p.set = set
	p.remove = slices.DeleteFunc(slices.Clone(p.remove), func(k string) bool { return k == paidHoldKey })
	return p
}

// decidePaid plans the paid fields of a pass from their record, its
// confirmation, the object's paid hold and what the spec and Gandi say of
// each field; keys are the kind's paid fields in the record's order.
func decidePaid(keys []string, recorded, confirmed string, hold paidHold, fields []paidField) paidPlan {
	rec, conf := parsePaid(recorded), parsePaid(confirmed)
	plan := paidPlan{keys: keys, hold: hold}
	for _, f := range fields {
		v, sent := rec[f.key]
		if sent && v == f.shown {
			// Gandi shows it: settled. A later drift is a new change.
			delete(rec, f.key)
			sent = false
		}
		if !sent {
			delete(conf, f.key)
		}
		switch {
		case f.want == "" && sent:
			// Still on its way, though the spec no longer asks for it.
			f.want = v
			if conf[f.key] == v {
				plan.withdrawn = append(plan.withdrawn, f)
			} else {
				plan.withdrawnUnconfirmed = append(plan.withdrawnUnconfirmed, f)
			}
		case f.want == "":
		case sent && v == f.want && conf[f.key] == v:
			plan.waiting = append(plan.waiting, f)
		case sent && v == f.want:
			plan.unconfirmed = append(plan.unconfirmed, f)
		case hold.held:
			plan.held = append(plan.held, f)
		default:
			rec[f.key] = f.want
			delete(conf, f.key)
			plan.send = append(plan.send, f.key)
		}
	}
	plan.record, plan.confirmed = formatPaid(rec, keys), formatPaid(conf, keys)
	return plan
}

// withAccepted is confirmed with the sent fields of plan added: the
// confirmation once Gandi accepted the change.
func (p paidPlan) withAccepted() string {
	rec, conf := parsePaid(p.record), parsePaid(p.confirmed)
	for _, k := range p.send {
		conf[k] = rec[k]
	}
	return formatPaid(conf, p.keys)
}

// paidSentAtKey names the annotation beside the paid-change record that
// holds when each recorded value was recorded, just before it was sent, in
// the record's format ("booster=2026-12-07T22:00:00Z"). It goes with the
// record's values: a value Gandi shows loses its time.
const paidSentAtKey = effectAnnotationPrefix + effectPaidChange + ".sent-at"

// paidSentAt is when obj recorded each paid value it sent (paidSentAtKey),
// by key; a time that does not parse is left out.
func paidSentAt(obj client.Object) map[string]time.Time {
	out := map[string]time.Time{}
	for k, v := range parsePaid(obj.GetAnnotations()[paidSentAtKey]) {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			out[k] = t
		}
	}
	return out
}

// sentAt is the paidSentAtKey value plan leaves on obj: the times of the
// values it keeps recorded, and now for those it sends.
func (p paidPlan) sentAt(obj client.Object, now time.Time) string {
	rec, times := parsePaid(p.record), parsePaid(obj.GetAnnotations()[paidSentAtKey])
	out := map[string]string{}
	for k := range rec {
		if t, ok := times[k]; ok {
			out[k] = t
		}
	}
	for _, k := range p.send {
		out[k] = now.UTC().Format(time.RFC3339)
	}
	return formatPaid(out, p.keys)
}

func parsePaid(s string) map[string]string {
	out := map[string]string{}
	for part := range strings.SplitSeq(s, ";") {
		if k, v, ok := strings.Cut(part, "="); ok {
			out[k] = v
		}
	}
	return out
}

// formatPaid writes m's fields in the order of keys.
func formatPaid(m map[string]string, keys []string) string {
	parts := make([]string, 0, len(m))
	for _, k := range keys {
		if v, ok := m[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, ";")
}

// sendPaid sends the paid fields plan says to send, at most once per
// value (sendOnceWith: recorded with an optimistic lock before the call,
// taken back only when Gandi certainly did not act), and never resent by
// the client (the context sendOnceWith hands send is gandi.WithoutResend).
// accepted says Gandi took the change; an error beside it is the
// confirmation's write. now dates the values sent (paidSentAtKey).
func sendPaid(ctx context.Context, c client.Client, obj client.Object, plan paidPlan, now time.Time, send func(context.Context) error) (accepted bool, err error) {
	if len(plan.send) == 0 {
		return false, settlePaid(ctx, c, obj, plan)
	}
	also := annotationPatch{set: map[string]string{confirmedKey(effectPaidChange): plan.confirmed, paidSentAtKey: plan.sentAt(obj, now)}}
	outcome, err := sendOnceWith(ctx, c, obj, effectPaidChange, plan.record, also, send)
	if outcome != effectSent {
		return false, err
	}
	return true, confirmAccepted(ctx, c, obj, effectPaidChange, plan.withAccepted())
}

// settlePaid writes a record that only lost the fields Gandi now shows,
// and drops in that write a paid hold that is over.
func settlePaid(ctx context.Context, c client.Client, obj client.Object, plan paidPlan) error {
	var p annotationPatch
	sentAt := plan.sentAt(obj, time.Time{}) // nothing is sent: no value gets a new time
	for key, value := range map[string]string{effectAnnotationPrefix + effectPaidChange: plan.record, confirmedKey(effectPaidChange): plan.confirmed, paidSentAtKey: sentAt} {
		current, ok := obj.GetAnnotations()[key]
		switch {
		case value == "" && ok:
			p.remove = append(p.remove, key)
		case value != "" && current != value:
			if p.set == nil {
				p.set = map[string]string{}
			}
			p.set[key] = value
		}
	}
	if p.set == nil && p.remove == nil {
		return nil
	}
	if plan.hold.recorded && !plan.hold.held {
		p.remove = append(p.remove, paidHoldKey)
	}
	return patchAnnotations(ctx, c, obj, p)
}

// paidSent names, with describe, the fields plan sent, and counts them
// waiting when Gandi accepted them.
func paidSent(plan *paidPlan, fields []paidField, accepted bool, describe func(paidField) string) []string {
	what := make([]string, 0, len(plan.send))
	for _, f := range fields {
		if slices.Contains(plan.send, f.key) {
			what = append(what, describe(f))
			if accepted {
				plan.waiting = append(plan.waiting, f)
			}
		}
	}
	return what
}

// paidChangeOnItsWay says Gandi accepted a paid change it does not show
// yet: the object is then read again soon (Timing.Transitional), as in a
// transitional state. A change whose acceptance was never seen is not
// waited for so: it may never come.
func paidChangeOnItsWay(obj client.Object) bool {
	return obj.GetAnnotations()[confirmedKey(effectPaidChange)] != ""
}

// paidProblems are the status problems of the fields plan holds back,
// each named by describe.
func paidProblems(plan paidPlan, describe func(paidField) string) []problem {
	out := make([]problem, 0, len(plan.unconfirmed)+len(plan.waiting)+len(plan.withdrawn)+len(plan.withdrawnUnconfirmed))
	for _, f := range plan.unconfirmed {
		out = append(out, rotationProblem("the paid change to "+describe(f),
			"check at Gandi that it was not made, then remove the annotation "+effectAnnotationPrefix+effectPaidChange+" to send it again (it can induce a payment)"))
	}
	for _, f := range plan.withdrawnUnconfirmed {
		out = append(out, rotationProblem("the paid change to "+describe(f)+", which the spec no longer asks for,",
			"if Gandi made it, the instance shows it later and the spec is compared with it then (a change back is a new paid change); check at Gandi that it was not made, then remove the annotation "+effectAnnotationPrefix+effectPaidChange+" to drop its record"))
	}
	for _, f := range plan.waiting {
		out = append(out, problem{hostingv1alpha1.ReasonUpdating,
			"Gandi accepted the paid change to " + describe(f) + "; waiting for the instance to show it (it is not sent again)"})
	}
	for _, f := range plan.withdrawn {
		out = append(out, problem{hostingv1alpha1.ReasonUpdating,
			"Gandi accepted the paid change to " + describe(f) + ", which the spec no longer asks for; a change Gandi accepted cannot be taken back: waiting for the instance to show it, then the spec is compared with it again (a change back is a new paid change)"})
	}
	if len(plan.held) > 0 {
		out = append(out, heldProblem(plan, describe))
	}
	return out
}

// heldProblem reports the paid fields plan holds (paidHold).
func heldProblem(plan paidPlan, describe func(paidField) string) problem {
	what := make([]string, 0, len(plan.held))
	for _, f := range plan.held {
		what = append(what, describe(f))
	}
	change := "the paid change to " + strings.Join(what, ", ")
	if plan.hold.until.IsZero() {
		return problem{hostingv1alpha1.ReasonPaidChangeHeld, change + " is held: the annotation " + paidHoldKey +
			" is not an RFC 3339 time; once you checked at Gandi that no change of the instance is under way, remove it to have the change sent (it can induce a payment)"}
	}
	return problem{hostingv1alpha1.ReasonPaidChangeHeld, change + " waits until " + plan.hold.until.UTC().Format(time.RFC3339) +
		": this object took hold of the instance with no record of the paid changes sent to it before (restored from a backup, created again, or adopted), and Gandi shows no change under way, but one sent before may still be; it is sent then unless the instance shows it by then"}
}

// holdWait is how long until plan's hold ends, when it holds a field back
// and ends (0 otherwise): the pass looks again then.
func (p paidPlan) holdWait(now time.Time) time.Duration {
	if len(p.held) == 0 || p.hold.until.IsZero() {
		return 0
	}
	return max(p.hold.until.Sub(now), time.Millisecond)
}

// waitingLast orders a paid change on its way, or held, after every other
// problem (syncedVerdict): any other names Synced.
func waitingLast(p problem) int {
	if p.reason == hostingv1alpha1.ReasonUpdating || p.reason == hostingv1alpha1.ReasonPaidChangeHeld {
		return 1
	}
	return 0
}
