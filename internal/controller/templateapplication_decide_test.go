package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// TestNextStep pins when an apply is due, and that none is sent while one
// of this object may be in flight.
func TestNextStep(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	const grace = 2 * time.Minute
	at := func(ago time.Duration) time.Time { return now.Add(-ago) }
	rec := func(o applyOutcome, ago time.Duration) applyRecord {
		r := applyRecord{At: at(ago), PayloadHash: "sha256:a", Generation: 3, SpecDigest: "sha256:spec", Outcome: o, TemplateID: "tpl-1", DomainID: "dom-1"}
		switch o {
		case outcomeDispatched:
			r.DispatchID = "d1"
		case outcomeLost, outcomeAccepted:
			r.LostAt = r.At // answered (or not) at once
		}
		return r
	}
	// lostAgo is r with its loss recorded ago: an answer lost after a slow
	// send, or an unanswered apply found by a later pass.
	lostAgo := func(ago time.Duration, r applyRecord) applyRecord { r.LostAt = at(ago); return r }
	// unrecordedLoss is a record an earlier version wrote, without LostAt.
	unrecordedLoss := func(r applyRecord) applyRecord { r.LostAt = time.Time{}; return r }
	changedPayload := func(r applyRecord) applyRecord { r.PayloadHash = "sha256:old"; return r }
	// changedSpec is a record of another spec at the object's generation:
	// the digest, not the generation, tells (an object re-created with an
	// edited spec starts again at generation 1).
	changedSpec := func(r applyRecord) applyRecord { r.SpecDigest = "sha256:old-spec"; return r }
	// restored is a record of this very spec at another generation: the
	// object was restored without status, or deleted and created again,
	// after its spec had been edited.
	restored := func(r applyRecord) applyRecord { r.Generation = 5; return r }
	// undigested is a record an earlier version wrote, without the spec's
	// digest: its generation is compared, as those versions did.
	undigested := func(r applyRecord) applyRecord { r.SpecDigest = ""; return r }
	resent := func(r applyRecord) applyRecord { r.Resent = true; return r }
	// superseded is an apply another application wrote over while this
	// one was held back.
	superseded := func(r applyRecord) applyRecord { r.Superseded = true; return r }
	// otherDomain is a record copied from an application to another domain.
	otherDomain := func(r applyRecord) applyRecord { r.DomainID = "dom-other"; return r }
	otherTemplate := func(r applyRecord) applyRecord { r.TemplateID = "tpl-other"; return r }
	// untargeted is a record of an earlier version, which names no target.
	untargeted := func(r applyRecord) applyRecord { r.TemplateID, r.DomainID = "", ""; return r }
	shown := evidence{verdict: verdictShown}
	contradicted := evidence{verdict: verdictContradicted, differs: []string{"the domain's nameservers are ns1.gandi.net"}}
	unknown := evidence{verdict: verdictUnknown}

	for _, tc := range []struct {
		name     string
		rec      applyRecord
		none     bool
		over     bool
		interval time.Duration
		ev       evidence
		want     stepKind
	}{
		{name: "never applied", none: true, want: stepSend},

		{name: "dispatch running", rec: rec(outcomeDispatched, time.Second), want: stepFollow},
		{name: "dispatch running, payload changed: follow, do not send", rec: changedPayload(rec(outcomeDispatched, time.Hour)), want: stepFollow},
		{name: "dispatch over, unchanged", rec: rec(outcomeDispatched, time.Hour), over: true, want: stepSettled},
		{name: "dispatch over, payload changed", rec: changedPayload(rec(outcomeDispatched, time.Hour)), over: true, want: stepSend},
		{name: "dispatch over, spec changed", rec: changedSpec(rec(outcomeDispatched, time.Hour)), over: true, want: stepSend},
		{name: "dispatch over, interval elapsed", rec: rec(outcomeDispatched, 2*time.Hour), over: true, interval: time.Hour, want: stepSend},

		{name: "dispatch over, restored with the same spec at another generation: not sent", rec: restored(rec(outcomeDispatched, time.Hour)), over: true, want: stepSettled},
		{name: "dispatch over, restored, then its spec edited: sent", rec: changedSpec(restored(rec(outcomeDispatched, time.Hour))), over: true, want: stepSend},
		{name: "confirmed, restored with the same spec: not sent", rec: restored(rec(outcomeConfirmed, time.Hour)), want: stepSettled},
		{name: "unconfirmed, restored with the same spec: not sent", rec: restored(rec(outcomeUnconfirmed, time.Hour)), ev: contradicted, want: stepSettled},
		{name: "lost, restored with the same spec, shown: confirmed, not sent", rec: restored(rec(outcomeLost, time.Hour)), ev: shown, want: stepConfirm},
		{name: "lost again after being sent once more, restored with the same spec: unconfirmed, no third", rec: resent(restored(rec(outcomeLost, time.Hour))), ev: unknown, want: stepGiveUp},
		{name: "accepted after the grace, restored with the same spec: unconfirmed, never sent again", rec: restored(rec(outcomeAccepted, time.Hour)), ev: unknown, want: stepGiveUp},
		{name: "accepted after the grace, spec changed at the same generation: sent", rec: changedSpec(rec(outcomeAccepted, time.Hour)), ev: unknown, want: stepSend},
		{name: "dispatch over, record without a digest (earlier version), same generation: not sent on upgrade", rec: undigested(rec(outcomeDispatched, time.Hour)), over: true, want: stepSettled},
		{name: "dispatch over, record without a digest, another generation: sent (only the generation tells)", rec: undigested(restored(rec(outcomeDispatched, time.Hour))), over: true, want: stepSend},
		{name: "accepted after the grace, record without a digest, same generation: unconfirmed", rec: undigested(rec(outcomeAccepted, time.Hour)), ev: unknown, want: stepGiveUp},
		{name: "accepted after the grace, record without a digest, another generation: sent", rec: undigested(restored(rec(outcomeAccepted, time.Hour))), ev: unknown, want: stepSend},
		{name: "dispatch over, interval not elapsed", rec: rec(outcomeDispatched, 2*time.Hour), over: true, interval: 3 * time.Hour, want: stepSettled},

		{name: "dispatch running, record of another domain (a copy): sent, not followed", rec: otherDomain(rec(outcomeDispatched, time.Second)), want: stepSend},
		{name: "dispatch over, record of another domain (a copy): sent", rec: otherDomain(rec(outcomeDispatched, time.Hour)), over: true, want: stepSend},
		{name: "dispatch over, record of another template: sent", rec: otherTemplate(rec(outcomeDispatched, time.Hour)), over: true, want: stepSend},
		{name: "confirmed, record of another domain: sent", rec: otherDomain(rec(outcomeConfirmed, time.Hour)), ev: shown, want: stepSend},
		{name: "unanswered in the grace, record of another domain: nothing of it can repeat here", rec: otherDomain(rec(outcomeUnanswered, time.Second)), ev: unknown, want: stepSend},
		{name: "lost, record of another domain, shown: not this target's apply", rec: otherDomain(rec(outcomeLost, time.Second)), ev: shown, want: stepSend},
		{name: "dispatch running, record of an earlier version: followed", rec: untargeted(rec(outcomeDispatched, time.Second)), want: stepFollow},
		{name: "dispatch over, record of an earlier version: no apply again on upgrade", rec: untargeted(rec(outcomeDispatched, time.Hour)), over: true, want: stepSettled},
		{name: "confirmed, record of an earlier version: settled", rec: untargeted(rec(outcomeConfirmed, time.Hour)), want: stepSettled},

		{name: "confirmed on the domain, unchanged", rec: rec(outcomeConfirmed, time.Hour), want: stepSettled},
		{name: "confirmed on the domain, spec changed", rec: changedSpec(rec(outcomeConfirmed, time.Hour)), want: stepSend},
		{name: "unconfirmed, unchanged: not sent blindly", rec: rec(outcomeUnconfirmed, time.Hour), ev: contradicted, want: stepSettled},
		{name: "unconfirmed, payload changed", rec: changedPayload(rec(outcomeUnconfirmed, time.Hour)), want: stepSend},
		{name: "unconfirmed, interval elapsed", rec: rec(outcomeUnconfirmed, 2*time.Hour), interval: time.Hour, want: stepSend},

		{name: "unanswered, in the grace", rec: rec(outcomeUnanswered, time.Second), ev: unknown, want: stepWait},
		{name: "unanswered, in the grace, contradicted", rec: rec(outcomeUnanswered, time.Second), ev: contradicted, want: stepWait},
		{name: "unanswered, in the grace, shown", rec: rec(outcomeUnanswered, time.Second), ev: shown, want: stepConfirm},
		{name: "unanswered, after the grace since the record, no loss recorded (a crash cut the send): the loss is recorded, nothing sent", rec: rec(outcomeUnanswered, time.Hour), ev: unknown, want: stepRecordLoss},
		{name: "unanswered, no loss recorded, contradicted: the loss is recorded, nothing sent", rec: rec(outcomeUnanswered, time.Hour), ev: contradicted, want: stepRecordLoss},
		{name: "unanswered, its loss recorded within the grace: waited for", rec: lostAgo(time.Second, rec(outcomeUnanswered, time.Hour)), ev: contradicted, want: stepWait},
		{name: "unanswered, after the grace since its loss, nothing shown: maybe never sent", rec: lostAgo(time.Hour, rec(outcomeUnanswered, 2*time.Hour)), ev: unknown, want: stepSend},
		{name: "unanswered, after the grace since its loss, contradicted", rec: lostAgo(time.Hour, rec(outcomeUnanswered, 2*time.Hour)), ev: contradicted, want: stepSend},
		{name: "unanswered, after the grace, shown", rec: rec(outcomeUnanswered, time.Hour), ev: shown, want: stepConfirm},
		{name: "unanswered, payload changed, in the grace", rec: changedPayload(rec(outcomeUnanswered, time.Second)), ev: shown, want: stepWait},
		{name: "unanswered, payload changed, no loss recorded: the loss is recorded before the next apply", rec: changedPayload(rec(outcomeUnanswered, time.Hour)), ev: shown, want: stepRecordLoss},
		{name: "unanswered, payload changed, after the grace since its loss", rec: changedPayload(lostAgo(time.Hour, rec(outcomeUnanswered, 2*time.Hour))), ev: shown, want: stepSend},
		{name: "unreadable record", rec: applyRecord{Note: "unreadable"}, ev: unknown, want: stepSend},

		{name: "lost, in the grace", rec: rec(outcomeLost, time.Second), ev: unknown, want: stepWait},
		{name: "lost after a slow send: recorded long ago, its answer lost within the grace: waited for", rec: lostAgo(time.Second, rec(outcomeLost, time.Hour)), ev: contradicted, want: stepWait},
		{name: "lost after a slow send, the grace since the loss over too", rec: lostAgo(time.Hour, rec(outcomeLost, 2*time.Hour)), ev: contradicted, want: stepSend},
		{name: "lost, recorded by an earlier version without the loss time: the loss is recorded, nothing sent", rec: unrecordedLoss(rec(outcomeLost, time.Hour)), ev: contradicted, want: stepRecordLoss},
		{name: "lost, in the grace, contradicted: the dispatch may not have run yet", rec: rec(outcomeLost, time.Second), ev: contradicted, want: stepWait},
		{name: "lost, shown", rec: rec(outcomeLost, time.Second), ev: shown, want: stepConfirm},
		{name: "lost, after the grace, contradicted", rec: rec(outcomeLost, time.Hour), ev: contradicted, want: stepSend},
		{name: "lost, after the grace, nothing settles it: sent once more", rec: rec(outcomeLost, time.Hour), ev: unknown, want: stepSend},
		{name: "lost again after being sent once more: unconfirmed", rec: resent(rec(outcomeLost, time.Hour)), ev: unknown, want: stepGiveUp},
		{name: "lost, after the grace, interval elapsed", rec: rec(outcomeLost, 2*time.Hour), ev: unknown, interval: time.Hour, want: stepSend},
		{name: "lost, spec changed, in the grace", rec: changedSpec(rec(outcomeLost, time.Second)), ev: unknown, want: stepWait},
		{name: "lost, spec changed, after the grace", rec: changedSpec(rec(outcomeLost, time.Hour)), ev: unknown, want: stepSend},

		{name: "accepted, no dispatch to follow, in the grace", rec: rec(outcomeAccepted, time.Second), ev: unknown, want: stepWait},
		{name: "accepted after a slow send, in the grace since the answer: not given up", rec: lostAgo(time.Second, rec(outcomeAccepted, time.Hour)), ev: unknown, want: stepWait},
		{name: "accepted, shown", rec: rec(outcomeAccepted, time.Second), ev: shown, want: stepConfirm},
		{name: "accepted, after the grace, nothing settles it: unconfirmed, never sent again", rec: rec(outcomeAccepted, time.Hour), ev: unknown, want: stepGiveUp},
		{name: "accepted, after the grace, contradicted: Gandi ran it, not sent again", rec: rec(outcomeAccepted, time.Hour), ev: contradicted, want: stepGiveUp},
		{name: "accepted, interval elapsed", rec: rec(outcomeAccepted, 2*time.Hour), ev: unknown, interval: time.Hour, want: stepSend},
		{name: "accepted, payload changed, after the grace", rec: changedPayload(rec(outcomeAccepted, time.Hour)), ev: unknown, want: stepSend},

		{name: "dispatch over, written over by another application: sent", rec: superseded(rec(outcomeDispatched, time.Hour)), over: true, want: stepSend},
		{name: "confirmed, written over by another application: sent", rec: superseded(rec(outcomeConfirmed, time.Hour)), want: stepSend},
		{name: "unconfirmed, written over by another application: sent", rec: superseded(rec(outcomeUnconfirmed, time.Hour)), want: stepSend},
		{name: "accepted after the grace, written over: sent, not given up", rec: superseded(rec(outcomeAccepted, time.Hour)), ev: unknown, want: stepSend},
		{name: "lost in the grace, written over: it may still be on its way", rec: superseded(rec(outcomeLost, time.Second)), ev: unknown, want: stepWait},
		{name: "dispatch running, written over: followed first", rec: superseded(rec(outcomeDispatched, time.Second)), want: stepFollow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := applyInput{
				rec: tc.rec, recorded: !tc.none, payloadHash: "sha256:a", specDigest: "sha256:spec", generation: 3, templateID: "tpl-1", domainID: "dom-1",
				interval: tc.interval, grace: grace, now: now, dispatchOver: tc.over, evidence: tc.ev,
			}
			got := nextStep(in)
			if got.kind != tc.want {
				t.Fatalf("nextStep = %+v, want kind %d", got, tc.want)
			}
			if got.kind == stepSend && got.why == "" {
				t.Error("a send says why")
			}
			if (got.kind == stepWait || got.kind == stepRecordLoss) && (got.wait <= 0 || got.wait > grace) {
				t.Errorf("wait %s, want within the grace", got.wait)
			}
		})
	}
}

// TestDispatchTarget pins that the target Gandi reports of a dispatch
// prevails over the record's, so that a record copied from another object
// (or written by an earlier version, without a target) whose dispatch
// applied elsewhere is not taken for this target's apply.
func TestDispatchTarget(t *testing.T) {
	mine := applyRecord{Outcome: outcomeDispatched, DispatchID: "d1", TemplateID: "tpl-1", DomainID: "dom-1"}
	old := applyRecord{Outcome: outcomeDispatched, DispatchID: "d1"}
	for _, tc := range []struct {
		name  string
		rec   applyRecord
		d     gandi.Dispatch
		other bool
	}{
		{name: "the dispatch applied this template to this domain", rec: mine, d: gandi.Dispatch{TargetID: "dom-1", TemplateID: "tpl-1"}},
		{name: "an earlier version's record, Gandi shows this target", rec: old, d: gandi.Dispatch{TargetID: "dom-1", TemplateID: "tpl-1"}},
		{name: "an earlier version's record, Gandi shows another domain", rec: old, d: gandi.Dispatch{TargetID: "dom-a", TemplateID: "tpl-1"}, other: true},
		{name: "the record names this domain, Gandi another", rec: mine, d: gandi.Dispatch{TargetID: "dom-a"}, other: true},
		{name: "Gandi shows another template", rec: mine, d: gandi.Dispatch{TargetID: "dom-1", TemplateID: "tpl-2"}, other: true},
		{name: "Gandi names no template (optional in the doc)", rec: old, d: gandi.Dispatch{TargetID: "dom-1"}},
		{name: "Gandi names nothing: the record stands", rec: mine, d: gandi.Dispatch{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			why := tc.rec.withDispatchTarget(&tc.d).otherTarget("tpl-1", "dom-1")
			if (why != "") != tc.other {
				t.Fatalf("otherTarget = %q, want another target: %t", why, tc.other)
			}
		})
	}
}

// TestMeaningOf pins what the answer to an apply's POST means: only a
// failure after which Gandi certainly did not act lets the apply be sent
// again at once.
func TestMeaningOf(t *testing.T) {
	apiErr := func(status int, fromGandi bool) error {
		return fmt.Errorf("apply template t1 to domain d1: %w",
			&gandi.APIError{StatusCode: status, FromGandi: fromGandi, Method: http.MethodPost, Route: gandi.RouteTemplate})
	}
	accepted := &gandi.ApplyResult{DispatchID: "d1"}
	for _, tc := range []struct {
		name string
		out  *gandi.ApplyResult
		err  error
		want sendResult
	}{
		{"202 with a dispatch", accepted, nil, sentDispatched},
		{"202 naming no dispatch", &gandi.ApplyResult{}, fmt.Errorf("apply: %w", gandi.ErrNoID), sentNoDispatch},
		{"503 with Gandi's error body", nil, apiErr(http.StatusServiceUnavailable, true), notSent},
		{"500 with Gandi's error body", nil, apiErr(http.StatusInternalServerError, true), notSent},
		{"502 page of a proxy", nil, apiErr(http.StatusBadGateway, false), sentLost},
		{"404: the template is gone", nil, apiErr(http.StatusNotFound, true), notSent},
		{"403", nil, apiErr(http.StatusForbidden, true), notSent},
		{"429", nil, apiErr(http.StatusTooManyRequests, true), notSent},
		{"connection refused", nil, fmt.Errorf("dial: %w", syscall.ECONNREFUSED), notSent},
		{"held back by the limiter", nil, &gandi.NotSentError{Err: context.DeadlineExceeded}, notSent},
		{"held back by Retry-After", nil, &gandi.PausedError{Wait: time.Minute}, notSent},
		{"too late after its record", nil, fmt.Errorf("apply template t1 to domain d1: %w",
			&gandi.NotSentError{Method: http.MethodPost, Route: gandi.RouteTemplate, Err: gandi.ErrSendWindowPassed}), notSent},
		{"empty ID", nil, fmt.Errorf("apply template: %w: id", gandi.ErrEmptyArgument), notSent},
		{"connection reset after the request", nil, fmt.Errorf("read: %w", syscall.ECONNRESET), sentLost},
		{"answer cut short", nil, io.ErrUnexpectedEOF, sentLost},
		{"timeout", nil, context.DeadlineExceeded, sentLost},
		{"cancelled mid-request", nil, context.Canceled, sentLost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := meaningOf(tc.out, tc.err); got != tc.want {
				t.Fatalf("meaningOf = %d, want %d", got, tc.want)
			}
			// sendOnce takes the record back exactly for notSent.
			if (tc.want == notSent) != gandi.NotApplied(tc.err) {
				t.Fatalf("meaningOf and gandi.NotApplied disagree on %v", tc.err)
			}
		})
	}
}

// TestTakeBackLocked pins that the record of an apply not sent is taken
// back unlocked only within its send window: past it, another manager may
// have taken it for lost and recorded its own, which an unlocked write
// would erase (the thawed leader's take-back then sent a second apply).
func TestTakeBackLocked(t *testing.T) {
	window := Timing{CreateGrace: 2 * time.Minute}.sendWindow()
	for _, tc := range []struct {
		name        string
		sinceRecord time.Duration
		want        bool
	}{
		{"refused at once", 200 * time.Millisecond, false},
		{"held back by another application after a slow check, within the window", window - time.Second, false},
		{"at the window's end", window, false},
		{"too late after its record: the process was paused", window + time.Millisecond, true},
		{"paused two graces: another manager re-applied", 4 * window, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := takeBackLocked(tc.sinceRecord, window); got != tc.want {
				t.Fatalf("takeBackLocked(%s, %s) = %v, want %v", tc.sinceRecord, window, got, tc.want)
			}
		})
	}
}

// TestReadiness pins that Ready is True only when Gandi showed the apply
// done: its dispatch over without error, or the domain showing all of the
// template for one whose dispatch is unknown. Never from what was sent.
func TestReadiness(t *testing.T) {
	ds := func(id string, s hostingv1alpha1.DispatchState) *hostingv1alpha1.DispatchStatus {
		return &hostingv1alpha1.DispatchStatus{ID: id, State: s}
	}
	dispatched := applyRecord{Outcome: outcomeDispatched, DispatchID: "d1"}
	for _, tc := range []struct {
		name   string
		rec    applyRecord
		step   stepKind
		ds     *hostingv1alpha1.DispatchStatus
		ready  bool
		reason string
	}{
		{"dispatch done", dispatched, stepSettled, ds("d1", hostingv1alpha1.DispatchDone), true, hostingv1alpha1.ReasonAvailable},
		{"dispatch failed", dispatched, stepSettled, ds("d1", hostingv1alpha1.DispatchError), false, hostingv1alpha1.ReasonDispatchFailed},
		{"dispatch running", dispatched, stepFollow, ds("d1", hostingv1alpha1.DispatchRunning), false, hostingv1alpha1.ReasonApplying},
		{"dispatch not read yet", dispatched, stepSettled, nil, false, hostingv1alpha1.ReasonApplying},
		{"an earlier dispatch is done, not this one", dispatched, stepSettled, ds("d0", hostingv1alpha1.DispatchDone), false, hostingv1alpha1.ReasonApplying},
		{"confirmed on the domain", applyRecord{Outcome: outcomeConfirmed}, stepSettled, nil, true, hostingv1alpha1.ReasonConfirmedOnDomain},
		{"unconfirmed", applyRecord{Outcome: outcomeUnconfirmed}, stepSettled, ds("d0", hostingv1alpha1.DispatchDone), false, hostingv1alpha1.ReasonAppliedUnconfirmed},
		{"lost, waiting", applyRecord{Outcome: outcomeLost}, stepWait, ds("d0", hostingv1alpha1.DispatchDone), false, hostingv1alpha1.ReasonApplying},
		{"unanswered, waiting", applyRecord{}, stepWait, nil, false, hostingv1alpha1.ReasonApplying},
		{"lost", applyRecord{Outcome: outcomeLost}, stepSettled, nil, false, hostingv1alpha1.ReasonAppliedUnconfirmed},
		{"unanswered", applyRecord{}, stepSettled, ds("d0", hostingv1alpha1.DispatchDone), false, hostingv1alpha1.ReasonAppliedUnconfirmed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ready, reason := readiness(tc.rec, tc.step, tc.ds)
			if ready != tc.ready || reason != tc.reason {
				t.Fatalf("readiness = %v %s, want %v %s", ready, reason, tc.ready, tc.reason)
			}
		})
	}

	outcomes := []applyOutcome{outcomeUnanswered, outcomeDispatched, outcomeLost, outcomeConfirmed, outcomeUnconfirmed}
	states := []hostingv1alpha1.DispatchState{"", hostingv1alpha1.DispatchPending, hostingv1alpha1.DispatchRunning, hostingv1alpha1.DispatchDone, hostingv1alpha1.DispatchError}
	for _, o := range outcomes {
		for _, s := range states {
			for _, id := range []string{"d1", "d0"} {
				for _, k := range []stepKind{stepFollow, stepWait, stepConfirm, stepGiveUp, stepSettled} {
					rec := applyRecord{Outcome: o, DispatchID: "d1"}
					ready, _ := readiness(rec, k, ds(id, s))
					seenDone := (o == outcomeDispatched && id == "d1" && s == hostingv1alpha1.DispatchDone) || o == outcomeConfirmed
					inFlight := k == stepFollow || k == stepWait
					if ready && (!seenDone || inFlight) {
						t.Errorf("Ready for outcome %q, dispatch %s %q, step %d: Gandi did not show it done", o, id, s, k)
					}
				}
			}
		}
	}
}

// TestDomainEvidence pins what the domain can say of a template.
func TestDomainEvidence(t *testing.T) {
	custom := &gandi.NameserversNS{Service: "custom", Addresses: []string{"NS1.example.net.", "ns2.example.net"}}
	records := &gandi.DNSRecordsNS{Default: true}
	domain := func(ns ...string) *gandi.Domain { return &gandi.Domain{ID: "d", FQDN: "example.com", Nameservers: ns} }
	for _, tc := range []struct {
		name    string
		payload gandi.TemplatePayload
		domain  *gandi.Domain
		want    verdict
	}{
		{"custom nameservers, as set (any order and spelling)", gandi.TemplatePayload{Nameservers: custom}, domain("ns2.example.net.", "ns1.example.net"), verdictShown},
		{"custom nameservers, not set", gandi.TemplatePayload{Nameservers: custom}, domain("ns1.gandi.net", "ns2.gandi.net"), verdictContradicted},
		{"custom nameservers, only some", gandi.TemplatePayload{Nameservers: custom}, domain("ns1.example.net"), verdictContradicted},
		{"custom nameservers set, records unseen", gandi.TemplatePayload{Nameservers: custom, DNSRecords: records}, domain("ns1.example.net", "ns2.example.net"), verdictUnknown},
		{"custom nameservers not set, records unseen", gandi.TemplatePayload{Nameservers: custom, DNSRecords: records}, domain("ns1.gandi.net"), verdictContradicted},
		{"livedns on Gandi's nameservers: cannot be told from Gandi's other DNS", gandi.TemplatePayload{Nameservers: &gandi.NameserversNS{Service: "livedns"}}, domain("ns1.gandi.net", "ns2.gandi.net"), verdictUnknown},
		{"livedns, custom nameservers on the domain", gandi.TemplatePayload{Nameservers: &gandi.NameserversNS{Service: "livedns"}}, domain("ns1.example.net"), verdictContradicted},
		{"domain given by ID: nothing read", gandi.TemplatePayload{Nameservers: custom}, nil, verdictUnknown},
		{"domain without nameservers in the answer", gandi.TemplatePayload{Nameservers: custom}, domain(), verdictUnknown},
		{"records only", gandi.TemplatePayload{DNSRecords: records}, domain("ns1.gandi.net"), verdictUnknown},
		{"empty template", gandi.TemplatePayload{}, domain("ns1.gandi.net"), verdictUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := domainEvidence(tc.payload, tc.domain); got.verdict != tc.want {
				t.Fatalf("verdict %d (%+v), want %d", got.verdict, got, tc.want)
			}
		})
	}
}

// TestCurrentRecord pins how the apply record is read, also as earlier
// versions left it.
func TestCurrentRecord(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ta := func(ann map[string]string, st hostingv1alpha1.TemplateApplicationStatus) *hostingv1alpha1.TemplateApplication {
		return &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{Annotations: ann}, Status: st}
	}
	enc := func(rec applyRecord) string {
		v, err := rec.encode()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	const key = effectAnnotationPrefix + effectApply
	legacyDone := `{"at":"2026-11-23T12:00:00Z","payloadHash":"sha256:a","generation":3,"dispatchID":"d1"}`
	legacyUnconfirmed := `{"at":"2026-11-23T12:00:00Z","payloadHash":"sha256:a","generation":3,"unconfirmed":"the answer was lost"}`
	for _, tc := range []struct {
		name     string
		obj      *hostingv1alpha1.TemplateApplication
		recorded bool
		outcome  applyOutcome
	}{
		{"nothing", ta(nil, hostingv1alpha1.TemplateApplicationStatus{}), false, ""},
		{"a record just before sending", ta(map[string]string{key: enc(applyRecord{At: at, PayloadHash: "sha256:a", Generation: 3})}, hostingv1alpha1.TemplateApplicationStatus{}), true, outcomeUnanswered},
		{"a record with its dispatch", ta(map[string]string{key: enc(applyRecord{At: at, Outcome: outcomeDispatched, DispatchID: "d1"})}, hostingv1alpha1.TemplateApplicationStatus{}), true, outcomeDispatched},
		{"an unreadable record", ta(map[string]string{key: "3@yesterday"}, hostingv1alpha1.TemplateApplicationStatus{}), true, outcomeUnanswered},
		{"the record wins over an earlier version's", ta(map[string]string{key: enc(applyRecord{At: at, Outcome: outcomeLost}), legacyAnnotationLastApply: legacyDone}, hostingv1alpha1.TemplateApplicationStatus{}), true, outcomeLost},
		{"earlier version: applied with a dispatch", ta(map[string]string{legacyAnnotationLastApply: legacyDone}, hostingv1alpha1.TemplateApplicationStatus{}), true, outcomeDispatched},
		{"earlier version: 'unconfirmed' may never have been sent", ta(map[string]string{legacyAnnotationLastApply: legacyUnconfirmed}, hostingv1alpha1.TemplateApplicationStatus{}), true, outcomeUnanswered},
		{"earlier version: a pending intent is newer than the last apply", ta(map[string]string{legacyAnnotationLastApply: legacyDone, legacyAnnotationApplyPending: legacyDone}, hostingv1alpha1.TemplateApplicationStatus{}), true, outcomeUnanswered},
		{"status only, with a dispatch", ta(nil, hostingv1alpha1.TemplateApplicationStatus{AppliedPayloadHash: "sha256:a", AppliedAt: &metav1.Time{Time: at}, Dispatch: &hostingv1alpha1.DispatchStatus{ID: "d1"}}), true, outcomeDispatched},
		{"status only, without a dispatch", ta(nil, hostingv1alpha1.TemplateApplicationStatus{AppliedPayloadHash: "sha256:a", AppliedAt: &metav1.Time{Time: at}}), true, outcomeUnanswered},
		{"status only, a dispatch sent and none performed yet: it is followed, not sent again", ta(nil, hostingv1alpha1.TemplateApplicationStatus{
			Dispatch: &hostingv1alpha1.DispatchStatus{ID: "d1", State: hostingv1alpha1.DispatchPending}}), true, outcomeDispatched},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, recorded := currentRecord(tc.obj)
			if recorded != tc.recorded || rec.Outcome != tc.outcome {
				t.Fatalf("currentRecord = %+v %v, want outcome %q recorded %v", rec, recorded, tc.outcome, tc.recorded)
			}
		})
	}
}

// TestRecordToStatus pins what the status shows of an apply: its dispatch
// as soon as Gandi names it, and applied* only once Gandi shows the apply
// performed; until then, and when it fails, applied* keep the last apply
// that was.
func TestRecordToStatus(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 500, time.UTC)
	earlier := metav1.NewTime(at.Add(-time.Hour).Truncate(time.Second))
	rec := func(o applyOutcome, dispatch string) applyRecord {
		return applyRecord{At: at, PayloadHash: "sha256:b", Generation: 2, Outcome: o, DispatchID: dispatch}
	}
	ds := func(id string, state hostingv1alpha1.DispatchState) *hostingv1alpha1.DispatchStatus {
		return &hostingv1alpha1.DispatchStatus{ID: id, State: state}
	}
	before := hostingv1alpha1.TemplateApplicationStatus{AppliedPayloadHash: "sha256:a", AppliedGeneration: 1, AppliedAt: &earlier, Dispatch: ds("d1", hostingv1alpha1.DispatchDone)}
	for _, tc := range []struct {
		name     string
		rec      applyRecord
		dispatch *hostingv1alpha1.DispatchStatus // the status's dispatch before, as follow left it
		// applied: applied* show rec (else they keep before's); dispatchID
		// is the status's dispatch after ("" for none).
		applied    bool
		dispatchID string
	}{
		{name: "accepted, its dispatch named: followed, nothing performed yet", rec: rec(outcomeDispatched, "d2"), dispatch: before.Dispatch, dispatchID: "d2"},
		{name: "its dispatch pending", rec: rec(outcomeDispatched, "d2"), dispatch: ds("d2", hostingv1alpha1.DispatchPending), dispatchID: "d2"},
		{name: "its dispatch running", rec: rec(outcomeDispatched, "d2"), dispatch: ds("d2", hostingv1alpha1.DispatchRunning), dispatchID: "d2"},
		{name: "its dispatch failed", rec: rec(outcomeDispatched, "d2"), dispatch: ds("d2", hostingv1alpha1.DispatchError), dispatchID: "d2"},
		{name: "its dispatch done", rec: rec(outcomeDispatched, "d2"), dispatch: ds("d2", hostingv1alpha1.DispatchDone), applied: true, dispatchID: "d2"},
		{name: "the domain confirmed an apply whose answer was lost", rec: rec(outcomeConfirmed, ""), dispatch: before.Dispatch, applied: true},
		{name: "lost: nothing known", rec: rec(outcomeLost, ""), dispatch: before.Dispatch, dispatchID: "d1"},
		{name: "accepted without a dispatch to follow", rec: rec(outcomeAccepted, ""), dispatch: before.Dispatch, dispatchID: "d1"},
		{name: "ended unconfirmed", rec: rec(outcomeUnconfirmed, ""), dispatch: before.Dispatch, dispatchID: "d1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ta := &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{Generation: 2}, Status: *before.DeepCopy()}
			ta.Status.Dispatch = tc.dispatch.DeepCopy()
			recordToStatus(ta, tc.rec)
			st := ta.Status
			want := before
			if tc.applied {
				shown := metav1.NewTime(at.Truncate(time.Second))
				want.AppliedPayloadHash, want.AppliedGeneration, want.AppliedAt = "sha256:b", 2, &shown
			}
			if st.AppliedPayloadHash != want.AppliedPayloadHash || st.AppliedGeneration != want.AppliedGeneration || !st.AppliedAt.Equal(want.AppliedAt) {
				t.Errorf("applied = %q %d %v; want %q %d %v", st.AppliedPayloadHash, st.AppliedGeneration, st.AppliedAt, want.AppliedPayloadHash, want.AppliedGeneration, want.AppliedAt)
			}
			if got := ""; st.Dispatch != nil {
				got = st.Dispatch.ID
				if got != tc.dispatchID {
					t.Errorf("dispatch = %q, want %q", got, tc.dispatchID)
				}
			} else if tc.dispatchID != "" {
				t.Errorf("no dispatch, want %q", tc.dispatchID)
			}
		})
	}
}

// TestSpecDigest pins what identifies the spec an apply applied: the
// whole spec's content, whatever its generation, and that the record
// carries it.
func TestSpecDigest(t *testing.T) {
	base := hostingv1alpha1.TemplateApplicationSpec{TemplateRef: &hostingv1alpha1.LocalObjectReference{Name: "dns"}, Domain: "example.com"}
	decoded := func(doc string) *hostingv1alpha1.TemplateApplicationSpec {
		var s hostingv1alpha1.TemplateApplicationSpec
		if err := json.Unmarshal([]byte(doc), &s); err != nil {
			t.Fatal(err)
		}
		return &s
	}
	d := specDigest(&base)
	if d == "" || specDigest(base.DeepCopy()) != d {
		t.Fatalf("a copy of the spec has digest %q, want %q", specDigest(base.DeepCopy()), d)
	}
	for name, s := range map[string]*hostingv1alpha1.TemplateApplicationSpec{
		"reapply.policy set to its default": {TemplateRef: base.TemplateRef, Domain: base.Domain, Reapply: &hostingv1alpha1.ReapplySpec{Policy: hostingv1alpha1.ReapplyOnChange}},
		"another domain":                    {TemplateRef: base.TemplateRef, Domain: "example.org"},
		"credentialsRef":                    {TemplateRef: base.TemplateRef, Domain: base.Domain, CredentialsRef: &hostingv1alpha1.CredentialsReference{Name: "gandi"}},
	} {
		if specDigest(s) == d {
			t.Errorf("%s: same digest as the spec before the edit", name)
		}
	}
	// One duration, two spellings: the API server keeps what was written,
	// the digest is of what it means.
	if a, b := specDigest(decoded(`{"reapply":{"policy":"Interval","interval":"1h30m"}}`)), specDigest(decoded(`{"reapply":{"policy":"Interval","interval":"90m"}}`)); a != b {
		t.Errorf("1h30m and 90m: digests %s and %s", a, b)
	}

	rec := applyRecord{At: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), Generation: 2, SpecDigest: d, PayloadHash: "sha256:a"}
	v, err := rec.encode()
	if err != nil {
		t.Fatal(err)
	}
	ta := &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{effectAnnotationPrefix + effectApply: v}}}
	if got, _ := currentRecord(ta); got.SpecDigest != d || !got.specUnchanged(d, 1) {
		t.Fatalf("record read back: %+v, want the digest %s, unchanged at generation 1", got, d)
	}

	// The status names this object's generation when its spec is the one
	// applied, the record's otherwise.
	ta.Generation, ta.Spec = 1, base
	if g := appliedGeneration(ta, rec); g != 1 {
		t.Errorf("restored with the spec applied at generation 2: appliedGeneration %d, want 1", g)
	}
	ta.Spec.Domain = "example.org"
	if g := appliedGeneration(ta, rec); g != 2 {
		t.Errorf("spec edited since: appliedGeneration %d, want the record's 2", g)
	}
	if g := appliedGeneration(ta, applyRecord{Generation: 2}); g != 2 {
		t.Errorf("record without a digest: appliedGeneration %d, want the record's 2", g)
	}
}
