package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// renewRecord is what the effect annotation keeps of a renewal before it is
// sent: the request, the end date Gandi showed then, when, on which
// instance, and the request values asked before it.
type renewRecord struct {
	Request string    `json:"request"`
	DateEnd time.Time `json:"dateEnd"`
	SentAt  time.Time `json:"sentAt"`
	// Instance is the ID of the instance it was sent to: only that
	// instance's end date says whether it happened. 0 in a record of an
	// earlier build, which was made on the instance held then.
	Instance int `json:"instance,omitempty"`
	// Earlier are the request values recorded before Request, and the
	// value held when the object took hold of an instance (baselineSuffix):
	// a request value renews at most once, so none is sent again.
	Earlier []string `json:"earlier,omitempty"`
}

func parseRenewRecord(v string) renewRecord {
	var rec renewRecord
	if v != "" {
		// A record that does not parse is treated as the request it may
		// name: nothing is sent again for it (see renew).
		if err := json.Unmarshal([]byte(v), &rec); err != nil {
			return renewRecord{Request: v}
		}
	}
	return rec
}

// requests are the request values rec says were asked: never sent again.
func (rec renewRecord) requests() []string {
	if rec.Request == "" {
		return rec.Earlier
	}
	return append([]string{rec.Request}, rec.Earlier...)
}

// on says rec was made on instance id (or names none: an earlier build's).
func (rec renewRecord) on(id int) bool { return rec.Instance == 0 || rec.Instance == id }

// next is the record of a renewal of want sent to instance id at now, the
// end date then dateEnd, after rec; baseline is the value held when the
// object took hold (baselineSuffix), which the write of this record ends
// (sendOnceWith) and which joins the values never sent: the object that
// asked it may have paid for it.
func (rec renewRecord) next(want string, id int, dateEnd, now time.Time, baseline string) renewRecord {
	earlier := slices.Clone(rec.Earlier)
	for _, v := range []string{rec.Request, baseline} {
		if v != "" && v != want && !slices.Contains(earlier, v) {
			earlier = append(earlier, v)
		}
	}
	return renewRecord{Request: want, DateEnd: dateEnd, SentAt: now.UTC(), Instance: id, Earlier: earlier}
}

// renewDecision is what to do about spec.renew in one pass.
type renewDecision int

const (
	renewNothing     renewDecision = iota // no request, performed, or held on taking hold
	renewAskedBefore                      // a value asked before the one last recorded: never sent again
	renewElsewhere                        // sent to another instance: neither sent again nor done here
	renewConfirmed                        // sent before; Gandi shows the end date moved
	renewWaiting                          // sent; the end date has not moved yet
	renewAccepted                         // Gandi accepted it; the end date has not moved yet
	renewUnconfirmed                      // sent, never seen accepted, the end date unmoved after the grace: not sent again
	renewNotNow                           // to send, but the instance cannot be renewed in its state
	renewHeld                             // new, held until the end date shows the previous renewal done
	renewSend                             // new: send it
)

// decideRenew compares the request with its record and with the end date
// Gandi shows: after a sent renewal, only the end date moving past the
// recorded one says it happened. A renewal is paid, and a paid thing is
// never sent twice: one recorded as sent is never sent again. Its
// operations move the end date only when they finish, however long after
// Gandi took it (Timings.PaasRenew in the simulator), so an end date that
// has not moved says nothing: within the grace period it is waited for;
// after it, a renewal Gandi's acceptance of which was never seen (a lost
// answer, a kill) is reported unconfirmed, as a password change is, and a
// new request value asks again. An end date that moves later still
// confirms it. (This supersedes the earlier rule, which sent it again once
// the grace passed with the end date unmoved: with slow operations and a
// lost answer, that paid twice.)
//
// A new request is held, not sent, while the previous renewal has not
// shown on the end date (previousRenewPending): sent then, it would be
// recorded with an end date the previous one has not moved yet, and that
// one's move would be taken for it. So each renewal is reported done only
// from a move past the end date Gandi showed once the one before it was
// done.
//
// A request value renews at most once, whatever came between: set back
// to one asked before the last recorded (A -> B -> A: a Git revert, say),
// it is not sent again, neither while B's operations run nor once B moves
// the end date and status moves on to it. Judged from the record, which
// keeps every value asked (renewRecord.Earlier), not from status, which
// holds only the last one done and moves when Gandi shows it: the
// decision must not turn into a purchase later with no change of the
// spec. A new value renews.
//
// baseline is the request the spec held when the object took hold of the
// instance without a record of it (baselineRecords): another object's
// renewal, neither sent nor waited for; once another value is recorded,
// it is one of Earlier.
//
// id is the instance held: a record made on another one (a copy of the
// object with its records, a recreate, another external-id) was sent
// there, and the end date here says nothing of it; it is not sent again
// either, as it may be paid.
func decideRenew(want *hostingv1alpha1.PaaSRenewRequest, performed, baseline string, rec renewRecord, id int, accepted bool, state string, dateEnd, now time.Time, grace time.Duration) renewDecision {
	switch {
	case want == nil:
		return renewNothing
	case slices.Contains(rec.Earlier, want.Request):
		return renewAskedBefore
	case want.Request == performed:
		return renewNothing
	case rec.Request == want.Request:
		return decideSentRenew(rec, id, accepted, dateEnd, now, grace)
	case want.Request == baseline:
		return renewNothing
	case previousRenewPending(rec, performed, id, accepted, dateEnd, now, grace):
		return renewHeld
	case state != paas.StateRunning && state != paas.StatePaused && state != paas.StateLocked:
		return renewNotNow
	}
	return renewSend
}

// decideSentRenew is decideRenew for the spec's request, recorded as sent
// (rec): where it stands, from the end date Gandi shows of instance id.
func decideSentRenew(rec renewRecord, id int, accepted bool, dateEnd, now time.Time, grace time.Duration) renewDecision {
	switch {
	case !rec.on(id):
		return renewElsewhere
	case rec.DateEnd.IsZero():
		// A record that does not say where the end date stood: the
		// renewal cannot be settled, so it is never sent again.
		return renewWaiting
	case dateEnd.After(rec.DateEnd):
		return renewConfirmed
	case accepted:
		return renewAccepted
	case now.Sub(rec.SentAt) < grace:
		return renewWaiting
	}
	return renewUnconfirmed
}

// previousRenewPending says the renewal rec records, asked before the
// spec's current request, may still move the end date: Gandi accepted it,
// or its answer was lost within the grace, and the end date has not moved
// past the one recorded with it. After the grace, one never seen accepted
// is unconfirmed, and a new request is how the user asks again; a record
// that does not say where the end date stood cannot be settled, and holds
// nothing back; nor does one made on another instance than id.
func previousRenewPending(rec renewRecord, performed string, id int, accepted bool, dateEnd, now time.Time, grace time.Duration) bool {
	switch {
	case rec.Request == "" || rec.Request == performed || rec.DateEnd.IsZero() || !rec.on(id) || renewShown(rec, id, dateEnd):
		return false
	case accepted:
		return true
	}
	return now.Sub(rec.SentAt) < grace
}

// renewShown says Gandi shows the end date of instance id moved past the
// one recorded with the renewal rec, made on id: that renewal is done.
func renewShown(rec renewRecord, id int, dateEnd time.Time) bool {
	return rec.on(id) && !rec.DateEnd.IsZero() && dateEnd.After(rec.DateEnd)
}

// renew performs spec.renew once per request value (paid, crash-safe).
func (p *paasPass) renew(ctx context.Context) *result {
	pi, info := p.pi, p.info
	want := pi.Spec.Renew
	last := lastRequests(pi)
	rec := parseRenewRecord(recordedEffect(pi, effectRenew))
	now := p.r.lifecycle().now()
	if want != nil && rec.Request != "" && rec.Request != want.Request && rec.Request != last.Renew && renewShown(rec, info.ID, info.DateEnd) {
		// The previous request is done, though the spec moved on before a
		// pass saw it: status says so before the next one goes.
		last.Renew = rec.Request
		p.r.Events.normal(pi, "Renewed", "Renew", fmt.Sprintf("renewal %q: Gandi shows the subscription ending %s", rec.Request, info.DateEnd.UTC().Format(time.RFC3339)))
	}
	baseline := pi.GetAnnotations()[baselineKey(effectRenew)]
	switch decideRenew(want, last.Renew, baseline, rec, info.ID, accepted(pi, effectRenew), info.State, info.DateEnd, now, p.r.Timing.CreateGrace) {
	case renewNothing:
	case renewAskedBefore:
		// Nothing to do, and nothing the user must fix: Synced stays True
		// and says why no renewal goes out.
		p.notes = append(p.notes, fmt.Sprintf(
			"renewal %q was asked before (a request value renews at most once, as a renewal is paid): it is not sent again; set a new spec.renew.request to renew again",
			want.Request))
	case renewElsewhere:
		p.notes = append(p.notes, fmt.Sprintf(
			"renewal %q was sent for instance %d, not this one (%d): it is neither taken as done here nor sent again, as it may be paid already; set a new spec.renew.request to renew this one",
			want.Request, rec.Instance, info.ID))
	case renewConfirmed:
		last.Renew = want.Request
		p.r.Events.normal(pi, "Renewed", "Renew", fmt.Sprintf("renewal %q: Gandi shows the subscription ending %s", want.Request, info.DateEnd.UTC().Format(time.RFC3339)))
	case renewWaiting:
		p.soon = true
		p.problems = append(p.problems, problem{hostingv1alpha1.ReasonUpdating,
			fmt.Sprintf("renewal %q was sent at %s: waiting for Gandi to show the new end date (it is still %s)", want.Request, rec.SentAt.UTC().Format(time.RFC3339), info.DateEnd.UTC().Format(time.RFC3339))})
	case renewAccepted:
		// Polled at the transitional interval during the grace, then at
		// the poll interval: operations that never finish are Gandi's to
		// report, and the renewal is paid for either way.
		p.soon = now.Sub(rec.SentAt) < p.r.Timing.CreateGrace
		p.problems = append(p.problems, problem{hostingv1alpha1.ReasonUpdating,
			fmt.Sprintf("Gandi accepted renewal %q at %s and its operations have not moved the end date yet (it is still %s); it is not sent again", want.Request, rec.SentAt.UTC().Format(time.RFC3339), info.DateEnd.UTC().Format(time.RFC3339))})
	case renewUnconfirmed:
		p.problems = append(p.problems, problem{hostingv1alpha1.ReasonActionUnconfirmed, fmt.Sprintf(
			"renewal %q was recorded before sending at %s and Gandi's acceptance was never seen (a lost answer or a crash); the end date has not moved (it is still %s), so it may not have happened, and it is not sent again, as it may be paid already: set a new spec.renew.request to ask again (if the end date moves meanwhile, the renewal is recorded as done)",
			want.Request, rec.SentAt.UTC().Format(time.RFC3339), info.DateEnd.UTC().Format(time.RFC3339))})
	case renewHeld:
		p.soon = now.Sub(rec.SentAt) < p.r.Timing.CreateGrace
		p.problems = append(p.problems, problem{hostingv1alpha1.ReasonUpdating, fmt.Sprintf(
			"renewal %q waits for renewal %q, sent at %s, to move the end date (it is still %s): it is sent once Gandi shows that one done, so that each is confirmed by its own move",
			want.Request, rec.Request, rec.SentAt.UTC().Format(time.RFC3339), info.DateEnd.UTC().Format(time.RFC3339))})
	case renewNotNow:
		p.problems = append(p.problems, problem{hostingv1alpha1.ReasonUpdating,
			fmt.Sprintf("renewal %q waits for the instance to be running, paused or locked (it is %s)", want.Request, info.State)})
	case renewSend:
		return p.sendRenew(ctx, want, rec.next(want.Request, info.ID, info.DateEnd, now, baseline), info)
	}
	return nil
}

func (p *paasPass) sendRenew(ctx context.Context, want *hostingv1alpha1.PaaSRenewRequest, next renewRecord, info *paas.PaasReturn) *result {
	record, err := json.Marshal(next)
	if err != nil {
		return halt(retry(fmt.Errorf("encode the renewal record: %w", err)))
	}
	outcome, err := sendOnce(ctx, p.r.Client, p.pi, effectRenew, string(record), func(ctx context.Context) error {
		_, err := p.api.Renew(ctx, info.ID, paas.RenewOptions{Duration: want.Duration, Fixed: want.Fixed})
		return err
	})
	if err != nil && outcome != effectUnconfirmed {
		return p.r.refused(p.pi, "renew PaaS instance "+strconv.Itoa(info.ID)+" ("+want.Request+")", err)
	}
	if outcome == effectSent {
		// Paid: that Gandi took it must outlive its slow operations.
		if err := confirmAccepted(ctx, p.r.Client, p.pi, effectRenew, string(record)); err != nil {
			return halt(retry(err))
		}
	}
	// Sent, or maybe sent: either way it is done only once Gandi shows the
	// end date moved (a later pass, through decideRenew).
	p.soon = true
	if err != nil {
		p.r.Events.warn(p.pi, classify(err).reason, "Renew", "renewal "+want.Request+": "+err.Error()+"; the end date tells whether it happened")
	} else {
		p.r.Events.normal(p.pi, "RenewSent", "Renew", "asked Gandi to renew for "+want.Duration+" (request "+want.Request+")")
	}
	msg := "renewal " + strconv.Quote(want.Request) + " sent, its answer lost: waiting for Gandi to show the new end date"
	if err == nil {
		msg = "Gandi accepted renewal " + strconv.Quote(want.Request) + ": waiting for its operations to move the end date"
	}
	p.problems = append(p.problems, problem{hostingv1alpha1.ReasonUpdating, msg})
	return nil
}
