package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// sync follows the last apply, resolves one without a dispatch from what
// Gandi shows, applies when that is due (never while an apply of this
// object may be in flight), and reports the outcome. The decisions are
// nextStep's and readiness's; this is their I/O.
func (r *TemplateApplicationReconciler) sync(ctx context.Context, api templateApplicationAPI, ta *hostingv1alpha1.TemplateApplication, t applyTarget) result {
	rec, recorded := currentRecord(ta)
	in := r.applyInput(ta, t, rec, recorded)
	s := nextStep(in)
	if s.kind == stepFollow {
		res, over := r.follow(ctx, api, ta, t, &rec)
		if !over {
			recordToStatus(ta, rec)
			return res
		}
		in = r.applyInput(ta, t, rec, true)
		s = nextStep(in)
	}
	// The status shows only this target's applies: a record of another
	// (copied from another object) says nothing of what this one applied.
	if rec.otherTarget(t.templateID, t.domainID) == "" {
		recordToStatus(ta, rec)
	}
	switch s.kind {
	case stepSend:
		return r.apply(ctx, api, ta, t, s)
	case stepWait:
		return r.waiting(ta, rec, t, s)
	case stepConfirm:
		rec.Outcome, rec.Note = outcomeConfirmed, "the domain shows "+strings.Join(in.evidence.shown, ", ")+" as the template sets them"
		return r.resolved(ctx, ta, rec, "Applied")
	case stepRecordLoss:
		return r.recordLoss(ctx, ta, rec, t, s)
	case stepGiveUp:
		rec.Outcome = outcomeUnconfirmed
		rec.Note = joinNonEmpty("; ", rec.Note, unseenNote(in.evidence))
		return r.resolved(ctx, ta, rec, hostingv1alpha1.ReasonAppliedUnconfirmed)
	}
	return r.settled(ta, rec)
}

func (r *TemplateApplicationReconciler) applyInput(ta *hostingv1alpha1.TemplateApplication, t applyTarget, rec applyRecord, recorded bool) applyInput {
	in := applyInput{
		rec: rec, recorded: recorded,
		payloadHash: t.payloadHash, specDigest: specDigest(&ta.Spec), generation: ta.Generation,
		templateID: t.templateID, domainID: t.domainID,
		interval: reapplyInterval(ta), grace: r.Timing.CreateGrace, now: r.Now(),
		dispatchOver: rec.Outcome == outcomeDispatched && dispatchOver(ta.Status.Dispatch) && ta.Status.Dispatch.ID == rec.DispatchID,
	}
	if rec.unresolved() {
		in.evidence = domainEvidence(t.payload, t.domain)
	}
	return in
}

func reapplyInterval(ta *hostingv1alpha1.TemplateApplication) time.Duration {
	ra := ta.Spec.Reapply
	if ra == nil || ra.Policy != hostingv1alpha1.ReapplyInterval || ra.Interval == nil {
		return 0
	}
	return ra.Interval.Duration
}

// apply sends the template through the apply's side-effect record: the
// record is written (with an optimistic lock, so that of two passes
// racing on one object only one sends) once the POST's turn in the
// request budget has come, and the POST goes only within the send window
// of it (sendApply); the record is taken back when Gandi certainly did
// not act or another application turns out to manage the domain
// (heldBackNow, between the record and the POST), and completed with the
// answer otherwise.
func (r *TemplateApplicationReconciler) apply(ctx context.Context, api templateApplicationAPI, ta *hostingv1alpha1.TemplateApplication, t applyTarget, s step) result {
	why := s.why
	rec := applyRecord{
		Generation: ta.Generation, SpecDigest: specDigest(&ta.Spec), PayloadHash: t.payloadHash, Resent: s.resend,
		TemplateID: t.templateID, DomainID: t.domainID, Namespaces: t.payload.Namespaces(),
		SentWith: newSentWith(t.credentials),
	}
	sent := r.sendApply(ctx, api, ta, t, &rec)
	switch {
	case sent.recordErr != nil:
		// Another pass may have recorded its own apply first: look again.
		return retry(sent.recordErr)
	case sent.heldBy != nil:
		return r.heldBackAtSend(ta, t, *sent.heldBy, sent.takeBackErr == nil, sent.errWithTakeBack())
	case sent.checkErr != nil:
		return retry(sent.errWithTakeBack())
	case errors.Is(sent.err, gandi.ErrSendWindowPassed):
		return r.appliedTooLate(ta, rec, sent, why)
	}
	out, sendErr, err := sent.out, sent.err, sent.errWithTakeBack()
	action := "apply template " + t.templateID + " to domain " + t.domainID
	switch meaningOf(out, sendErr) {
	case notSent:
		r.Events.warn(ta, classify(sendErr).reason, "Apply", action+": "+sendErr.Error())
		res := failed(ta, r.Timing, action, err)
		setCondition(ta, hostingv1alpha1.ConditionReady, false, classify(sendErr).reason,
			"Gandi did not apply the template ("+why+"): "+sendErr.Error()+"; it is sent again")
		return res
	case sentDispatched:
		rec.Outcome, rec.DispatchID = outcomeDispatched, out.DispatchID
	case sentNoDispatch:
		rec.Outcome, rec.Note = outcomeAccepted, "Gandi accepted the apply but its answer named no dispatch"
		rec.LostAt = r.Now().UTC()
	case sentLost:
		rec.Outcome, rec.Note = outcomeLost, "the answer was lost: "+sendErr.Error()
		// The POST may have reached Gandi only now, its answer as slow as
		// the client's timeout: the grace counts from here.
		rec.LostAt = r.Now().UTC()
	}
	if err := r.saveRecord(ctx, ta, rec, false); err != nil {
		// The record stays unanswered: the next pass resolves it from
		// what Gandi shows, as after a crash.
		return retry(err)
	}
	recordToStatus(ta, rec)
	if rec.Outcome == outcomeLost || rec.Outcome == outcomeAccepted {
		r.Events.warn(ta, hostingv1alpha1.ReasonAppliedUnconfirmed, "Apply", action+" ("+why+"): "+rec.Note)
		res := r.waiting(ta, rec, t, step{kind: stepWait, wait: r.Timing.CreateGrace})
		reason := hostingv1alpha1.ReasonAppliedUnconfirmed
		if sendErr != nil && out == nil {
			reason = classify(sendErr).reason
		}
		setCondition(ta, hostingv1alpha1.ConditionSynced, false, reason, action+": "+rec.Note)
		return res
	}
	r.Events.normal(ta, "Applying", "Apply", fmt.Sprintf("applied template %s to domain %s (%s): dispatch %s", t.templateID, t.domainID, why, rec.DispatchID))
	ta.Status.Dispatch = &hostingv1alpha1.DispatchStatus{ID: rec.DispatchID, DomainID: t.domainID, State: hostingv1alpha1.DispatchPending}
	setCondition(ta, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonApplying,
		"applied ("+why+"); following dispatch "+rec.DispatchID)
	setCondition(ta, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonUpToDate, "the template is applied as the spec asks")
	return waitFor(r.Timing.Transitional)
}

// recordLoss records now as the loss of an apply that nothing recorded
// lost a grace after it was recorded (stepRecordLoss), and waits the grace
// from it. Locked: the conclusion comes from this read of the object, and
// a newer record (the answer, written meanwhile) must not be overwritten.
func (r *TemplateApplicationReconciler) recordLoss(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, rec applyRecord, t applyTarget, s step) result {
	rec.LostAt = r.Now().UTC()
	if err := r.saveRecord(ctx, ta, rec, true); err != nil {
		return retry(fmt.Errorf("record that the apply recorded at %s was lost: %w", rec.At.UTC().Format(time.RFC3339), err))
	}
	return r.waiting(ta, rec, t, step{kind: stepWait, wait: s.wait})
}

// waiting reports an apply that may still be in flight, and comes back
// soon to look at the domain again, and at the end of the grace at the
// latest.
func (r *TemplateApplicationReconciler) waiting(ta *hostingv1alpha1.TemplateApplication, rec applyRecord, t applyTarget, s step) result {
	until := latest(rec.At, rec.LostAt).Add(r.Timing.CreateGrace).UTC().Format(time.RFC3339)
	at := rec.At.UTC().Format(time.RFC3339)
	var msg string
	switch {
	case rec.PayloadHash != t.payloadHash || !rec.specUnchanged(specDigest(&ta.Spec), ta.Generation):
		msg = "the apply recorded at " + at + " may still be on its way at Gandi, which offers no way to find its dispatch: the next apply waits until " + until
	case rec.Outcome == outcomeUnanswered && rec.LostAt.IsZero():
		msg = "an apply was recorded at " + at + " and no answer to it yet: waiting until " + until + " at least for the domain to show what the template sets"
	case rec.Outcome == outcomeUnanswered:
		msg = "an apply was recorded at " + at + " but no answer to it (the operator may have stopped while sending it, as late as " +
			rec.LostAt.UTC().Format(time.RFC3339) + "): it is sent again after " + until + " unless the domain shows it by then"
	default:
		msg = "the apply sent at " + at + " may have been performed (" + rec.Note + "), and Gandi offers no way to find its dispatch: waiting until " + until +
			" for the domain to show what the template sets"
	}
	setCondition(ta, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonApplying, msg)
	setCondition(ta, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonAppliedUnconfirmed, msg)
	return waitFor(min(r.pollBackoff(rec.At), s.wait))
}

// resolved records what Gandi's state said of an apply that had no
// dispatch to follow. The write is locked: the conclusion was drawn from
// this read of the object, and a stale read must not overwrite a newer
// record.
func (r *TemplateApplicationReconciler) resolved(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, rec applyRecord, reason string) result {
	if err := r.saveRecord(ctx, ta, rec, true); err != nil {
		return retry(err)
	}
	recordToStatus(ta, rec)
	if rec.Outcome == outcomeConfirmed {
		r.Events.normal(ta, reason, "Apply", "the apply recorded at "+rec.At.UTC().Format(time.RFC3339)+" is done: "+rec.Note)
	} else {
		r.Events.warn(ta, reason, "Apply", unconfirmedMessage(rec))
	}
	return r.settled(ta, rec)
}

// settled reports the outcome of the last apply, which is no longer
// running and not due again, and comes back at the poll (or when the
// reapply interval is due).
func (r *TemplateApplicationReconciler) settled(ta *hostingv1alpha1.TemplateApplication, rec applyRecord) result {
	ds := ta.Status.Dispatch
	ok, reason := readiness(rec, stepSettled, ds)
	synced, syncReason, syncMsg := true, hostingv1alpha1.ReasonUpToDate, "the template is applied as the spec asks"
	var msg string
	switch reason {
	case hostingv1alpha1.ReasonAvailable:
		msg = "dispatch " + rec.DispatchID + " is done: the domain has the template's configuration"
	case hostingv1alpha1.ReasonDispatchFailed:
		msg = dispatchFailures(ds) + "; fix the cause, then change the template or this spec to apply again"
	case hostingv1alpha1.ReasonConfirmedOnDomain:
		msg = "the apply recorded at " + rec.At.UTC().Format(time.RFC3339) + " has no dispatch to follow, but " + rec.Note
	default:
		msg = unconfirmedMessage(rec)
		synced, syncReason, syncMsg = false, reason, msg
	}
	setCondition(ta, hostingv1alpha1.ConditionReady, ok, reason, msg)
	setCondition(ta, hostingv1alpha1.ConditionSynced, synced, syncReason, syncMsg)
	return waitFor(r.nextCheck(ta, rec))
}

func unconfirmedMessage(rec applyRecord) string {
	at := rec.At.UTC().Format(time.RFC3339)
	const again = "it is applied again when the template's payload or this spec changes"
	if !rec.Resent { // accepted, its dispatch not to be followed
		return "Gandi accepted the apply sent at " + at + ", but nothing it shows says how it ended (" + rec.Note +
			"; the template API lists no dispatches); a second apply would be a second dispatch, so it is not sent again: " + again
	}
	return "the apply sent at " + at + " may have been performed, but nothing Gandi shows settles it (" + rec.Note +
		"; the template API lists no dispatches); it was sent once more and that answer was lost too, so it is not sent a third time: " + again
}

// unseenNote says what of the template the domain does not show.
func unseenNote(e evidence) string {
	var shown, unseen string
	if len(e.shown) > 0 {
		shown = "the domain shows " + strings.Join(e.shown, ", ") + " as the template sets them"
	}
	if len(e.unseen) > 0 {
		unseen = strings.Join(e.unseen, ", ") + " cannot be read on the domain"
	}
	return joinNonEmpty(", but ", shown, unseen)
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// nextCheck is the poll interval, or sooner when the reapply interval is
// due before it.
func (r *TemplateApplicationReconciler) nextCheck(ta *hostingv1alpha1.TemplateApplication, rec applyRecord) time.Duration {
	next := jittered(r.Timing.Poll)
	if every := reapplyInterval(ta); every > 0 {
		if due := rec.At.Add(every).Sub(r.Now()); due < next {
			next = max(due, r.Timing.Transitional)
		}
	}
	return next
}
