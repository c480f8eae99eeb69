package controller

import (
	"context"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// TestDecideDeletion pins when a TemplateApplication being deleted keeps
// its finalizer: while Gandi shows its last dispatch running, or after a
// transient failure to read it; for an apply without a dispatch to follow,
// while the grace a live application waits is not over and the domain
// does not show it done. Whatever keeps the apply from being observed for
// good releases it at once: a deletion never wedges. warn pins the
// Warning event of a release that did not see the last apply end.
func TestDecideDeletion(t *testing.T) {
	apiErr := func(status int) error {
		return fmt.Errorf("get dispatch: %w", &gandi.APIError{StatusCode: status, FromGandi: true, Method: http.MethodGet, Route: gandi.RouteDispatch})
	}
	running := &gandi.Dispatch{ID: "d1", TaskStatus: map[string]gandi.TaskStatus{"dns:records": {Status: gandi.DispatchRunning}}}
	pending := &gandi.Dispatch{ID: "d1", TaskStatus: map[string]gandi.TaskStatus{"dns:records": {Status: gandi.DispatchPending}}}
	done := &gandi.Dispatch{ID: "d1", TaskStatus: map[string]gandi.TaskStatus{"dns:records": {Status: gandi.DispatchDone}}}
	failedTask := &gandi.Dispatch{ID: "d1", TaskStatus: map[string]gandi.TaskStatus{"dns:records": {Status: gandi.DispatchError}}}
	failedWhole := &gandi.Dispatch{ID: "d1", State: gandi.DispatchError}
	secretGone := fmt.Errorf("resolve credentials: %w", &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsNotFound, Message: "Secret ns/gandi not found"})
	keyMissing := fmt.Errorf("resolve credentials: %w", &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsKeyMissing, Message: "Secret ns/gandi has no key \"token\""})

	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	const grace = time.Minute
	unsettled := func(outcome applyOutcome, at, lostAt time.Duration, shown bool, err error) deletionInput {
		rec := applyRecord{At: now.Add(-at), Outcome: outcome, PayloadHash: "sha256:a", TemplateID: "tpl", DomainID: "dom", Note: "the answer was lost"}
		if lostAt > 0 {
			rec.LostAt = now.Add(-lostAt)
		}
		return deletionInput{pending: &rec, now: now, grace: grace, shown: shown, err: err}
	}
	unreadable := deletionInput{pending: &applyRecord{Note: "the apply record is unreadable"}, now: now, grace: grace}
	domainDown := fmt.Errorf("read domain: %w", &gandi.APIError{StatusCode: http.StatusServiceUnavailable, FromGandi: true, Method: http.MethodGet, Route: gandi.RouteDomain})

	for _, tc := range []struct {
		name string
		in   deletionInput
		want deletionStep
		warn bool
	}{
		{"no apply pending (none, or settled from the domain)", deletionInput{}, deletionRelease, false},
		{"the status already shows it over", deletionInput{dispatchID: "d1", over: true}, deletionRelease, false},
		{"Gandi shows it running", deletionInput{dispatchID: "d1", dispatch: running}, deletionWait, false},
		{"Gandi shows it pending", deletionInput{dispatchID: "d1", dispatch: pending}, deletionWait, false},
		{"Gandi shows it done", deletionInput{dispatchID: "d1", dispatch: done}, deletionRelease, false},
		{"Gandi shows a task failed", deletionInput{dispatchID: "d1", dispatch: failedTask}, deletionRelease, false},
		{"Gandi shows the whole dispatch failed", deletionInput{dispatchID: "d1", dispatch: failedWhole}, deletionRelease, false},
		{"credentials Secret deleted", deletionInput{dispatchID: "d1", err: secretGone}, deletionRelease, true},
		{"credentials key missing", deletionInput{dispatchID: "d1", err: keyMissing}, deletionRelease, true},
		{"401", deletionInput{dispatchID: "d1", err: apiErr(http.StatusUnauthorized)}, deletionRelease, true},
		{"403", deletionInput{dispatchID: "d1", err: apiErr(http.StatusForbidden)}, deletionRelease, true},
		{"404: Gandi no longer reports it", deletionInput{dispatchID: "d1", err: apiErr(http.StatusNotFound)}, deletionRelease, true},
		{"400: no retry changes it", deletionInput{dispatchID: "d1", err: apiErr(http.StatusBadRequest)}, deletionRelease, true},
		{"undecodable answer", deletionInput{dispatchID: "d1", err: fmt.Errorf("get dispatch: %w", gandi.ErrUndecodable)}, deletionRelease, true},
		{"500", deletionInput{dispatchID: "d1", err: apiErr(http.StatusInternalServerError)}, deletionRetry, false},
		{"503", deletionInput{dispatchID: "d1", err: apiErr(http.StatusServiceUnavailable)}, deletionRetry, false},
		{"429", deletionInput{dispatchID: "d1", err: apiErr(http.StatusTooManyRequests)}, deletionRetry, false},
		{"timeout", deletionInput{dispatchID: "d1", err: context.DeadlineExceeded}, deletionRetry, false},
		{"connection refused", deletionInput{dispatchID: "d1", err: fmt.Errorf("dial: %w", syscall.ECONNREFUSED)}, deletionRetry, false},
		{"the Secret cannot be read (API server)", deletionInput{dispatchID: "d1", err: fmt.Errorf("read Secret: %w", context.Canceled)}, deletionRetry, false},

		{"answer lost, within the grace since the loss", unsettled(outcomeLost, 30*time.Second, 20*time.Second, false, nil), deletionWait, false},
		{"answer lost long after the record, within the grace since the loss", unsettled(outcomeLost, 5*time.Minute, 20*time.Second, false, nil), deletionWait, false},
		{"answer lost, within the grace, the domain shows it done", unsettled(outcomeLost, 30*time.Second, 20*time.Second, true, nil), deletionRelease, false},
		{"answer lost, within the grace, the domain cannot be read (503)", unsettled(outcomeLost, 30*time.Second, 20*time.Second, false, domainDown), deletionWait, false},
		{"answer lost, within the grace, credentials Secret deleted", unsettled(outcomeLost, 30*time.Second, 20*time.Second, false, secretGone), deletionRelease, true},
		{"answer lost, within the grace, 401", unsettled(outcomeLost, 30*time.Second, 20*time.Second, false, apiErr(http.StatusUnauthorized)), deletionRelease, true},
		{"answer lost, the grace since the loss over", unsettled(outcomeLost, 5*time.Minute, 2*time.Minute, false, nil), deletionRelease, true},
		{"accepted without a dispatch, within the grace", unsettled(outcomeAccepted, 30*time.Second, 30*time.Second, false, nil), deletionWait, false},
		{"accepted without a dispatch, the grace over", unsettled(outcomeAccepted, 5*time.Minute, 5*time.Minute, false, nil), deletionRelease, true},
		{"never answered, within the grace since the record", unsettled(outcomeUnanswered, 30*time.Second, 0, false, nil), deletionWait, false},
		{"never answered, the grace since the record over, no loss recorded", unsettled(outcomeUnanswered, 5*time.Minute, 0, false, nil), deletionRecordLoss, false},
		{"never answered, no loss recorded, credentials gone", unsettled(outcomeUnanswered, 5*time.Minute, 0, false, keyMissing), deletionRelease, true},
		{"never answered, the grace since its recorded loss over", unsettled(outcomeUnanswered, 10*time.Minute, 5*time.Minute, false, nil), deletionRelease, true},
		{"unreadable record: an apply long ago", unreadable, deletionRelease, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := decideDeletion(tc.in)
			if got != tc.want {
				t.Fatalf("decideDeletion = %v (%s), want %v", got, why, tc.want)
			}
			if why == "" {
				t.Fatal("no reason given")
			}
			if got != deletionRelease {
				if !tc.in.awaited() {
					t.Fatal("it waits, but awaited (holdsWhileDeleting) says nothing is pending")
				}
				return
			}
			if warn := releasedUnseen(tc.in); warn != tc.warn {
				t.Fatalf("releasedUnseen = %v, want %v (%s)", warn, tc.warn, why)
			}
		})
	}
}

// TestHoldsWhileDeleting pins which applications being deleted still hold
// their domain against the others: those that finalize keeps.
func TestHoldsWhileDeleting(t *testing.T) {
	now := metav1.NewTime(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	const grace = time.Minute
	rec := func(outcome applyOutcome, dispatch string, age ...time.Duration) string {
		r := applyRecord{At: now.Time, PayloadHash: "sha256:a", Generation: 1, Outcome: outcome, DispatchID: dispatch, TemplateID: "tpl", DomainID: "dom"}
		if len(age) > 0 {
			r.At = now.Add(-age[0])
		}
		if len(age) > 1 {
			r.LostAt = now.Add(-age[1])
		}
		v, err := r.encode()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ta := func(deleting, finalizer bool, record string, status *hostingv1alpha1.DispatchStatus) *hostingv1alpha1.TemplateApplication {
		o := &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "ns", Annotations: map[string]string{}}}
		if deleting {
			o.DeletionTimestamp = &now
		}
		if finalizer {
			o.Finalizers = []string{Finalizer}
		}
		if record != "" {
			o.Annotations[effectAnnotationPrefix+effectApply] = record
		}
		o.Status.Dispatch = status
		return o
	}
	running := &hostingv1alpha1.DispatchStatus{ID: "d1", State: hostingv1alpha1.DispatchRunning}
	doneD1 := &hostingv1alpha1.DispatchStatus{ID: "d1", State: hostingv1alpha1.DispatchDone}
	failedD1 := &hostingv1alpha1.DispatchStatus{ID: "d1", State: hostingv1alpha1.DispatchError}
	doneEarlier := &hostingv1alpha1.DispatchStatus{ID: "d0", State: hostingv1alpha1.DispatchDone}

	for _, tc := range []struct {
		name string
		ta   *hostingv1alpha1.TemplateApplication
		want bool
	}{
		{"not being deleted (contends as any live one)", ta(false, true, rec(outcomeDispatched, "d1"), running), false},
		{"deleting, its dispatch running", ta(true, true, rec(outcomeDispatched, "d1"), running), true},
		{"deleting, its dispatch not read yet", ta(true, true, rec(outcomeDispatched, "d1"), nil), true},
		{"deleting, the status shows an earlier dispatch done", ta(true, true, rec(outcomeDispatched, "d1"), doneEarlier), true},
		{"deleting, its dispatch done", ta(true, true, rec(outcomeDispatched, "d1"), doneD1), false},
		{"deleting, its dispatch failed", ta(true, true, rec(outcomeDispatched, "d1"), failedD1), false},
		{"deleting, no finalizer of ours (an earlier version, or released)", ta(true, false, rec(outcomeDispatched, "d1"), running), false},
		{"deleting, its apply never answered, within the grace", ta(true, true, rec(outcomeUnanswered, ""), nil), true},
		{"deleting, its apply never answered, no loss recorded a grace after", ta(true, true, rec(outcomeUnanswered, "", 5*time.Minute), nil), true},
		{"deleting, its apply never answered, the grace since its loss over", ta(true, true, rec(outcomeUnanswered, "", 10*time.Minute, 5*time.Minute), nil), false},
		{"deleting, its answer lost, within the grace since the loss", ta(true, true, rec(outcomeLost, "", 5*time.Minute, 30*time.Second), nil), true},
		{"deleting, its answer lost, the grace since the loss over", ta(true, true, rec(outcomeLost, "", 5*time.Minute, 2*time.Minute), nil), false},
		{"deleting, its apply accepted without a dispatch, within the grace", ta(true, true, rec(outcomeAccepted, "", 30*time.Second, 30*time.Second), nil), true},
		{"deleting, its apply accepted without a dispatch, the grace over", ta(true, true, rec(outcomeAccepted, "", 5*time.Minute, 5*time.Minute), nil), false},
		{"deleting, its lost apply confirmed on the domain", ta(true, true, rec(outcomeConfirmed, ""), nil), false},
		{"deleting, its lost apply unconfirmed", ta(true, true, rec(outcomeUnconfirmed, ""), nil), false},
		{"deleting, within the grace but no finalizer of ours", ta(true, false, rec(outcomeLost, "", 30*time.Second, 30*time.Second), nil), false},
		{"deleting, no apply recorded", ta(true, true, "", nil), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := holdsWhileDeleting(tc.ta, now.Time, grace); got != tc.want {
				t.Fatalf("holdsWhileDeleting = %v, want %v", got, tc.want)
			}
			if got, want := contends(tc.ta, now.Time, grace), tc.ta.DeletionTimestamp.IsZero() || tc.want; got != want {
				t.Fatalf("contends = %v, want %v", got, want)
			}
			if in := newDeletionInput(tc.ta, now.Time, grace); in.pending != nil && !tc.ta.DeletionTimestamp.IsZero() && controllerutil.ContainsFinalizer(tc.ta, Finalizer) {
				// For an apply without a dispatch, finalize keeps, while the
				// domain does not show it done, exactly what holds.
				step, why := decideDeletion(in)
				if kept := step != deletionRelease; kept != tc.want {
					t.Fatalf("decideDeletion with nothing read = %v (%s), holdsWhileDeleting %v", step, why, tc.want)
				}
			}
		})
	}
}
