package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// Deleting a TemplateApplication undoes nothing at Gandi (a template
// cannot be un-applied), but its last apply may still be running there,
// writing the domain. Let go at once, the object would release an
// application it holds back (heldBackBy), whose apply could then finish
// before this one's and see its records overwritten while it reports
// Ready. So an application that sent an apply carries the finalizer
// (written with the apply's record, sendApply), and keeps it, and keeps
// holding the domain (holdsWhileDeleting), while that apply may still run:
// while Gandi shows its dispatch running, or, for an apply without a
// dispatch to follow (its answer lost, never recorded, or naming no
// dispatch), for the grace a live application waits before it sends again
// (applyRecord.lossState), unless the domain shows the apply done first
// (applyRecord.shownBy). Waiting never wedges a deletion: when the apply
// cannot be observed (credentials gone or refused, Gandi no longer
// reports its dispatch) or Gandi answers what no retry changes, the
// finalizer goes at once, and once the grace of an apply without a
// dispatch is over it goes too; a Warning event then says it went without
// seeing that apply end. Only a transient failure to read a dispatch
// (Gandi's 5xx, a timeout, a rate limit) is retried; one to read the
// domain is looked at again within the grace.

// deletionStep is what finalize does with the finalizer.
type deletionStep int

const (
	// deletionRelease lets the object go.
	deletionRelease deletionStep = iota
	// deletionWait keeps it while its last apply may run at Gandi.
	deletionWait
	// deletionRetry looks again after a transient failure, with backoff.
	deletionRetry
	// deletionRecordLoss records now as the loss of an apply that
	// nothing recorded lost a grace after it was recorded (as
	// stepRecordLoss does for a live one), and keeps the object for the
	// grace counted from it.
	deletionRecordLoss
)

// deletionInput is what finalize knows of the application's last apply:
// the ID of its dispatch ("" when none is recorded), whether the status
// already shows it over; or, for an apply without a dispatch to follow,
// its record (pending, nil otherwise) with the clock and grace it is
// judged by. When it had to look, what Gandi showed (the dispatch, or
// that the domain shows the pending apply done) or the error that kept
// it from seeing it (credentials or a GET).
type deletionInput struct {
	dispatchID string
	over       bool
	pending    *applyRecord
	now        time.Time
	grace      time.Duration
	dispatch   *gandi.Dispatch
	shown      bool
	err        error
}

// newDeletionInput is what ta's records and status say before anything
// is read at Gandi.
func newDeletionInput(ta *hostingv1alpha1.TemplateApplication, now time.Time, grace time.Duration) deletionInput {
	in := deletionInput{dispatchID: lastDispatchID(ta), over: lastDispatchOver(ta), now: now, grace: grace}
	if rec, ok := currentRecord(ta); ok && rec.unresolved() {
		in.pending = &rec
	}
	return in
}

// awaited reports that the last apply may still run at Gandi, as far as
// the object tells: a dispatch not known to be over, or an apply without
// a dispatch to follow whose grace is not over (lossState, as for a live
// application). It is what a deleted application holds the domain for,
// and all finalize looks at Gandi for.
func (in deletionInput) awaited() bool {
	if in.pending != nil {
		state, _ := in.pending.lossState(in.now, in.grace)
		return state != lossSettled
	}
	return in.dispatchID != "" && !in.over
}

// decideDeletion is finalize's decision; why says it for an event, or
// for the condition while it waits.
func decideDeletion(in deletionInput) (deletionStep, string) {
	if in.pending != nil {
		return decidePendingDeletion(in)
	}
	var credErr *CredentialsError
	switch {
	case in.dispatchID == "":
		return deletionRelease, "no apply of it is pending at Gandi"
	case in.over:
		return deletionRelease, "dispatch " + in.dispatchID + " of its last apply is over"
	case errors.As(in.err, &credErr) || classify(in.err).blind:
		return deletionRelease, "dispatch " + in.dispatchID + " cannot be observed (" + in.err.Error() +
			"): released without waiting for it, so another application on the domain may apply before it is over"
	case in.err != nil && gandi.IsNotFound(in.err):
		return deletionRelease, "Gandi no longer reports dispatch " + in.dispatchID + ": released without seeing it end"
	case in.err != nil && classify(in.err).transient:
		return deletionRetry, "read dispatch " + in.dispatchID + " of the last apply"
	case in.err != nil:
		return deletionRelease, "reading dispatch " + in.dispatchID + " failed (" + in.err.Error() +
			"), which trying again does not change: released without waiting for it"
	case in.dispatch == nil || !in.dispatch.Running():
		return deletionRelease, "dispatch " + in.dispatchID + " of its last apply is over at Gandi"
	}
	return deletionWait, "waiting for dispatch " + in.dispatchID + " to end at Gandi: until then it writes the domain, and another application there applies only after it"
}

// decidePendingDeletion is decideDeletion for an apply without a dispatch
// to follow: the domain showing it done ends it; otherwise the object
// waits out the grace a live application waits before it sends again,
// and goes without seeing it end once the grace is over or the apply
// cannot be observed. A failure to read the domain is looked at again
// within the grace, which bounds the wait.
func decidePendingDeletion(in deletionInput) (deletionStep, string) {
	rec := in.pending
	at := rec.At.UTC().Format(time.RFC3339)
	state, left := rec.lossState(in.now, in.grace)
	var credErr *CredentialsError
	switch {
	case in.shown:
		return deletionRelease, "the domain shows its last apply, recorded at " + at + ", done"
	case state == lossSettled:
		return deletionRelease, "its last apply, recorded at " + at + ", has no dispatch to follow (" + pendingWhy(rec) +
			"), and the grace for Gandi to perform it is over: released without seeing it end"
	case errors.As(in.err, &credErr) || classify(in.err).blind:
		return deletionRelease, "its last apply, recorded at " + at + ", cannot be observed (" + in.err.Error() +
			"): released without seeing it end, so another application on the domain may apply before it is over"
	case state == lossUnrecorded:
		return deletionRecordLoss, "its last apply, recorded at " + at + ", was never answered: the operator may have stopped while sending it, " +
			"so it may still run at Gandi for a grace from now"
	}
	until := in.now.Add(left).UTC().Format(time.RFC3339)
	return deletionWait, "its last apply, recorded at " + at + ", has no dispatch to follow (" + pendingWhy(rec) + ") and may still run at Gandi until " + until +
		", writing the domain: another application there applies only after that, unless the domain shows the apply done before"
}

// pendingWhy says why rec's apply has no dispatch to follow.
func pendingWhy(rec *applyRecord) string {
	switch {
	case rec.Outcome == outcomeUnanswered:
		return "no answer to it was recorded"
	case rec.Note != "":
		return rec.Note
	}
	return "Gandi named no dispatch for it"
}

// releasedUnseen reports a release that did not see the last apply end
// (decideDeletion said release): it is said with a Warning event. One
// that had nothing pending, or that saw it end, is not.
func releasedUnseen(in deletionInput) bool {
	return in.err != nil || (in.pending != nil && !in.shown)
}

// finalize keeps the object while Gandi may run its last apply
// (decideDeletion). Nothing is written to Gandi: the dispatch, or the
// template and the domain, are only read.
func (r *TemplateApplicationReconciler) finalize(ctx context.Context, ta *hostingv1alpha1.TemplateApplication) (bool, result) {
	if !controllerutil.ContainsFinalizer(ta, Finalizer) {
		// Never applied, or by a version without the finalizer; other
		// finalizers are not ours.
		return true, result{}
	}
	in := newDeletionInput(ta, r.clock(), r.Timing.CreateGrace)
	if in.awaited() {
		var api templateApplicationAPI
		if api, in.err = r.sentClient(ctx, ta); in.err == nil {
			if in.pending != nil {
				in.shown, in.err = r.domainShows(ctx, api, ta, *in.pending)
			} else {
				in.dispatch, in.err = api.GetDispatch(ctx, in.dispatchID)
			}
		}
	}
	step, why := decideDeletion(in)
	rec, _ := currentRecord(ta)
	switch step {
	case deletionRetry:
		return false, failed(ta, r.Timing, why, in.err)
	case deletionRecordLoss:
		rec.LostAt = in.now.UTC()
		if err := r.saveRecord(ctx, ta, rec, true); err != nil {
			return false, retry(fmt.Errorf("record that the apply recorded at %s was lost: %w", rec.At.UTC().Format(time.RFC3339), err))
		}
		setCondition(ta, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonDeleting, why)
		return false, waitFor(min(r.pollBackoff(rec.At), in.grace))
	case deletionWait:
		if in.pending != nil {
			_, left := in.pending.lossState(in.now, in.grace)
			setCondition(ta, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonDeleting, why)
			return false, waitFor(min(r.pollBackoff(rec.At), left))
		}
		dispatchToStatus(ta, in.dispatchID, in.dispatch)
		setCondition(ta, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonDeleting, why+taskSummary(ta.Status.Dispatch))
		return false, waitFor(r.pollBackoff(rec.At))
	}
	switch {
	case in.err != nil:
		log.FromContext(ctx).Info("released a TemplateApplication being deleted without seeing its last apply end", "dispatch", in.dispatchID, "reason", classify(in.err).reason)
		r.Events.warn(ta, classify(in.err).reason, "Delete", why)
	case releasedUnseen(in):
		log.FromContext(ctx).Info("released a TemplateApplication being deleted without seeing its last apply end", "recordedAt", in.pending.At)
		r.Events.warn(ta, hostingv1alpha1.ReasonAppliedUnconfirmed, "Delete", why)
	case in.dispatchID != "" || in.shown:
		r.Events.normal(ta, "Released", "Delete", why)
	}
	return true, result{}
}

// domainShows reports that the domain shows rec's apply done (shownBy),
// as a live pass confirms one: the template as Gandi has it now, which
// must be the payload rec applied, against the domain, which Gandi shows
// only by name (resolveDomain), and only when it is the domain rec
// applied to. A template Gandi no longer has, or a domain not given by
// name, shows nothing: the grace alone ends the wait.
func (r *TemplateApplicationReconciler) domainShows(ctx context.Context, api templateApplicationAPI, ta *hostingv1alpha1.TemplateApplication, rec applyRecord) (bool, error) {
	if rec.TemplateID == "" || ta.Spec.Domain == "" {
		return false, nil
	}
	fqdn, err := toASCII(ta.Spec.Domain)
	if err != nil {
		return false, nil //nolint:nilerr // a domain that is not a host name shows nothing: the grace alone ends the wait
	}
	tpl, err := api.GetTemplate(ctx, rec.TemplateID)
	switch {
	case gandi.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read template %s to see its apply on the domain: %w", rec.TemplateID, err)
	}
	d, err := api.GetDomain(ctx, fqdn)
	switch {
	case gandi.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read domain %s to see the apply on it: %w", fqdn, err)
	case rec.DomainID != "" && d.ID != rec.DomainID:
		return false, nil
	}
	return rec.shownBy(payloadHash(tpl.Payload), domainEvidence(tpl.Payload, d)), nil
}

// lastDispatchID is the dispatch of ta's last apply, "" when none is
// recorded.
func lastDispatchID(ta *hostingv1alpha1.TemplateApplication) string {
	rec, ok := currentRecord(ta)
	if !ok || rec.Outcome != outcomeDispatched {
		return ""
	}
	return rec.DispatchID
}

// lastDispatchOver reports that the status already shows the dispatch of
// ta's last apply ended (done or failed): Gandi does not run it again.
func lastDispatchOver(ta *hostingv1alpha1.TemplateApplication) bool {
	id := lastDispatchID(ta)
	return id != "" && dispatchOver(ta.Status.Dispatch) && ta.Status.Dispatch.ID == id
}

// holdsWhileDeleting reports an application being deleted that still
// holds its domain: the finalizer is on and its last apply may still run
// at Gandi (deletionInput.awaited, what finalize waits for), so Gandi may
// still be writing the domain. One whose apply is known over, whose grace
// is over, or that has nothing pending, holds nobody back: finalize lets
// it go.
func holdsWhileDeleting(ta *hostingv1alpha1.TemplateApplication, now time.Time, grace time.Duration) bool {
	return !ta.DeletionTimestamp.IsZero() && controllerutil.ContainsFinalizer(ta, Finalizer) &&
		newDeletionInput(ta, now, grace).awaited()
}

// sentClient is the client of the credentials the last apply was sent
// with, to read it back: spec.credentialsRef, else its Template's
// (resolveTemplateRef), else, that Template gone, those the apply's
// record names (sentWith). A Template gone with a record that names none
// (one of an earlier version) leaves them unknown: that is credentials
// gone.
func (r *TemplateApplicationReconciler) sentClient(ctx context.Context, ta *hostingv1alpha1.TemplateApplication) (templateApplicationAPI, error) {
	ref := ta.Spec.CredentialsRef
	if ref == nil && ta.Spec.TemplateRef != nil {
		name := ta.Spec.TemplateRef.Name
		tpl := &hostingv1alpha1.Template{}
		err := r.Get(ctx, types.NamespacedName{Namespace: ta.Namespace, Name: name}, tpl)
		switch {
		case apierrors.IsNotFound(err):
			rec, _ := currentRecord(ta)
			sent, known := rec.SentWith.ref()
			if !known {
				return nil, &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsNotFound,
					Message: "Template " + name + ", whose credentials the apply used, is gone"}
			}
			ref = sent
		case err != nil:
			return nil, fmt.Errorf("get Template %s for its credentials: %w", name, err)
		default:
			ref = applicationCredentials(ta, tpl)
		}
	}
	api, err := r.Credentials.ClientFor(ctx, ta.Namespace, ref)
	if err != nil {
		return nil, fmt.Errorf("resolve credentials: %w", err)
	}
	return api, nil
}
