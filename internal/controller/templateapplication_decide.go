package controller

import (
	"slices"
	"strings"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// The decisions of a TemplateApplication pass, apart from the I/O that
// feeds them, so that each can be read (and tested) as a table.

// stepKind is what a pass does about the last apply.
type stepKind int

const (
	// stepSend: send an apply now.
	stepSend stepKind = iota
	// stepFollow: read the dispatch of the last apply, which is not known
	// to be over.
	stepFollow
	// stepWait: the last apply may still be in flight at Gandi; send
	// nothing, look again.
	stepWait
	// stepConfirm: the domain shows an unanswered or lost apply done.
	stepConfirm
	// stepGiveUp: a lost apply that Gandi neither confirms nor contradicts
	// now that a dispatch would have run; it becomes unconfirmed.
	stepGiveUp
	// stepRecordLoss: the grace since the last apply was recorded is over
	// and nothing records when it was lost (lossUnrecorded): now is
	// recorded as its loss (applyRecord.LostAt) and the grace waited from
	// it, before anything is sent again.
	stepRecordLoss
	// stepSettled: nothing to send; report the last apply's outcome.
	stepSettled
)

// step is a pass's decision: what to do, why (for messages), and for
// stepWait and stepRecordLoss how long the last apply may still be in
// flight.
type step struct {
	kind stepKind
	why  string
	wait time.Duration
	// resend: the apply settles a lost one (applyRecord.Resent).
	resend bool
}

// applyInput is everything nextStep decides from.
type applyInput struct {
	rec      applyRecord
	recorded bool
	// payloadHash, specDigest and generation are what is to be applied
	// now (generation only for records without a digest), and templateID
	// and domainID where it comes from and goes.
	payloadHash          string
	specDigest           string
	generation           int64
	templateID, domainID string
	// interval is spec.reapply.interval for policy Interval, else 0.
	interval time.Duration
	// grace is how long after an apply was lost sight of its dispatch may
	// still be on its way. The template doc gives no duration for a
	// dispatch, so this is Timing.CreateGrace, the operator's bound on how
	// late Gandi may show what a POST with a lost answer did.
	grace time.Duration
	now   time.Time
	// dispatchOver: the status holds the final state of rec's dispatch.
	dispatchOver bool
	// evidence is what the domain shows of the template, for an apply
	// without a dispatch to follow.
	evidence evidence
}

// nextStep says whether an apply is due and what else the pass does.
//
// A record of an apply to another target (another template or domain: the
// record was copied with the object, or the spec changed) is no apply of
// this target: one is due at once. A dispatch or a lost answer of it
// cannot repeat anything here.
//
// An apply whose dispatch is known is followed until it is over; the next
// one is due when what is applied changes (the template's payload, this
// spec) or the reapply interval passes.
//
// An apply without a dispatch to follow may have reached Gandi, and the
// template API offers no way to find its dispatch: a dispatch can only be
// read by the ID the lost answer carried, never listed. So it is resolved
// from the domain, the only other thing Gandi shows of it (see
// domainEvidence):
//   - the domain shows every namespace of the template as it sets them:
//     the apply is done (stepConfirm), at any time;
//   - otherwise nothing is sent while a dispatch of it may still be on its
//     way: the grace, counted as a create's (lossGrace) from when its
//     answer was lost, not from the record written before the POST, which
//     may have waited for the request budget and then the client's
//     timeout. One never answered (the pass that sent it stopped) may have
//     reached Gandi as late as that: the first pass that finds it a grace
//     after its record records its loss, and waits the grace from it;
//   - after the grace, a domain that contradicts the template means the
//     apply did not happen (or did not take): it is sent again. So is one
//     whose sending is unknown (the record has no answer: the pass stopped
//     between the record and the answer) and that Gandi shows nothing of:
//     it may never have left, and a recorded apply must end in one that
//     was sent. The price is a second dispatch when the pass stopped after
//     the request left, which only a domain showing the template rules out;
//   - one Gandi accepted (202) whose dispatch cannot be followed is never
//     sent again: it ends unconfirmed unless the domain shows it;
//   - a lost one (the request was written, but a connection reset before
//     Gandi acted looks the same) that Gandi neither confirms nor
//     contradicts is sent once more: an apply that may never have happened
//     must not be left so, and a second dispatch that fails (a web
//     redirection without override on the record the first one created)
//     says so in DispatchFailed. If that one's answer is lost too, it
//     becomes unconfirmed (Ready=False), and is applied again only when
//     what is applied changes or the interval says so.
func nextStep(in applyInput) step {
	if !in.recorded {
		return step{kind: stepSend, why: "first application"}
	}
	rec := in.rec
	if why := rec.otherTarget(in.templateID, in.domainID); why != "" {
		return step{kind: stepSend, why: why}
	}
	switch rec.Outcome {
	case outcomeDispatched:
		if !in.dispatchOver {
			return step{kind: stepFollow}
		}
	case outcomeUnanswered, outcomeLost, outcomeAccepted:
		if st, decided := unsettledStep(in); decided {
			return st
		}
	}
	if why := changed(in); why != "" {
		return step{kind: stepSend, why: why}
	}
	return step{kind: stepSettled}
}

// unsettledStep is nextStep for a record whose apply Gandi has not been
// seen to finish (unanswered, lost, or accepted with no dispatch to
// follow); decided is false when what is applied changed since, or the
// record was written over, and the apply is judged as a settled one.
func unsettledStep(in applyInput) (st step, decided bool) {
	rec := in.rec
	same := rec.PayloadHash == in.payloadHash && rec.specUnchanged(in.specDigest, in.generation)
	if same && rec.shownBy(in.payloadHash, in.evidence) {
		return step{kind: stepConfirm}, true
	}
	switch state, left := rec.lossState(in.now, in.grace); state {
	case lossInGrace:
		return step{kind: stepWait, wait: left}, true
	case lossUnrecorded:
		return step{kind: stepRecordLoss, wait: in.grace}, true
	}
	if !same || rec.Superseded {
		return step{}, false
	}
	if rec.Outcome == outcomeAccepted {
		// Gandi has it: a second dispatch would be a second apply
		// (and one that a first dispatch's records can make fail).
		if why := intervalDue(in); why != "" {
			return step{kind: stepSend, why: why}, true
		}
		return step{kind: stepGiveUp}, true
	}
	at := rec.At.UTC().Format(time.RFC3339)
	switch {
	case in.evidence.verdict == verdictContradicted:
		return step{kind: stepSend, why: "Gandi shows no sign of the apply recorded at " + at + " (" + in.evidence.contradiction() + ")"}, true
	case rec.Outcome == outcomeUnanswered:
		return step{kind: stepSend, why: "the apply recorded at " + at + " was never answered and Gandi shows nothing of it"}, true
	}
	if why := intervalDue(in); why != "" {
		return step{kind: stepSend, why: why}, true
	}
	if !rec.Resent {
		return step{kind: stepSend, resend: true, why: "the answer to the apply recorded at " + at + " was lost and Gandi shows nothing of it: sent once more"}, true
	}
	return step{kind: stepGiveUp}, true
}

// changed says why what is applied differs from the last apply, or that
// the reapply interval has passed; "" when neither.
func changed(in applyInput) string {
	switch {
	case in.rec.At.IsZero():
		return "the record of the last apply is unreadable"
	case in.rec.Superseded:
		return "another TemplateApplication wrote over the last apply while this one was held back"
	case in.rec.PayloadHash != in.payloadHash:
		return "the template's payload changed"
	case !in.rec.specUnchanged(in.specDigest, in.generation):
		return "the spec changed"
	}
	return intervalDue(in)
}

func intervalDue(in applyInput) string {
	if in.interval > 0 && !in.now.Before(in.rec.At.Add(in.interval)) {
		return "spec.reapply.interval elapsed"
	}
	return ""
}

// sendResult is what the answer to an apply's POST means.
type sendResult int

const (
	// sentDispatched: accepted, with the dispatch to follow.
	sentDispatched sendResult = iota
	// notSent: Gandi certainly did not act (a refusal, Gandi's own error
	// body with a 5xx, a refused connection, a request held back): the
	// apply is sent again.
	notSent
	// sentNoDispatch: accepted (202), but the answer named no dispatch.
	sentNoDispatch
	// sentLost: the request may have reached Gandi and its answer is lost
	// (a reset, a timeout, a proxy's error page, an answer cut short).
	sentLost
)

// meaningOf reads the answer to an apply. It agrees with sendOnce, which
// takes the record back exactly when gandi.NotApplied says so.
func meaningOf(out *gandi.ApplyResult, err error) sendResult {
	switch {
	case err == nil && out != nil && out.DispatchID != "":
		return sentDispatched
	case gandi.NotApplied(err):
		return notSent
	case out != nil:
		return sentNoDispatch
	}
	return sentLost
}

// readiness is the Ready condition's status and reason for an apply that
// is not being sent in this pass. Ready is True only when Gandi showed the
// apply done: its dispatch over with no task in error, or, for one whose
// dispatch cannot be followed, the domain with every namespace of the
// template as it sets them. What was sent never makes it Ready.
func readiness(rec applyRecord, s stepKind, ds *hostingv1alpha1.DispatchStatus) (bool, string) {
	switch {
	case s == stepWait || s == stepFollow:
		return false, hostingv1alpha1.ReasonApplying
	case rec.Outcome == outcomeConfirmed:
		return true, hostingv1alpha1.ReasonConfirmedOnDomain
	case rec.Outcome == outcomeDispatched && ds != nil && ds.ID == rec.DispatchID:
		switch ds.State {
		case hostingv1alpha1.DispatchDone:
			return true, hostingv1alpha1.ReasonAvailable
		case hostingv1alpha1.DispatchError:
			return false, hostingv1alpha1.ReasonDispatchFailed
		}
		return false, hostingv1alpha1.ReasonApplying
	case rec.Outcome == outcomeDispatched:
		return false, hostingv1alpha1.ReasonApplying
	}
	return false, hostingv1alpha1.ReasonAppliedUnconfirmed
}

// verdict is what the domain says of a template's apply.
type verdict int

const (
	// verdictUnknown: nothing visible contradicts the template, but not
	// every namespace can be seen.
	verdictUnknown verdict = iota
	// verdictShown: every namespace is visible and as the template sets it.
	verdictShown
	// verdictContradicted: a visible namespace differs from the template.
	verdictContradicted
)

// evidence is the domain's state, namespace by namespace.
type evidence struct {
	verdict verdict
	// shown, differs and unseen list namespaces; differs carries what the
	// domain has instead.
	shown, unseen []string
	differs       []string
}

func (e evidence) contradiction() string {
	return strings.Join(e.differs, "; ")
}

// domainEvidence compares the domain with what the template sets. The
// template doc gives no way to read a domain's records, mailboxes or
// redirections, and the domain route the operator uses (outside the two
// reference docs) answers only the nameservers; so only domain:nameservers
// can be seen, and only when the domain is given by name (the domain route
// takes an FQDN, not an ID). Even then "livedns" can only be contradicted,
// never confirmed: the docs do not name LiveDNS's nameservers, and Gandi's
// other DNS service also answers under gandi.net.
func domainEvidence(p gandi.TemplatePayload, d *gandi.Domain) evidence {
	var e evidence
	for _, ns := range p.Namespaces() {
		if ns != gandi.NamespaceNameservers || d == nil || len(d.Nameservers) == 0 {
			e.unseen = append(e.unseen, ns)
			continue
		}
		have := normalizedHosts(d.Nameservers)
		switch want := p.Nameservers; {
		case want.Service == "custom" && slices.Equal(have, normalizedHosts(want.Addresses)):
			e.shown = append(e.shown, ns)
		case want.Service == "custom":
			e.differs = append(e.differs, "the domain's nameservers are "+strings.Join(have, ", ")+", not "+strings.Join(normalizedHosts(want.Addresses), ", "))
		case !slices.ContainsFunc(have, func(h string) bool { return !strings.HasSuffix(h, ".gandi.net") }):
			e.unseen = append(e.unseen, ns)
		default:
			e.differs = append(e.differs, "the domain's nameservers are "+strings.Join(have, ", ")+", not Gandi's LiveDNS")
		}
	}
	switch {
	case len(e.differs) > 0:
		e.verdict = verdictContradicted
	case len(e.unseen) == 0 && len(e.shown) > 0:
		e.verdict = verdictShown
	default:
		e.verdict = verdictUnknown
	}
	return e
}

// normalizedHosts is a set of host names in one spelling.
func normalizedHosts(hosts []string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), ".")))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
