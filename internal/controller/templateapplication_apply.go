package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// Annotations of a TemplateApplication. Like the create intent of the other
// kinds, they live in annotations because those survive a backup and
// restore and are written at once, while the status is written at the end
// of a pass and may be lost with it.
const (
	// AnnotationApplyPending records, before the apply is sent, what is
	// about to be applied (JSON applyRecord without a dispatch). Finding it
	// on a later pass means the pass that wrote it stopped before it could
	// record the answer.
	AnnotationApplyPending = "hosting.gandi-operator.dev/apply-pending"
	// AnnotationLastApply records what was last applied, when, and the
	// dispatch that performs it (JSON applyRecord).
	AnnotationLastApply = "hosting.gandi-operator.dev/last-apply"
)

// applyRecord is one application of a template: what was applied, when, and
// the dispatch to follow.
type applyRecord struct {
	At          time.Time `json:"at"`
	PayloadHash string    `json:"payloadHash"`
	Generation  int64     `json:"generation"`
	DispatchID  string    `json:"dispatchID,omitempty"`
	// Unconfirmed says why there is no dispatch to follow: the apply was
	// (probably) performed, but its outcome cannot be read.
	Unconfirmed string `json:"unconfirmed,omitempty"`
}

// sync follows the dispatch of the last application while it runs, applies
// again when that is due (never while a dispatch of this object runs), and
// reports the outcome.
func (r *TemplateApplicationReconciler) sync(ctx context.Context, api templateApplicationAPI, ta *hostingv1alpha1.TemplateApplication, t applyTarget) result {
	rec, applied := lastApply(ta)
	if intent, pending := r.pendingApply(ta, t); pending {
		if err := r.saveRecord(ctx, ta, intent, true); err != nil {
			// A stale read of this object (its record not cached yet) ends
			// here on the optimistic lock; the next pass reads it fresh.
			return result{err: err}
		}
		r.Events.warn(ta, hostingv1alpha1.ReasonAppliedUnconfirmed, "Apply", intent.Unconfirmed+": not applied again")
		rec, applied = intent, true
	}
	if applied {
		recordToStatus(ta, rec)
		if rec.DispatchID != "" && !dispatchOver(ta.Status.Dispatch) {
			if res, over := r.follow(ctx, api, ta, &rec); !over {
				return res
			}
		}
	}
	if why := r.applyDue(ta, rec, applied, t); why != "" {
		return r.apply(ctx, api, ta, t, why)
	}
	return r.settled(ta, rec)
}

// applyDue says why the template must be applied now, or "" when it need
// not be: OnChange applies when what is applied changes (the template's
// payload, or this object's spec); Interval also when the interval since
// the last application has passed.
func (r *TemplateApplicationReconciler) applyDue(ta *hostingv1alpha1.TemplateApplication, rec applyRecord, applied bool, t applyTarget) string {
	switch {
	case !applied:
		return "first application"
	case rec.PayloadHash != t.payloadHash:
		return "the template's payload changed"
	case rec.Generation != ta.Generation:
		return "the spec changed"
	}
	if every := reapplyInterval(ta); every > 0 && !r.Now().Before(rec.At.Add(every)) {
		return "spec.reapply.interval elapsed"
	}
	return ""
}

func reapplyInterval(ta *hostingv1alpha1.TemplateApplication) time.Duration {
	ra := ta.Spec.Reapply
	if ra == nil || ra.Policy != hostingv1alpha1.ReapplyInterval || ra.Interval == nil {
		return 0
	}
	return ra.Interval.Duration
}

// apply persists the intent, POSTs, and records the dispatch right away.
//
// A lost answer (connection cut, timeout, 5xx) may hide a dispatch that
// Gandi created and is running. The template API offers no way to find it
// again: dispatches can only be read by an ID that was in the lost answer,
// never listed. Applying again "to be sure" would start a second dispatch,
// and a second dispatch is not harmless: a web redirection onto a host that
// the first one already created fails without override, mailboxes and
// records are written twice. So a careful client counts a lost apply as
// performed, with an unconfirmed outcome: it is recorded like any other
// application (so no retry, restart or requeue sends it again), reported
// as Applying for a grace period in which the dispatch would run, then as
// Ready with reason AppliedUnconfirmed. It is applied again only when what
// is applied changes (the template's payload, this spec) or the Interval
// policy says so.
func (r *TemplateApplicationReconciler) apply(ctx context.Context, api templateApplicationAPI, ta *hostingv1alpha1.TemplateApplication, t applyTarget, why string) result {
	intent := applyRecord{At: r.Now().UTC(), PayloadHash: t.payloadHash, Generation: ta.Generation}
	if err := r.writeIntent(ctx, ta, intent); err != nil {
		// Another pass may have recorded its own intent first: look again.
		return result{err: err}
	}
	out, err := api.ApplyTemplate(ctx, t.templateID, gandi.ApplyTemplateRequest{ObjectType: "domain", ObjectID: t.domainID})
	rec := intent
	switch {
	case err == nil:
		rec.DispatchID = out.DispatchID
	case certainlyNotApplied(err):
		return r.refused(ctx, ta, t, err)
	case out != nil:
		rec.Unconfirmed = "Gandi accepted the apply at " + rec.At.Format(time.RFC3339) + " but named no dispatch to follow"
	default:
		rec.Unconfirmed = inconclusive(rec.At, err)
	}
	if serr := r.saveRecord(ctx, ta, rec, false); serr != nil {
		// The intent stays: the next pass counts it as applied, unconfirmed.
		return result{err: serr}
	}
	recordToStatus(ta, rec)
	if rec.DispatchID == "" {
		r.Events.warn(ta, hostingv1alpha1.ReasonAppliedUnconfirmed, "Apply", rec.Unconfirmed+": not applied again")
		res := r.settled(ta, rec)
		reason := classify(err).reason
		if out != nil {
			reason = hostingv1alpha1.ReasonAppliedUnconfirmed
		}
		setCondition(ta, hostingv1alpha1.ConditionSynced, false, reason,
			rec.Unconfirmed+"; Gandi offers no way to find the dispatch, so the template is counted as applied and not sent again")
		return res
	}
	r.Events.normal(ta, "Applying", "Apply", fmt.Sprintf("applied template %s to domain %s (%s): dispatch %s", t.templateID, t.domainID, why, rec.DispatchID))
	ta.Status.Dispatch = &hostingv1alpha1.DispatchStatus{ID: rec.DispatchID, State: hostingv1alpha1.DispatchPending}
	setCondition(ta, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonApplying,
		"applied ("+why+"); following dispatch "+rec.DispatchID)
	setCondition(ta, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonUpToDate, "the template is applied as the spec asks")
	return result{requeue: r.Timing.Transitional}
}

// refused reports an apply that Gandi refused or that was never sent:
// nothing was applied, so the intent goes and the next pass may try again.
func (r *TemplateApplicationReconciler) refused(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, t applyTarget, err error) result {
	if perr := patchAnnotations(ctx, r.Client, ta, annotationPatch{remove: []string{AnnotationApplyPending}}); perr != nil {
		return result{err: perr}
	}
	r.Events.warn(ta, classify(err).reason, "Apply", "apply template "+t.templateID+": "+err.Error())
	res := failed(ta, r.Timing, "apply template "+t.templateID+" to domain "+t.domainID, err)
	setCondition(ta, hostingv1alpha1.ConditionReady, false, classify(err).reason,
		"Gandi refused to apply the template: "+err.Error())
	return res
}

// certainlyNotApplied reports an error after which Gandi certainly applied
// nothing: a 4xx answer (a 429 is a refusal too), or a request the client
// never sent.
func certainlyNotApplied(err error) bool {
	var paused *gandi.PausedError
	if errors.As(err, &paused) || errors.Is(err, gandi.ErrEmptyArgument) {
		return true
	}
	var apiErr *gandi.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500
}

// inconclusive says why an apply's outcome is unknown: no answer at all, or
// a server error that does not say whether the apply was performed.
func inconclusive(at time.Time, err error) string {
	var apiErr *gandi.APIError
	if errors.As(err, &apiErr) {
		return "Gandi answered the apply sent at " + at.Format(time.RFC3339) + " with an error that does not say whether it was performed (" + err.Error() + ")"
	}
	return "the answer to the apply sent at " + at.Format(time.RFC3339) + " was lost (" + err.Error() + ")"
}

// writeIntent records what is about to be applied, with an optimistic lock:
// of two passes racing on one object (a stale cache, two managers), only
// one gets to send the apply.
func (r *TemplateApplicationReconciler) writeIntent(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, intent applyRecord) error {
	data, err := json.Marshal(intent)
	if err != nil {
		return fmt.Errorf("encode the apply intent: %w", err)
	}
	return patchAnnotations(ctx, r.Client, ta, annotationPatch{set: map[string]string{AnnotationApplyPending: string(data)}})
}

// saveRecord records an application and drops the intent it resolves. The
// record of an answer just received is written without a version check: it
// is a fact about Gandi that must not be lost to a concurrent edit of the
// object. Turning a leftover intent into a record is checked, so that a
// stale read cannot overwrite a newer record.
func (r *TemplateApplicationReconciler) saveRecord(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, rec applyRecord, locked bool) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode the apply record: %w", err)
	}
	return patchAnnotations(ctx, r.Client, ta, annotationPatch{
		set:      map[string]string{AnnotationLastApply: string(data)},
		remove:   []string{AnnotationApplyPending},
		unlocked: !locked,
	})
}

// lastApply is what was last applied: the annotation, else the status (an
// object from before the annotation, or whose annotation a person removed).
func lastApply(ta *hostingv1alpha1.TemplateApplication) (applyRecord, bool) {
	if v, ok := ta.Annotations[AnnotationLastApply]; ok {
		var rec applyRecord
		if err := json.Unmarshal([]byte(v), &rec); err == nil && !rec.At.IsZero() {
			return rec, true
		}
	}
	st := ta.Status
	if st.AppliedPayloadHash == "" || st.AppliedAt == nil {
		return applyRecord{}, false
	}
	rec := applyRecord{At: st.AppliedAt.Time, PayloadHash: st.AppliedPayloadHash, Generation: st.AppliedGeneration}
	if st.Dispatch != nil {
		rec.DispatchID = st.Dispatch.ID
	}
	return rec, true
}

// pendingApply reads an intent left by a pass that stopped between sending
// the apply and recording its answer, as an application whose outcome is
// unconfirmed (see apply). An unreadable intent still is an intent: it is
// taken as an application of what is wanted now, so nothing is sent twice.
func (r *TemplateApplicationReconciler) pendingApply(ta *hostingv1alpha1.TemplateApplication, t applyTarget) (applyRecord, bool) {
	v, ok := ta.Annotations[AnnotationApplyPending]
	if !ok {
		return applyRecord{}, false
	}
	var rec applyRecord
	if err := json.Unmarshal([]byte(v), &rec); err != nil || rec.At.IsZero() {
		rec = applyRecord{At: r.Now().UTC(), PayloadHash: t.payloadHash, Generation: ta.Generation}
	}
	rec.DispatchID = ""
	rec.Unconfirmed = "an apply was started at " + rec.At.Format(time.RFC3339) + " and its answer was never recorded (a lost answer, or a restart while it was sent)"
	return rec, true
}

// recordToStatus mirrors the record in the status.
func recordToStatus(ta *hostingv1alpha1.TemplateApplication, rec applyRecord) {
	st := &ta.Status
	st.AppliedPayloadHash, st.AppliedGeneration = rec.PayloadHash, rec.Generation
	// Seconds only: that is what the status keeps, so a re-read compares equal.
	at := metav1.NewTime(rec.At.UTC().Truncate(time.Second))
	st.AppliedAt = &at
	switch {
	case rec.DispatchID == "":
		st.Dispatch = nil
	case st.Dispatch == nil || st.Dispatch.ID != rec.DispatchID:
		st.Dispatch = &hostingv1alpha1.DispatchStatus{ID: rec.DispatchID}
	}
}
