package controller

import (
	"strconv"
	"strings"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// instancePlan is a HostingInstance's fieldPlan, with the PATCH of its
// free fields and the booster's turn.
type instancePlan struct {
	fieldPlan
	// patch is the PATCH of the free fields to send.
	patch          gandi.UpdateInstanceRequest
	boosterOptions *gandi.BoosterOptions
	// boost is the booster's turn (hostinginstance_booster.go); booster:true
	// is out of paid when it holds it. Its record is written by the caller
	// (recordBooster), in Observe too: it is this object's own
	// bookkeeping, never a write to Gandi.
	boost boosterDecision
}

// planInstance decides an instance's plan, v being what the pass knows
// of the free values it sent and hold where its paid hold stands; it
// writes nothing.
func planInstance(hi *hostingv1alpha1.HostingInstance, inst *gandi.Instance, v freeView, hold paidHold) instancePlan {
	patch, fields, unsupported := instanceChanges(hi, inst)
	paid, boosterOptions, _ := splitPaid(&patch, fields, inst)
	sentOn := parsePaid(recordedEffect(hi, effectPaidChange))[paidBooster] == strconv.FormatBool(true)
	var ended string
	if sentOn {
		ended = boosterEndedSince(inst, paidSentAt(hi)[paidBooster])
	}
	boost := decideBooster(recordedEffect(hi, effectBooster), viewBooster(hi, inst, sentOn && ended == "", ended))
	for i := range paid {
		if paid[i].key == paidBoostSize && !boosterRunning(inst) {
			// The boost a size was sent for ended: the size went with
			// it, and the next turn-on asks its own (booster_options
			// beside booster:true). Its record settles.
			paid[i].shown = parsePaid(recordedEffect(hi, effectPaidChange))[paidBoostSize]
		}
		if paid[i].key != paidBooster {
			continue
		}
		if ended != "" {
			// The boost recorded as sent ran: Gandi's cooldown shows it.
			paid[i].shown = strconv.FormatBool(true)
		}
		if boost.hold && paid[i].want == strconv.FormatBool(true) {
			paid[i].want = ""
		}
	}
	plan := instancePlan{
		fieldPlan: fieldPlan{
			paid: paid, unsupported: unsupported,
			paidPlan: decidePaidChange(recordedEffect(hi, effectPaidChange), hi.GetAnnotations()[confirmedKey(effectPaidChange)], hold, paid),
		},
		boosterOptions: boosterOptions, boost: boost,
	}
	plan.decideFreeFields("instance", instanceFree(patch), v, func(f freeField) string {
		if f.key == "language_id" {
			return "the upgrade to " + hi.Spec.Type.Language.Name + " " + hi.Spec.Type.Language.Version
		}
		return f.key + " " + f.value
	})
	plan.patch = withoutFree(patch, plan.free.onItsWay)
	return plan
}

// instanceFree are the free fields of an instance PATCH.
func instanceFree(p gandi.UpdateInstanceRequest) []freeField {
	var out []freeField
	if p.Name != "" {
		out = append(out, freeField{fieldName, p.Name})
	}
	if p.SnapshotEnabled != nil {
		out = append(out, freeField{"snapshot_enabled", strconv.FormatBool(*p.SnapshotEnabled)})
	}
	if p.LanguageID != "" {
		out = append(out, freeField{"language_id", p.LanguageID})
	}
	return out
}

// withoutFree is p without the fields of drop.
func withoutFree(p gandi.UpdateInstanceRequest, drop []freeField) gandi.UpdateInstanceRequest {
	for _, f := range drop {
		switch f.key {
		case fieldName:
			p.Name = ""
		case "snapshot_enabled":
			p.SnapshotEnabled = nil
		case "language_id":
			p.LanguageID = ""
		}
	}
	return p
}

// changes names the fields the plan sends, as the PATCH names them.
func (p instancePlan) changes() []string {
	return p.fieldPlan.changes(func(key string) string {
		switch key {
		case paidStorage:
			return "storage_additional_size"
		case paidBoostSize:
			return "booster_options.size"
		}
		return key
	})
}

// waits adds to the fieldPlan's the booster Gandi does not offer.
func (p instancePlan) waits() []problem {
	out := p.fieldPlan.waits(describePaid)
	if p.boost.problem != nil {
		out = append(out, *p.boost.problem)
	}
	return out
}

// reportDrift says, in Observe mode, how Gandi differs from the spec
// where a Manage pass would act: what it would send, and what Gandi cannot
// apply. A boost delivered and ended is not drift (Manage does not buy it
// again), nor is a booster Manage waits for Gandi to offer.
func reportDrift(hi *hostingv1alpha1.HostingInstance, plan instancePlan) {
	fields := plan.changes()
	for _, p := range plan.unsupported {
		fields = append(fields, p.message)
	}
	if len(fields) == 0 {
		setCondition(hi, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonObserved,
			"managementPolicy is Observe: the instance matches the spec; nothing is written to Gandi")
		noteSynced(hi, plan.boost.note)
		return
	}
	setCondition(hi, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonDriftDetected,
		"managementPolicy is Observe, nothing is written to Gandi; the instance differs from the spec in: "+strings.Join(fields, "; "))
}

// reportInstanceHeld reports, for an instance in a state Gandi takes no
// changes in, what a pass would send once it is active (reportHeld): the
// plan's fields and the action requests not performed.
func reportInstanceHeld(hi *hostingv1alpha1.HostingInstance, state string, plan instancePlan) result {
	actions, unconfirmed := pendingActions(hi)
	res := reportHeld(hi, "instance", state, append(plan.changes(), actions...), append(plan.waits(), unconfirmed...), result{})
	noteSynced(hi, plan.boost.note)
	return res
}

// pendingActions are the action requests of the spec Gandi has not
// performed: the spec fields of those not sent yet, and the problems of
// those sent whose acceptance was never seen (runActions).
func pendingActions(hi *hostingv1alpha1.HostingInstance) ([]string, []problem) {
	var fields []string
	var unconfirmed []problem
	last := hi.Status.LastActions
	if last == nil {
		last = &hostingv1alpha1.LastActions{}
	}
	for _, a := range instanceActions {
		want := a.want(&hi.Spec)
		switch {
		case want == "" || want == *a.last(last) || hi.GetAnnotations()[confirmedKey(a.effect)] == want:
		case recordedEffect(hi, a.effect) == want:
			unconfirmed = append(unconfirmed, unconfirmedProblem(a.action, want, a.field))
		default:
			fields = append(fields, a.field)
		}
	}
	return fields, unconfirmed
}
