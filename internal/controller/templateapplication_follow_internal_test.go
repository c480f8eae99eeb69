package controller

import (
	"encoding/json"
	"testing"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// An application follows the dispatch of its last apply when its pass
// stops before sync only while that dispatch is its own and open: its
// record names it and its status (the operator's) has followed it, not
// over yet.
func TestOpenDispatch(t *testing.T) {
	at := time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC)
	dispatched := applyRecord{At: at, Outcome: outcomeDispatched, DispatchID: "d-1", TemplateID: "t-1", DomainID: "dom-1"}
	with := func(rec *applyRecord, ds *hostingv1alpha1.DispatchStatus) *hostingv1alpha1.TemplateApplication {
		ta := &hostingv1alpha1.TemplateApplication{}
		if rec != nil {
			v, err := rec.encode()
			if err != nil {
				t.Fatal(err)
			}
			ta.Annotations = effectRecord(effectApply, v)
		}
		ta.Status.Dispatch = ds
		return ta
	}
	accepted := dispatched
	accepted.Outcome, accepted.DispatchID = outcomeAccepted, ""
	cases := []struct {
		name string
		ta   *hostingv1alpha1.TemplateApplication
		open bool
	}{
		{"pending at Gandi when last read", with(&dispatched, &hostingv1alpha1.DispatchStatus{ID: "d-1", State: hostingv1alpha1.DispatchPending}), true},
		{"running when last read", with(&dispatched, &hostingv1alpha1.DispatchStatus{ID: "d-1", State: hostingv1alpha1.DispatchRunning}), true},
		{"done: nothing left to follow", with(&dispatched, &hostingv1alpha1.DispatchStatus{ID: "d-1", State: hostingv1alpha1.DispatchDone}), false},
		{"failed: nothing left to follow", with(&dispatched, &hostingv1alpha1.DispatchStatus{ID: "d-1", State: hostingv1alpha1.DispatchError}), false},
		{"a record copied from another object: the status never showed its dispatch", with(&dispatched, nil), false},
		{"the status shows an earlier dispatch", with(&dispatched, &hostingv1alpha1.DispatchStatus{ID: "d-0", State: hostingv1alpha1.DispatchPending}), false},
		{"an apply without a dispatch to follow", with(&accepted, &hostingv1alpha1.DispatchStatus{ID: "d-1", State: hostingv1alpha1.DispatchPending}), false},
		{"never applied", with(nil, nil), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, open := openDispatch(c.ta); open != c.open {
				t.Errorf("open = %v, want %v", open, c.open)
			}
		})
	}
}

// The apply record names the credentials it was sent with, so that its
// dispatch is read back once the Template naming them is gone: a Secret
// of the application's namespace and its key, or the default token; a
// record of an earlier version names none.
func TestSentWith(t *testing.T) {
	ref := &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials", Key: hostingv1alpha1.CredentialsKey("apikey")}
	cases := []struct {
		name  string
		rec   string
		want  *hostingv1alpha1.CredentialsReference
		known bool
	}{
		{"a Secret and its key", mustJSON(t, newSentWith(ref)), ref, true},
		{"the operator's default token", mustJSON(t, newSentWith(nil)), nil, true},
		{"a record of an earlier version", "null", nil, false},
		{"names nothing", "{}", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s *sentWith
			if err := json.Unmarshal([]byte(c.rec), &s); err != nil {
				t.Fatal(err)
			}
			got, known := s.ref()
			if known != c.known || (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Errorf("ref() = %+v, %v; want %+v, %v", got, known, c.want, c.known)
			}
		})
	}
}
