package controller

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// One boost per turn-on.
//
// Gandi's booster is a paid boost that runs for booster.next.duration_days
// and ends on its own at booster.current.expires_at; the next one is
// offered (booster.next.available) only after cooldown_days. Once a boost
// ends, Gandi shows the booster off while spec.booster.enabled still says
// on: sending booster:true again then would be refused during the
// cooldown (409, again and again) and, after it, buy a new boost by
// itself, every few weeks, which nobody asked for. So spec.booster.enabled
// true buys one boost: once the boost bought for it was seen running at
// Gandi, it is recorded as delivered (effects.hosting.gandi-operator.dev/
// booster, an annotation so that it survives a restart and a restore) and
// not bought again; the spec asking the booster off clears that (records
// "off"), and the next true buys one boost. booster:true is never sent
// while Gandi says the booster is not available.
//
// A boost may run and end with no pass seeing it (the manager down for
// its days). What was sent proves nothing, but Gandi's cooldown does: it
// counts from the end of the last boost (next.available_at minus
// cooldown_days), and an end no earlier than when booster:true was
// recorded (paidSentAtKey) is a boost that ran since. That boost is the
// turn-on's, delivered, as one seen running would be; the paid-change
// record settles with it.

// The booster record's values (besides "", no record).
const (
	// boosterOff: the spec was seen asking the booster off; its next turn
	// on is a new word, a boost to buy once Gandi offers one.
	boosterOff = "off"
	// boosterDelivered, alone or followed by ":" and the boost's
	// expires_at: the boost this turn-on asked for ran at Gandi.
	boosterDelivered = "delivered"
	// boosterBaseline: enabled was already true, with no record of this
	// turn-on, when the object took hold of an instance it did not create
	// or took hold again (a restore, a copy: baselineRecords). That word
	// was another object's, or bought its boost after the backup: it buys
	// nothing here, as a one-off request held on adoption. Not
	// "delivered", which says a boost ran: none may have. It lives in the
	// record itself, not beside it (baselineKey), so that enabled: false
	// replaces it and the next true buys as always.
	boosterBaseline = "baseline"
)

// boosterRequest is spec.booster.enabled: true as a request held when the
// object takes hold of an instance (requestsOnObject): a boost is paid.
var boosterRequest = oneOffRequest{effect: effectBooster, field: "spec.booster.enabled", value: strconv.FormatBool(true),
	requestsOf: func(record string) []string { return []string{boosterTurnOf(record)} }, heldAs: boosterBaseline,
	askAgain: "set it to false, then back to true, to buy a boost (each boost is paid)"}

// boosterTurnOf is the enabled value a booster record answers for: true
// for a turn-on delivered or held, false for off, "" for no record.
func boosterTurnOf(record string) string {
	switch record {
	case "":
		return ""
	case boosterOff:
		return strconv.FormatBool(false)
	}
	return strconv.FormatBool(true)
}

// boosterView is what one pass knows of the booster.
type boosterView struct {
	// asked is spec.booster.enabled, nil when spec.booster is unset (the
	// operator leaves the booster alone).
	asked *bool
	// running: Gandi shows a current boost (not being deleted).
	running bool
	// expiresAt is the current boost's end, when Gandi gives one.
	expiresAt string
	// available is booster.next.available (true when Gandi does not say:
	// its answer to the PATCH is then the word); availableAt is
	// next.available_at when given.
	available   bool
	availableAt string
	// pending: a booster:true is recorded as sent (the paid-change record)
	// and Gandi does not show it yet: the paid change waits for it.
	pending bool
	// ended is the end of a boost that ran since that booster:true was
	// recorded, as Gandi's cooldown shows it (boosterEndedSince), "" when
	// it shows none.
	ended string
}

// boosterDecision is what a pass does about the booster.
type boosterDecision struct {
	// hold drops booster:true from this pass's PATCH.
	hold bool
	// record is the booster record as this pass leaves it.
	record string
	// problem makes Synced False (nothing is sent meanwhile).
	problem *problem
	// note explains, on a Synced True, why a booster Gandi shows off is
	// not bought again.
	note string
}

// decideBooster decides the booster's turn from its record and v.
func decideBooster(recorded string, v boosterView) boosterDecision {
	d := boosterDecision{record: recorded}
	switch {
	case v.asked == nil:
		// Not managed: the record stays for when it is again.
	case !*v.asked:
		d.record = boosterOff
	case v.running:
		// Running now, whoever bought it (this operator, a person, an
		// older operator before the record existed): it is the boost this
		// turn-on asked for.
		d.record = joinNonEmpty(":", boosterDelivered, v.expiresAt)
	case v.ended != "":
		// The boost sent for this turn-on ran and ended unseen.
		d.hold = true
		d.record = boosterDelivered + ":" + v.ended
		d.note = deliveredNote(d.record)
	case v.pending:
		// Sent and not shown yet: the paid change says so (Updating or
		// ActionUnconfirmed), and does not send it again.
	case recorded == boosterBaseline:
		d.hold = true
		d.note = "spec.booster.enabled was already true when this object took hold of the instance (it did not create it, or holds it again: a restore, a copy), with no record that a boost was bought for it: none is; set spec.booster.enabled to false, then back to true, to buy one (each boost is paid)"
	case strings.HasPrefix(recorded, boosterDelivered):
		d.hold = true
		d.note = deliveredNote(recorded)
	case recorded == "" && !v.available && v.availableAt != "":
		// A boost ended within the cooldown, and nothing says the spec
		// asked for a new one since (an object from before this record,
		// or adopting an instance just boosted): taken as delivered,
		// rather than bought again when the cooldown ends.
		d.hold = true
		d.record = boosterDelivered
		d.note = deliveredNote(d.record)
	case !v.available:
		d.hold = true
		when := "it does not say when it offers it again"
		if v.availableAt != "" {
			when = "Gandi offers the booster again at " + v.availableAt
		}
		d.problem = &problem{hostingv1alpha1.ReasonBoosterUnavailable,
			"spec.booster.enabled is true but Gandi does not offer the booster now (a boost runs or its cooldown is not over): " + when + "; it is bought then, once, and nothing is sent until"}
	}
	return d
}

// deliveredNote says why a booster Gandi shows off is not bought again.
func deliveredNote(recorded string) string {
	ran := "a boost already ran at Gandi for spec.booster"
	if _, at, ok := strings.Cut(recorded, ":"); ok {
		ran = "the booster bought for spec.booster ran until " + at
	}
	return ran + "; it is not bought again: set spec.booster.enabled to false, then back to true, to buy another (each boost is paid)"
}

// viewBooster is the boosterView of a pass; pending says a booster:true
// is recorded as sent and ended is boosterEndedSince its record.
func viewBooster(hi *hostingv1alpha1.HostingInstance, inst *gandi.Instance, pending bool, ended string) boosterView {
	v := boosterView{running: boosterRunning(inst), available: true, pending: pending, ended: ended}
	if b := hi.Spec.Booster; b != nil {
		v.asked = &b.Enabled
	}
	if b := inst.Booster; b != nil {
		if c := b.Current; c != nil && !c.ExpiresAt.IsZero() {
			v.expiresAt = c.ExpiresAt.UTC().Format(time.RFC3339)
		}
		if n := b.Next; n != nil {
			v.available = n.Available
			if n.AvailableAt != nil && !n.AvailableAt.IsZero() {
				v.availableAt = n.AvailableAt.UTC().Format(time.RFC3339)
			}
		}
	}
	return v
}

// boosterEndedSince is the end of the last boost (RFC 3339) when inst
// shows one no earlier than sent, the time booster:true was recorded
// before it was sent, give or take clockSkew: a boost that ran since. ""
// when it shows none: a boost running (seen as such), no cooldown, or a
// record with no time (an older build's).
func boosterEndedSince(inst *gandi.Instance, sent time.Time) string {
	if sent.IsZero() || boosterRunning(inst) || inst.Booster == nil || inst.Booster.Next == nil {
		return ""
	}
	n := inst.Booster.Next
	if n.AvailableAt == nil || n.AvailableAt.IsZero() {
		return ""
	}
	end := n.AvailableAt.UTC().AddDate(0, 0, -n.CooldownDays)
	if end.Before(sent.Add(-clockSkew)) {
		return ""
	}
	return end.Format(time.RFC3339)
}

// recordBooster writes the booster record d leaves when it changed. It is
// this object's bookkeeping, written in Observe too, so that a boost seen
// running there counts as delivered when the object is later managed.
func (r *HostingInstanceReconciler) recordBooster(ctx context.Context, hi *hostingv1alpha1.HostingInstance, d boosterDecision) error {
	recorded := recordedEffect(hi, effectBooster)
	if d.record == recorded {
		return nil
	}
	p := annotationPatch{set: effectRecord(effectBooster, d.record)}
	if d.record == "" {
		p = annotationPatch{remove: []string{effectAnnotationPrefix + effectBooster}}
	}
	if err := patchAnnotations(ctx, r.Client, hi, p); err != nil {
		return fmt.Errorf("record the booster's turn: %w", err)
	}
	return nil
}
