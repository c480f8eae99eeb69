package controller

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// Deleting a TemplateApplication undoes nothing at Gandi (a template
// cannot be un-applied), but its last dispatch may still be running
// there, writing the domain. Let go at once, the object would release an
// application it holds back (heldBackBy), whose apply could then finish
// before this one's dispatch and see its records overwritten while it
// reports Ready. So an application that sent an apply carries the
// finalizer (written with the apply's record, sendOnceWith), and while
// Gandi shows that dispatch running the object stays, and keeps holding
// the domain (holdsWhileDeleting). Waiting never wedges a deletion: when
// the dispatch cannot be observed (credentials gone or refused, Gandi no
// longer reports it, no dispatch recorded) or Gandi answers what no retry
// changes, the finalizer goes at once and an event says why; only a
// transient failure (Gandi's 5xx, a timeout, a rate limit) is retried.

// deletionStep is what finalize does with the finalizer.
type deletionStep int

const (
	// deletionRelease lets the object go.
	deletionRelease deletionStep = iota
	// deletionWait keeps it while Gandi runs its dispatch.
	deletionWait
	// deletionRetry looks again after a transient failure, with backoff.
	deletionRetry
)

// deletionInput is what finalize knows of the application's last
// dispatch: its ID ("" when none is recorded: the apply had no dispatch
// to follow, or was never answered), whether the status already shows
// it over, and, when it had to look, the dispatch Gandi showed or the
// error that kept it from seeing it (credentials or the GET).
type deletionInput struct {
	dispatchID string
	over       bool
	dispatch   *gandi.Dispatch
	err        error
}

// decideDeletion is finalize's decision; why says it for an event, or
// for the condition while it waits.
func decideDeletion(in deletionInput) (deletionStep, string) {
	var credErr *CredentialsError
	switch {
	case in.dispatchID == "":
		return deletionRelease, "no dispatch of its last apply is recorded: nothing at Gandi to wait for"
	case in.over:
		return deletionRelease, "dispatch " + in.dispatchID + " of its last apply is over"
	case errors.As(in.err, &credErr) || classify(in.err).blind:
		return deletionRelease, "dispatch " + in.dispatchID + " cannot be observed (" + in.err.Error() +
			"): released without waiting for it, so another application on the domain may apply before it is over"
	case in.err != nil && gandi.IsNotFound(in.err):
		return deletionRelease, "Gandi no longer reports dispatch " + in.dispatchID + ": nothing left to wait for"
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

// finalize keeps the object while Gandi runs its last dispatch
// (decideDeletion). Nothing is written to Gandi: the dispatch is only
// read.
func (r *TemplateApplicationReconciler) finalize(ctx context.Context, ta *hostingv1alpha1.TemplateApplication) (bool, result) {
	if !controllerutil.ContainsFinalizer(ta, Finalizer) {
		// Never applied, or by a version without the finalizer; other
		// finalizers are not ours.
		return true, result{}
	}
	in := deletionInput{dispatchID: lastDispatchID(ta), over: lastDispatchOver(ta)}
	if in.dispatchID != "" && !in.over {
		var api templateApplicationAPI
		if api, in.err = r.deletionClient(ctx, ta); in.err == nil {
			in.dispatch, in.err = api.GetDispatch(ctx, in.dispatchID)
		}
	}
	step, why := decideDeletion(in)
	switch step {
	case deletionRetry:
		return false, failed(ta, r.Timing, why, in.err)
	case deletionWait:
		dispatchToStatus(ta, in.dispatchID, in.dispatch)
		setCondition(ta, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonDeleting, why+taskSummary(ta.Status.Dispatch))
		rec, _ := currentRecord(ta)
		return false, waitFor(r.pollBackoff(rec.At))
	}
	if in.err != nil {
		log.FromContext(ctx).Info("released a TemplateApplication being deleted without seeing its dispatch end", "dispatch", in.dispatchID, "reason", classify(in.err).reason)
		r.Events.warn(ta, classify(in.err).reason, "Delete", why)
	} else if in.dispatchID != "" {
		r.Events.normal(ta, "Released", "Delete", why)
	}
	return true, result{}
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
// holds its domain: the finalizer is on and the dispatch of its last
// apply is not known to be over, so Gandi may still be writing the
// domain. One whose dispatch is over, or that has no dispatch to wait
// for, holds nobody back: finalize lets it go.
func holdsWhileDeleting(ta *hostingv1alpha1.TemplateApplication) bool {
	return !ta.DeletionTimestamp.IsZero() && controllerutil.ContainsFinalizer(ta, Finalizer) &&
		lastDispatchID(ta) != "" && !lastDispatchOver(ta)
}

// deletionClient is the client of the credentials the apply was sent with:
// spec.credentialsRef, else its Template's (resolveTemplateRef). A
// Template gone too (a namespace deletion) leaves them unknown: that is
// credentials gone.
func (r *TemplateApplicationReconciler) deletionClient(ctx context.Context, ta *hostingv1alpha1.TemplateApplication) (templateApplicationAPI, error) {
	ref := ta.Spec.CredentialsRef
	if ref == nil && ta.Spec.TemplateRef != nil {
		name := ta.Spec.TemplateRef.Name
		tpl := &hostingv1alpha1.Template{}
		err := r.Get(ctx, types.NamespacedName{Namespace: ta.Namespace, Name: name}, tpl)
		switch {
		case apierrors.IsNotFound(err):
			return nil, &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsNotFound,
				Message: "Template " + name + ", whose credentials the apply used, is gone"}
		case err != nil:
			return nil, fmt.Errorf("get Template %s for its credentials: %w", name, err)
		}
		ref = tpl.Spec.CredentialsRef
	}
	api, err := r.Credentials.ClientFor(ctx, ta.Namespace, ref)
	if err != nil {
		return nil, fmt.Errorf("resolve credentials: %w", err)
	}
	return api, nil
}
