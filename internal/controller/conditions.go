package controller

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// result is what one reconcile pass concluded, in one of three shapes: a
// stall or a wait comes back after requeue (a stall at the poll interval,
// waiting for a spec change or for Gandi), a transient failure carries err
// and controller-runtime retries it with backoff.
type result struct {
	requeue time.Duration
	// err is a transient failure: controller-runtime retries with backoff.
	err error
	// observed says this pass read the object at Gandi, so its status
	// describes the current generation (observedGeneration moves only then).
	observed bool
	// sent says this pass wrote a change to Gandi (reportSynced): what it
	// read came from before the write, so its status describes no
	// generation yet, whatever observed says.
	sent bool
	// judged says this pass found, from the cluster alone, that another
	// object manages what this one names (ownedByAnother): it read nothing
	// at Gandi, so observedGeneration stays, but a reconcile requested of
	// it was handled: judging that report again is what was asked.
	judged bool
	// stall is the report of a pass that stopped on a state only a person
	// can change (stalling): runPass shows it on the Stalled condition, and
	// removes that condition after a pass without one.
	stall *stall
}

// stall is the reason and message a stalled pass reports (stallsOn).
type stall struct{ reason, message string }

// stalling is r, the answer of a pass that stops on reason (message
// saying why): stalled when only a person can change that (stallsOn),
// not stalled otherwise, whatever an earlier step of the pass said.
func (r result) stalling(reason, message string) result {
	r.stall = nil
	if stallsOn(reason) {
		r.stall = &stall{reason: reason, message: message}
	}
	return r
}

// stallsOn is the one rule for the Stalled condition: whether a pass
// that stops on reason (stopped, failed without a retry, a refusal) waits
// for a person. Those states do not change by themselves: the spec, a
// Secret, the Gandi account or another object must. kstatus reads
// Stalled=True as Failed, so Flux, Helm's --wait and kpt report the reason
// at once instead of waiting out their timeout for an object that cannot
// converge. Every other stop resolves without anyone (a rate limit,
// Gandi's 5xx, a state Gandi leaves by itself, an answer Gandi may give
// right next time, a Kubernetes conflict) and is left to Ready=False,
// which kstatus reads as in progress. A pause (ReconcilePaused) is the
// user's choice, not a fault, and never stalls: kstatus would report it
// Failed.
func stallsOn(reason string) bool {
	switch reason {
	case
		// The spec, or what it names, must change.
		hostingv1alpha1.ReasonInvalidSpec, hostingv1alpha1.ReasonCreateRefused,
		hostingv1alpha1.ReasonCreateKeyChanged, hostingv1alpha1.ReasonNotEditable,
		hostingv1alpha1.ReasonTemplateNotFound, hostingv1alpha1.ReasonDomainNotFound,
		hostingv1alpha1.ReasonConnectionSecretConflict,
		// Credentials: a Secret or the token's rights must change.
		hostingv1alpha1.ReasonCredentialsNotFound, hostingv1alpha1.ReasonCredentialsKeyMissing,
		hostingv1alpha1.ReasonCredentialsInvalid, hostingv1alpha1.ReasonAPIKeyRequired,
		hostingv1alpha1.ReasonUnauthorized, hostingv1alpha1.ReasonPasswordNotFound,
		hostingv1alpha1.ReasonPasswordInvalid,
		// Ownership: a person says what this object manages.
		hostingv1alpha1.ReasonAlreadyExists, hostingv1alpha1.ReasonAmbiguousExternalObject,
		hostingv1alpha1.ReasonExternalNotFound, hostingv1alpha1.ReasonCredentialsChanged,
		hostingv1alpha1.ReasonOwnedByAnotherObject,
		// The legacy API refusing for want of credit: someone pays.
		hostingv1alpha1.ReasonWaitingForPayment:
		return true
	}
	return false
}

// reportStalled shows on the Stalled condition whether the pass res
// answers stalled (result.stall): True with its reason and message, as
// Ready and Synced report them; removed, not kept False, once a pass is
// not stalled, so that a condition that never stood adds nothing to the
// status, and a steady state writes nothing.
func reportStalled(obj managed, res result) {
	if res.stall == nil {
		meta.RemoveStatusCondition(obj.GetConditions(), hostingv1alpha1.ConditionStalled)
		return
	}
	setCondition(obj, hostingv1alpha1.ConditionStalled, true, res.stall.reason, res.stall.message)
}

// describesGeneration reports a pass whose status says what Gandi shows
// for the object's current generation: it read the object, and wrote
// nothing to it since. Only then do observedGeneration and
// lastHandledReconcileAt move (runPass).
func (r result) describesGeneration() bool { return r.observed && !r.sent }

// answersRequest reports a pass that handled a requested reconcile
// (lastHandledReconcileAt moves): one that describes the generation, or
// one that judged the object another's to manage. Without the latter, a
// request asking to have that report judged again, when the report
// stands, was never answered, and `kubectl gandi reconcile` could only
// wait out its timeout.
func (r result) answersRequest() bool { return r.describesGeneration() || r.judged }

// waitFor is "look again after d".
func waitFor(d time.Duration) result { return result{requeue: d} }

// retry is "try again with backoff".
func retry(err error) result { return result{err: err} }

// halt is r as the answer of a step that stops the pass (a nil *result
// lets the pass go on).
func halt(r result) *result { return &r }

// setCondition sets one condition for obj's generation. The transition
// time only moves when the status does, so a steady state writes nothing.
func setCondition(obj managed, condType string, ok bool, reason, message string) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(obj.GetConditions(), metav1.Condition{
		Type: condType, Status: status, Reason: reason, Message: truncate(message, 1024), ObservedGeneration: obj.GetGeneration(),
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// stopped reports, on both Ready and Synced, a state only a person can
// resolve (AlreadyExists, AmbiguousExternalObject, ExternalNotFound…), and
// looks again at the next poll rather than in a hot loop. The pass is
// stalled by stallsOn's rule.
func stopped(obj managed, t Timing, reason, message string) *result {
	setCondition(obj, hostingv1alpha1.ConditionReady, false, reason, message)
	setCondition(obj, hostingv1alpha1.ConditionSynced, false, reason, message)
	return halt(waitFor(jittered(t.Poll)).stalling(reason, message))
}

// concluded is stopped for a state the pass reached from what Gandi showed
// it (a lookup, a GET, a refused create): the status it writes is the
// answer to the current generation and to any reconcile requested, so it
// counts as observed. Otherwise observedGeneration and
// lastHandledReconcileAt never move while the state stands, and tools that
// wait for them (kstatus, Flux, `kubectl gandi reconcile`) see the object
// in progress forever instead of the report a person must act on. A stop
// before anything was read at Gandi (paused, credentials missing) is
// stopped, not concluded; another object managing it is ownedByAnother.
func concluded(obj managed, t Timing, reason, message string) *result {
	res := stopped(obj, t, reason, message)
	res.observed = true
	return res
}

// ownedByAnother is stopped for an object another cluster object
// manages the Gandi object of (OwnedByAnotherObject): it sends nothing
// and read nothing at Gandi, so its generation is not observed, but the
// pass has judged it, which answers a requested reconcile.
func ownedByAnother(obj managed, t Timing, message string) *result {
	res := stopped(obj, t, hostingv1alpha1.ReasonOwnedByAnotherObject, message)
	res.judged = true
	return res
}

// failure is how an error is reported: the Synced reason, and whether
// trying again soon may help.
type failure struct {
	reason     string
	transient  bool
	retryAfter time.Duration
	// blind: the object cannot be observed at all, so Ready cannot stay
	// what an earlier pass saw (credentials missing or refused).
	blind bool
}

// classify maps an error to a condition reason. Terminal errors (bad
// credentials, refused input, conflicts, answers that make no sense) wait
// for the next spec change or poll; transient ones (rate limits, 5xx,
// timeouts, Kubernetes conflicts) are retried with backoff.
func classify(err error) failure {
	if f, ok := classifyPaaS(err); ok {
		return f
	}
	var credErr *CredentialsError
	var specErr *specError
	switch {
	case errors.As(err, &credErr):
		return failure{reason: credErr.Reason, blind: credErr.Reason != hostingv1alpha1.ReasonPasswordNotFound}
	case errors.As(err, &specErr):
		return failure{reason: cmp.Or(specErr.reason, hostingv1alpha1.ReasonInvalidSpec)}
	case gandi.IsUnauthorized(err), gandi.IsForbidden(err):
		return failure{reason: hostingv1alpha1.ReasonUnauthorized, blind: true}
	case errors.Is(err, gandi.ErrSendWindowPassed):
		// Recorded, then dropped by the pacer as too late after its
		// record: no fault of Gandi's or of the operator's, and the
		// request is sent again once its record is settled.
		return failure{reason: hostingv1alpha1.ReasonSendWindowPassed, transient: true}
	case gandi.IsRateLimited(err):
		return failure{reason: hostingv1alpha1.ReasonRateLimited, transient: true, retryAfter: gandi.RetryAfter(err)}
	case errors.Is(err, gandi.ErrNoID), errors.Is(err, gandi.ErrUndecodable):
		return failure{reason: hostingv1alpha1.ReasonUnexpectedAnswer}
	case gandi.IsTransient(err):
		return failure{reason: hostingv1alpha1.ReasonGandiUnavailable, transient: true, retryAfter: gandi.RetryAfter(err)}
	case gandi.IsNotFound(err):
		return failure{reason: hostingv1alpha1.ReasonExternalNotFound}
	case gandi.IsAlreadyExists(err):
		// A create refused because Gandi has the key (a vhost's 422, a
		// template's 409): what the user must act on is the name taken,
		// not the request's content or a state.
		return failure{reason: hostingv1alpha1.ReasonAlreadyExists}
	case gandi.IsConflict(err):
		return failure{reason: hostingv1alpha1.ReasonConflict}
	case gandi.IsInvalid(err):
		return failure{reason: hostingv1alpha1.ReasonInvalidSpec}
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		// The API server refused a name or value taken from the spec
		// (a Secret name such as UPPER_case): only a spec change helps.
		return failure{reason: hostingv1alpha1.ReasonInvalidSpec}
	case errors.Is(err, context.Canceled):
		return failure{reason: hostingv1alpha1.ReasonKubernetesError, transient: true}
	}
	var apiErr *gandi.APIError
	if errors.As(err, &apiErr) {
		return failure{reason: hostingv1alpha1.ReasonInvalidSpec}
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return failure{reason: hostingv1alpha1.ReasonKubernetesError, transient: true}
	}
	return failure{reason: hostingv1alpha1.ReasonInternalError, transient: true}
}

// failed reports err on the Synced condition (and on Ready when the object
// cannot be observed at all) and says when to try again. A failure not
// retried by itself stalls the pass by stallsOn's rule.
func failed(obj managed, t Timing, action string, err error) result {
	f := classify(err)
	msg := fmt.Sprintf("%s: %v", action, err)
	if f.reason == hostingv1alpha1.ReasonUnauthorized {
		msg += " (check the token and its rights on the organization)"
	}
	setCondition(obj, hostingv1alpha1.ConditionSynced, false, f.reason, msg)
	if f.blind {
		setCondition(obj, hostingv1alpha1.ConditionReady, false, f.reason, "the object cannot be observed at Gandi: "+msg)
	}
	switch {
	case !f.transient:
		return waitFor(jittered(t.Poll)).stalling(f.reason, msg)
	case f.retryAfter > 0:
		return waitFor(f.retryAfter)
	default:
		return retry(fmt.Errorf("%s: %w", action, err))
	}
}

// untilStateChanges folds the requeue Gandi's state asks for into res:
// after wait while the state is about to change (wait > 0, see
// Base.recheckIn), at the poll interval otherwise (wait 0), unless the
// pass asked for sooner or failed (its retry wins).
func untilStateChanges(t Timing, wait time.Duration, res result) result {
	if res.err != nil {
		return res
	}
	next := jittered(t.Poll)
	if wait > 0 {
		next = wait
	}
	if res.requeue == 0 || next < res.requeue {
		res.requeue = next
	}
	return res
}

// recheck is how long to wait before reading again something Gandi has
// been doing since since (zero: just begun): Transitional at first, then
// a tenth of the time it has taken so far, never more than Poll. A create
// or a resize takes Gandi minutes, but an unpaid instance (waiting_bill)
// or a change Gandi accepted and never applies can wait for days; read
// every few seconds, each would spend the shared request budget, in which
// such objects come first, for nothing. The wait adds at most a tenth to
// the time it takes to see the change.
func (t Timing) recheck(since, now time.Time) time.Duration {
	d := t.Transitional
	if !since.IsZero() && now.After(since) {
		d = max(d, now.Sub(since)/10)
	}
	return min(d, max(t.Poll, t.Transitional))
}

// minPositive is the shorter of two requeues, 0 meaning none.
func minPositive(a, b time.Duration) time.Duration {
	if a <= 0 || (b > 0 && b < a) {
		return b
	}
	return a
}

// waitingSince is when obj's condition condType turned False (what a
// transitional state or a change on its way keeps False), zero when it is
// not False.
func waitingSince(obj managed, condType string) time.Time {
	c := meta.FindStatusCondition(*obj.GetConditions(), condType)
	if c == nil || c.Status != metav1.ConditionFalse {
		return time.Time{}
	}
	return c.LastTransitionTime.Time
}

// syncedVerdict is the Synced condition of a pass that compared the spec
// of a what (instance, vhost) with what Gandi showed: the differences
// Gandi cannot apply (problems) first; then the fields the pass sent,
// which are not UpToDate yet: the pass read the object before writing, so
// only a later read shows whether Gandi applied them; UpToDate only when
// there is neither.
func syncedVerdict(what string, sent []string, problems []problem) (ok bool, reason, message string) {
	// A change on its way (Updating) or held (PaidChangeHeld) says least:
	// any other problem names Synced.
	problems = slices.Clone(problems)
	slices.SortStableFunc(problems, func(a, b problem) int { return waitingLast(a) - waitingLast(b) })
	msgs := make([]string, 0, len(problems)+1)
	for _, p := range problems {
		msgs = append(msgs, p.message)
	}
	if len(sent) > 0 {
		msgs = append(msgs, "sent "+strings.Join(sent, ", ")+" to Gandi; waiting for Gandi to show the "+what+" as the spec asks")
	}
	switch {
	case len(problems) > 0:
		return false, problems[0].reason, strings.Join(msgs, "; ")
	case len(sent) > 0:
		return false, hostingv1alpha1.ReasonUpdating, msgs[0]
	}
	return true, hostingv1alpha1.ReasonUpToDate, "the " + what + " matches the spec"
}

// reportSynced sets Synced by syncedVerdict, and marks a pass that sent
// fields (res.sent): it does not move observedGeneration, so tools that
// wait for observedGeneration and Ready (kstatus, Flux) wait for the next
// pass, which reads the object afresh (freshWanted) and reports what
// Gandi shows. Ready stays what this pass read: whether the site serves
// is not changed by having sent a change, only by what Gandi then shows.
func reportSynced(obj managed, what string, sent []string, problems []problem, res result) result {
	ok, reason, msg := syncedVerdict(what, sent, problems)
	setCondition(obj, hostingv1alpha1.ConditionSynced, ok, reason, msg)
	res.sent = res.sent || len(sent) > 0
	return res
}

// noteSynced adds note to a Synced True: what matches the spec though
// Gandi shows it otherwise (a boost delivered and ended), or what the
// spec asks that is not sent, rightly (a renewal asked before).
func noteSynced(obj managed, note string) {
	if c := meta.FindStatusCondition(*obj.GetConditions(), hostingv1alpha1.ConditionSynced); note != "" && c != nil && c.Status == metav1.ConditionTrue {
		setCondition(obj, hostingv1alpha1.ConditionSynced, true, c.Reason, c.Message+"; "+note)
	}
}

// reportHeld is reportSynced for a pass that found the object in a state
// Gandi takes no changes in (an instance locked, paused or being created,
// a vhost not running): it sends nothing, but it compared the spec with
// what Gandi shows, so Synced says so, for this generation. The fields it
// would send are reported waiting for the state (WaitingForState), after
// any problem that needs the user; UpToDate only when nothing differs.
// Leaving Synced as an earlier pass set it kept UpToDate, for a spec never
// compared, with observedGeneration already moved on.
func reportHeld(obj managed, what, state string, fields []string, problems []problem, res result) result {
	if len(fields) > 0 {
		problems = append(slices.Clone(problems), problem{hostingv1alpha1.ReasonWaitingForState, fmt.Sprintf(
			"Gandi takes no changes to the %s while it is %s; not sent until it leaves that state: %s", what, state, strings.Join(fields, ", "))})
	}
	return reportSynced(obj, what, nil, problems, res)
}
