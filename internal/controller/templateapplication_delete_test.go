package controller

import (
	"context"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// TestDecideDeletion pins when a TemplateApplication being deleted keeps
// its finalizer: only while Gandi shows its last dispatch running, or
// after a transient failure to read it. Whatever keeps the dispatch from
// being observed for good releases it at once: a deletion never wedges.
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

	for _, tc := range []struct {
		name string
		in   deletionInput
		want deletionStep
	}{
		{"no dispatch recorded (never answered, or none to follow)", deletionInput{}, deletionRelease},
		{"the status already shows it over", deletionInput{dispatchID: "d1", over: true}, deletionRelease},
		{"Gandi shows it running", deletionInput{dispatchID: "d1", dispatch: running}, deletionWait},
		{"Gandi shows it pending", deletionInput{dispatchID: "d1", dispatch: pending}, deletionWait},
		{"Gandi shows it done", deletionInput{dispatchID: "d1", dispatch: done}, deletionRelease},
		{"Gandi shows a task failed", deletionInput{dispatchID: "d1", dispatch: failedTask}, deletionRelease},
		{"Gandi shows the whole dispatch failed", deletionInput{dispatchID: "d1", dispatch: failedWhole}, deletionRelease},
		{"credentials Secret deleted", deletionInput{dispatchID: "d1", err: secretGone}, deletionRelease},
		{"credentials key missing", deletionInput{dispatchID: "d1", err: keyMissing}, deletionRelease},
		{"401", deletionInput{dispatchID: "d1", err: apiErr(http.StatusUnauthorized)}, deletionRelease},
		{"403", deletionInput{dispatchID: "d1", err: apiErr(http.StatusForbidden)}, deletionRelease},
		{"404: Gandi no longer reports it", deletionInput{dispatchID: "d1", err: apiErr(http.StatusNotFound)}, deletionRelease},
		{"400: no retry changes it", deletionInput{dispatchID: "d1", err: apiErr(http.StatusBadRequest)}, deletionRelease},
		{"undecodable answer", deletionInput{dispatchID: "d1", err: fmt.Errorf("get dispatch: %w", gandi.ErrUndecodable)}, deletionRelease},
		{"500", deletionInput{dispatchID: "d1", err: apiErr(http.StatusInternalServerError)}, deletionRetry},
		{"503", deletionInput{dispatchID: "d1", err: apiErr(http.StatusServiceUnavailable)}, deletionRetry},
		{"429", deletionInput{dispatchID: "d1", err: apiErr(http.StatusTooManyRequests)}, deletionRetry},
		{"timeout", deletionInput{dispatchID: "d1", err: context.DeadlineExceeded}, deletionRetry},
		{"connection refused", deletionInput{dispatchID: "d1", err: fmt.Errorf("dial: %w", syscall.ECONNREFUSED)}, deletionRetry},
		{"the Secret cannot be read (API server)", deletionInput{dispatchID: "d1", err: fmt.Errorf("read Secret: %w", context.Canceled)}, deletionRetry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := decideDeletion(tc.in)
			if got != tc.want {
				t.Fatalf("decideDeletion = %v (%s), want %v", got, why, tc.want)
			}
			if why == "" {
				t.Fatal("no reason given")
			}
		})
	}
}

// TestHoldsWhileDeleting pins which applications being deleted still hold
// their domain against the others: those that finalize keeps.
func TestHoldsWhileDeleting(t *testing.T) {
	now := metav1.NewTime(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	rec := func(outcome applyOutcome, dispatch string) string {
		v, err := applyRecord{At: now.Time, PayloadHash: "sha256:a", Generation: 1, Outcome: outcome, DispatchID: dispatch, TemplateID: "tpl", DomainID: "dom"}.encode()
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
		{"deleting, its apply never answered", ta(true, true, rec(outcomeUnanswered, ""), nil), false},
		{"deleting, its apply accepted without a dispatch", ta(true, true, rec(outcomeAccepted, ""), nil), false},
		{"deleting, no apply recorded", ta(true, true, "", nil), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := holdsWhileDeleting(tc.ta); got != tc.want {
				t.Fatalf("holdsWhileDeleting = %v, want %v", got, tc.want)
			}
			if got, want := contends(tc.ta), tc.ta.DeletionTimestamp.IsZero() || tc.want; got != want {
				t.Fatalf("contends = %v, want %v", got, want)
			}
		})
	}
}
