package controller

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// maxDispatchHistory bounds status.dispatch.history: a dispatch retried many
// times must not grow the object without end. The newest steps are kept.
const maxDispatchHistory = 50

// follow reads the dispatch of the last apply. over reports that it is no
// longer running, or can no longer be read, so the outcome stands and a new
// apply may be considered. A dispatch that Gandi shows applied another
// template or to another domain (its record was copied from another
// object) is over for this one too: rec takes Gandi's target, so that an
// apply of this target is due, and its state is not this object's.
func (r *TemplateApplicationReconciler) follow(ctx context.Context, api templateApplicationAPI, ta *hostingv1alpha1.TemplateApplication, t applyTarget, rec *applyRecord) (result, bool) {
	d, err := api.GetDispatch(ctx, rec.DispatchID)
	if gandi.IsNotFound(err) {
		// Gandi no longer reports it (or never showed it to this
		// credential) before it was seen over: accepted, and only the
		// domain can tell what became of it. Locked: this comes from a
		// read of the object, which may be stale.
		lost := *rec
		lost.Outcome, lost.Note = outcomeAccepted, "Gandi no longer reports dispatch "+rec.DispatchID
		lost.LostAt = r.Now().UTC()
		if err := r.saveRecord(ctx, ta, lost, true); err != nil {
			return retry(err), false
		}
		*rec = lost
		return result{}, true
	}
	if err != nil {
		return failed(ta, r.Timing, "follow the apply", err), false
	}
	if *rec = rec.withDispatchTarget(d); rec.otherTarget(t.templateID, t.domainID) != "" {
		return result{}, true
	}
	dispatchToStatus(ta, rec.DispatchID, d)
	ds := ta.Status.Dispatch
	switch {
	case d.Running():
		setCondition(ta, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonApplying, "dispatch "+ds.ID+" is "+strings.ToLower(string(ds.State))+taskSummary(ds))
		setCondition(ta, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonUpToDate, "the template is applied as the spec asks; Gandi is running the dispatch")
		return waitFor(r.pollBackoff(rec.At)), false
	case ds.State == hostingv1alpha1.DispatchError:
		r.Events.warn(ta, hostingv1alpha1.ReasonDispatchFailed, "Apply", dispatchFailures(ds))
	default:
		r.Events.normal(ta, "Applied", "Apply", "dispatch "+ds.ID+" is done")
	}
	return result{}, true
}

// withDispatchTarget is rec with the target Gandi reports its dispatch
// applied: what Gandi shows prevails over what the record says (or does
// not say, when an earlier version wrote it). template_id is optional in
// the doc; a dispatch that names neither leaves the record as it is.
func (rec applyRecord) withDispatchTarget(d *gandi.Dispatch) applyRecord {
	if d.TargetID != "" {
		rec.DomainID = d.TargetID
	}
	if d.TemplateID != "" {
		rec.TemplateID = d.TemplateID
	}
	return rec
}

// pollBackoff spaces the reads of a running dispatch begun at since: the
// shared rule for anything Gandi is still doing (Timing.recheck).
func (r *TemplateApplicationReconciler) pollBackoff(since time.Time) time.Duration {
	return r.Timing.recheck(since, r.clock())
}

// dispatchOver reports a dispatch whose final state is already known.
func dispatchOver(ds *hostingv1alpha1.DispatchStatus) bool {
	return ds != nil && (ds.State == hostingv1alpha1.DispatchDone || ds.State == hostingv1alpha1.DispatchError)
}

// dispatchToStatus writes what Gandi reported of the dispatch.
func dispatchToStatus(ta *hostingv1alpha1.TemplateApplication, id string, d *gandi.Dispatch) {
	ds := &hostingv1alpha1.DispatchStatus{
		ID: id, DomainID: d.TargetID, State: overallState(d), Message: d.StateMsg,
		Attempt: int32(min(d.Attempt, 1<<30)), //nolint:gosec // bounded just above
	}
	if len(d.TaskStatus) > 0 {
		ds.Tasks = make(map[string]hostingv1alpha1.DispatchState, len(d.TaskStatus))
		for ns, ts := range d.TaskStatus {
			ds.Tasks[ns] = stateOf(ts.Status)
		}
	}
	history := d.TaskHistory
	if len(history) > maxDispatchHistory {
		history = history[len(history)-maxDispatchHistory:]
	}
	for _, h := range history {
		ds.History = append(ds.History, hostingv1alpha1.DispatchHistoryEntry{
			Namespace: h.Namespace, State: stateOf(h.Status), Message: h.Message, Date: h.Date,
		})
	}
	ta.Status.Dispatch = ds
}

// overallState sums a dispatch up by the doc's rule: Gandi's global state
// stays 0 while the tasks run, so the tasks say whether it is pending or
// running, and once it no longer runs, whether anything failed.
func overallState(d *gandi.Dispatch) hostingv1alpha1.DispatchState {
	if d.Running() {
		if d.State >= gandi.DispatchRunning {
			return hostingv1alpha1.DispatchRunning
		}
		for _, ts := range d.TaskStatus {
			if ts.Status >= gandi.DispatchRunning {
				return hostingv1alpha1.DispatchRunning
			}
		}
		return hostingv1alpha1.DispatchPending
	}
	if len(d.Failures()) > 0 {
		return hostingv1alpha1.DispatchError
	}
	return hostingv1alpha1.DispatchDone
}

// stateOf names a numeric state; a value between the documented ones
// counts as the one below it.
func stateOf(s gandi.DispatchState) hostingv1alpha1.DispatchState {
	switch {
	case s >= gandi.DispatchError:
		return hostingv1alpha1.DispatchError
	case s >= gandi.DispatchDone:
		return hostingv1alpha1.DispatchDone
	case s >= gandi.DispatchRunning:
		return hostingv1alpha1.DispatchRunning
	}
	return hostingv1alpha1.DispatchPending
}

// taskSummary lists the tasks and their states, for messages.
func taskSummary(ds *hostingv1alpha1.DispatchStatus) string {
	if len(ds.Tasks) == 0 {
		return ""
	}
	parts := make([]string, 0, len(ds.Tasks))
	for _, ns := range slices.Sorted(maps.Keys(ds.Tasks)) {
		parts = append(parts, ns+" "+string(ds.Tasks[ns]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// dispatchFailures names what failed, each namespace with Gandi's last
// message for it, from the status alone (so it reads the same on every
// pass, without asking Gandi again).
func dispatchFailures(ds *hostingv1alpha1.DispatchStatus) string {
	var parts []string
	if ds.Message != "" {
		parts = append(parts, "the whole dispatch: "+ds.Message)
	}
	for _, ns := range slices.Sorted(maps.Keys(ds.Tasks)) {
		if ds.Tasks[ns] != hostingv1alpha1.DispatchError {
			continue
		}
		msg := "no message"
		for i := len(ds.History) - 1; i >= 0; i-- {
			if h := ds.History[i]; h.Namespace == ns && h.Message != "" {
				msg = h.Message
				break
			}
		}
		parts = append(parts, ns+": "+msg)
	}
	if len(parts) == 0 {
		parts = append(parts, "Gandi gave no reason")
	}
	return "dispatch " + ds.ID + " failed: " + strings.Join(parts, "; ")
}

// openDispatch is the dispatch of ta's last apply while it may still run
// at Gandi and is this object's own: its record names it, the status
// (which only the operator writes) has followed it, and does not show it
// over yet. A record copied from another object names a dispatch this
// status never showed.
func openDispatch(ta *hostingv1alpha1.TemplateApplication) (applyRecord, bool) {
	rec, ok := currentRecord(ta)
	ds := ta.Status.Dispatch
	open := ok && rec.Outcome == outcomeDispatched && rec.DispatchID != "" &&
		ds != nil && ds.ID == rec.DispatchID && !dispatchOver(ds)
	return rec, open
}

// followOpen keeps following the open dispatch of the last apply
// (openDispatch) when a pass stops before sync, with halted: the template
// is gone, refused or being changed, or the domain cannot be resolved.
// Gandi runs the dispatch all the same, and the status says what Gandi
// shows of it (its state, and appliedAt once it is done): Ready means
// observed, not last read. The conditions halted set stand (they say what
// the user must fix before anything is applied again); a dispatch still
// running brings the object back at the pace of a running one. api is the
// pass's client, nil when the pass did not get that far (sentClient
// then). A failure to read it leaves halted as it is: the next pass
// reads it again.
func (r *TemplateApplicationReconciler) followOpen(ctx context.Context, api templateApplicationAPI, ta *hostingv1alpha1.TemplateApplication, halted result) result {
	rec, open := openDispatch(ta)
	if !open || halted.err != nil {
		return halted
	}
	if api == nil {
		var err error
		if api, err = r.sentClient(ctx, ta); err != nil {
			return halted
		}
	}
	d, err := api.GetDispatch(ctx, rec.DispatchID)
	if err != nil {
		return halted
	}
	if seen := rec.withDispatchTarget(d); seen.otherTarget(rec.TemplateID, rec.DomainID) != "" {
		return halted
	}
	dispatchToStatus(ta, rec.DispatchID, d)
	recordToStatus(ta, rec)
	ds := ta.Status.Dispatch
	switch {
	case d.Running():
		if next := r.pollBackoff(rec.At); halted.requeue == 0 || next < halted.requeue {
			halted.requeue = next
		}
	case ds.State == hostingv1alpha1.DispatchError:
		r.Events.warn(ta, hostingv1alpha1.ReasonDispatchFailed, "Apply", dispatchFailures(ds))
	default:
		r.Events.normal(ta, "Applied", "Apply", "dispatch "+ds.ID+" is done")
	}
	return halted
}
