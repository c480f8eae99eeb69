package controller

import (
	"context"
	"fmt"
	"net/http"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// applySend is what sendApply did: the record, the check after it, the
// POST, and the record taken back when the POST was not sent or refused.
type applySend struct {
	// recordErr: the record could not be written (another pass wrote the
	// object first): nothing was recorded or sent.
	recordErr error
	// recorded: the record was written (its value).
	recorded string
	// heldBy: another application manages what this one writes on the
	// domain (heldBackNow): not sent.
	heldBy *applicationView
	// checkErr: heldBackNow failed: not sent.
	checkErr error
	out      *gandi.ApplyResult
	// err is the POST's (a NotSentError wrapping recordErr, checkErr or
	// errHeldBack when it never left).
	err error
	// takeBackErr: the record stays, though the POST was not sent or was
	// refused.
	takeBackErr error
}

// errWithTakeBack is the POST's error, with why its record stays when
// taking it back failed.
func (a applySend) errWithTakeBack() error {
	if a.takeBackErr != nil {
		return fmt.Errorf("%w; and taking back its record failed: %w", a.err, a.takeBackErr)
	}
	return a.err
}

// sendApply writes rec as the apply's record and POSTs the apply, in the
// order gandi.RecordBeforeSend gives: the record once the POST's turn in
// the request budget has come, then the check for another application
// managing the domain (heldBackNow, which must follow the record to see
// one that recorded concurrently; its reads take turns of their own),
// then the POST, refused when the send window since the record has passed
// (a process paused in between, a starved one, a slow check). Another
// manager finding the record unanswered takes it for lost and applies
// again two graces after the record: a POST sent past the window could
// reach Gandi after that one, a second dispatch.
//
// The record is taken back when the POST did not go or Gandi refused it
// (gandi.NotApplied), locked past the window (takeBackLocked).
func (r *TemplateApplicationReconciler) sendApply(ctx context.Context, api templateApplicationAPI, ta *hostingv1alpha1.TemplateApplication, t applyTarget, rec *applyRecord) applySend {
	var (
		a     applySend
		w     effectWrite
		began time.Time
	)
	window := r.Timing.sendWindow()
	// The finalizer goes on with the record, before anything is sent:
	// deleting the object then waits for the dispatch (finalize).
	labelled := annotationPatch{labels: map[string]string{hostingv1alpha1.LabelApplyDomain: applyDomainLabel(t.domainID)}, finalizer: true}
	sendCtx := gandi.RecordBeforeSend(gandi.WithoutResend(ctx), func(ctx context.Context) (time.Duration, error) {
		began = time.Now()
		// Stamped once the turn has come: the grace another manager
		// gives the apply counts from this stamp.
		rec.At = r.Now().UTC()
		value, err := rec.encode()
		if err == nil {
			w = newEffectWrite(ta, effectApply, value, labelled)
			err = w.write(ctx, r.Client, ta)
		}
		if err != nil {
			a.recordErr = err
			return 0, err
		}
		a.recorded = value
		holder, held, err := r.heldBackNow(ctx, ta, t)
		switch {
		case err != nil:
			a.checkErr = err
			return 0, err
		case held:
			a.heldBy = &holder
			return 0, errHeldBack
		}
		return window, nil
	})
	a.out, a.err = api.ApplyTemplate(sendCtx, t.templateID, gandi.ApplyTemplateRequest{ObjectType: "domain", ObjectID: t.domainID})
	// Not sent for what the check found, not for the record.
	switch {
	case a.checkErr != nil:
		a.err = &gandi.NotSentError{Method: http.MethodPost, Route: gandi.RouteTemplate, Err: a.checkErr}
	case a.heldBy != nil:
		a.err = &gandi.NotSentError{Method: http.MethodPost, Route: gandi.RouteTemplate, Err: errHeldBack}
	}
	if a.recorded != "" && gandi.NotApplied(a.err) {
		a.takeBackErr = w.takeBack(ctx, r.Client, ta, takeBackLocked(time.Since(began), window))
	}
	return a
}

// takeBackLocked reports whether the record of an apply not sent (or
// refused) is taken back only with the optimistic lock, sinceRecord after
// its write began. Within the send window, nothing but this pass can have
// written the record since (another manager takes it for lost a grace
// after it at the earliest), and it is taken back as every outcome is
// written, through a concurrent edit (recordOutcome). Past it, that
// manager may have recorded its own apply, which an unlocked take-back
// would erase; locked, the take-back fails, and the record left is
// settled as one left by a crash.
func takeBackLocked(sinceRecord, window time.Duration) bool { return sinceRecord > window }

// appliedTooLate reports an apply recorded and not sent: too late after
// its record (gandi.ErrSendWindowPassed).
func (r *TemplateApplicationReconciler) appliedTooLate(ta *hostingv1alpha1.TemplateApplication, rec applyRecord, a applySend, why string) result {
	msg := fmt.Sprintf("the apply recorded at %s (%s) was not sent: %v: the operator was paused or starved between the two, and another manager may have taken the record for lost and applied meanwhile",
		rec.At.UTC().Format(time.RFC3339), why, a.err)
	if a.takeBackErr != nil {
		// Ready stays what it was: the record left may be another
		// manager's apply, which the next pass follows.
		msg += "; its record stays (" + a.takeBackErr.Error() + "): the next pass settles it from what Gandi shows, as after a crash"
		r.Events.warn(ta, hostingv1alpha1.ReasonSendWindowPassed, "Apply", msg)
		setCondition(ta, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonSendWindowPassed, msg)
		return retry(a.errWithTakeBack())
	}
	msg += "; its record is taken back and it is sent again"
	r.Events.warn(ta, hostingv1alpha1.ReasonSendWindowPassed, "Apply", msg)
	setCondition(ta, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonSendWindowPassed, msg)
	setCondition(ta, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonSendWindowPassed, msg)
	return waitFor(r.Timing.Transitional)
}
