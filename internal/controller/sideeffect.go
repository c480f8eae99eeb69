package controller

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	clientretry "k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// effectAnnotationPrefix names the annotations that record side effects at
// Gandi: effects.hosting.gandi-operator.dev/<effect> holds the request value
// (an action's request string, a password Secret's revision, an apply's
// generation) last sent for that effect.
//
// The record is an annotation, not status, for two reasons. It is written
// with an optimistic lock before the request goes out, so a reconciler
// holding a stale copy of the object (a lagging cache, a second manager
// during a leader handover) loses the race and looks again instead of
// sending twice. And annotations survive a backup and restore, which
// status does not: a restored object does not repeat what it already did.
const effectAnnotationPrefix = "effects.hosting.gandi-operator.dev/"

// Side effects recorded before they are sent.
const (
	effectPassword              = "password"
	effectRestart               = "restart"
	effectConsole               = "console"
	effectResetDatabasePassword = "reset-database-password"
	effectCachePurge            = "cache-purge"
	effectApply                 = "apply"
	// effectPaidChange records the paid fields of a HostingInstance's
	// PATCH or of a PaaSInstance's paas.update (paidchange.go).
	effectPaidChange = "paid-change"
	// effectDNSOverride records a Vhost's linked_dns_zone override sent
	// for a conflict Gandi reports (vhost_override.go).
	effectDNSOverride = "dns-override"
	// effectBooster records the turn of spec.booster: "off", or
	// "delivered" once the boost its turn-on asked for ran at Gandi, so
	// that it is not bought again (hostinginstance_booster.go).
	effectBooster = "booster"
)

// recordedEffect is the value last sent (or possibly sent) for effect.
func recordedEffect(obj client.Object, effect string) string {
	return obj.GetAnnotations()[effectAnnotationPrefix+effect]
}

// effectRecord is the record of one side effect, as an annotation change
// that can be written on its own or with another (a create intent).
func effectRecord(effect, value string) map[string]string {
	return map[string]string{effectAnnotationPrefix + effect: value}
}

// effectOutcome is what sendOnce did.
type effectOutcome int

const (
	// effectAlreadyDone: the value was recorded before; nothing was sent.
	effectAlreadyDone effectOutcome = iota
	// effectSent: Gandi accepted the request.
	effectSent
	// effectNotSent: Gandi certainly did not act; the record was taken
	// back, so a later pass sends it again.
	effectNotSent
	// effectUnconfirmed: the request may have reached Gandi and its answer
	// was lost. The record stays: the effect is not sent again blindly.
	effectUnconfirmed
)

// sendOnce performs send at most once for value of effect. It records the
// value (with an optimistic lock) before sending, and takes the record back
// only when Gandi certainly did not act (gandi.NotApplied). The error is
// send's, or the record's: a conflict means another pass recorded first.
//
// send gets the context its requests to Gandi must be made with: one the
// clients never resend on their own (gandi.WithoutResend). The record only
// stops this operator from sending the value again; a client that resent
// a request whose answer was lost would repeat the effect behind it (a
// PATCH of a password is idempotent for HTTP, not for the user, who is
// promised one change per value). Handing that context to send, rather
// than leaving each caller to wrap its own, is what keeps an effect added
// later from forgetting it.
func sendOnce(ctx context.Context, c client.Client, obj client.Object, effect, value string, send func(context.Context) error) (effectOutcome, error) {
	return sendOnceWith(ctx, c, obj, effect, value, annotationPatch{}, send)
}

// sendOnceWith is sendOnce writing also's annotations (also.set), labels
// and finalizer in the record's write; taking the record back restores
// those annotations too. The labels stay: they only help find the record.
// So does the finalizer: with no answered effect to wait for, deleting
// the object lets it go at once. The write also ends the effect's
// baseline (baselineSuffix), which taking the record back restores.
func sendOnceWith(ctx context.Context, c client.Client, obj client.Object, effect, value string, also annotationPatch, send func(context.Context) error) (effectOutcome, error) {
	w := newEffectWrite(obj, effect, value, also)
	if w.previous == value {
		return effectAlreadyDone, nil
	}
	if err := w.write(ctx, c, obj); err != nil {
		return effectNotSent, err
	}
	err := send(gandi.WithoutResend(ctx))
	switch {
	case err == nil:
		return effectSent, nil
	case gandi.NotApplied(err):
		if uerr := w.takeBack(ctx, c, obj, false); uerr != nil {
			return effectNotSent, fmt.Errorf("%w; and taking back its record failed: %w", err, uerr)
		}
		return effectNotSent, err
	default:
		return effectUnconfirmed, err
	}
}

// effectWrite is the record sendOnceWith writes before an effect's
// request, and what takes it back, for a caller that writes it at another
// moment (an apply records once its request's turn has come).
type effectWrite struct {
	effect, value string
	// previous is the value recorded before.
	previous string
	record   annotationPatch
	// restore is what the record's write changed besides the record.
	restore annotationPatch
}

func newEffectWrite(obj client.Object, effect, value string, also annotationPatch) effectWrite {
	w := effectWrite{effect: effect, value: value, previous: recordedEffect(obj, effect)}
	set := effectRecord(effect, value)
	for k, v := range also.set {
		set[k] = v
		if was, ok := obj.GetAnnotations()[k]; ok {
			w.restore.set = mergeOne(w.restore.set, k, was)
		} else {
			w.restore.remove = append(w.restore.remove, k)
		}
	}
	var remove []string
	if held, ok := obj.GetAnnotations()[baselineKey(effect)]; ok {
		remove = []string{baselineKey(effect)}
		w.restore.set = mergeOne(w.restore.set, baselineKey(effect), held)
	}
	w.record = annotationPatch{set: set, remove: remove, labels: also.labels, finalizer: also.finalizer}
	return w
}

// write records the effect, with an optimistic lock: of two passes racing
// on one object, the one holding a stale copy loses here.
func (w effectWrite) write(ctx context.Context, c client.Client, obj client.Object) error {
	if err := patchAnnotations(ctx, c, obj, w.record); err != nil {
		return fmt.Errorf("record %s %q before sending it: %w", w.effect, w.value, err)
	}
	return nil
}

// takeBack restores the record as it was before write, for an effect
// Gandi certainly did not perform. Unlocked, it is written as every
// outcome is (recordOutcome); locked, only if nothing wrote the object
// since write: for a record another process may have taken for lost and
// replaced with its own by now, which an unlocked write would erase.
func (w effectWrite) takeBack(ctx context.Context, c client.Client, obj client.Object, locked bool) error {
	p := unrecordPatch(w.effect, w.previous, w.restore)
	if locked {
		return patchAnnotations(ctx, c, obj, p)
	}
	return recordOutcome(ctx, c, obj, p)
}

// confirmedSuffix names the annotation beside an effect's record that
// holds the last value Gandi accepted. The record says "sent, or maybe
// sent", which is what stops a repeat; only this says "performed". Being
// an annotation, it survives a restore that loses the status.
const confirmedSuffix = ".confirmed"

func confirmedKey(effect string) string { return effectAnnotationPrefix + effect + confirmedSuffix }

// acceptedRecord records value for effect and confirms it in one write,
// for a value sent inside a create (the first password): the Gandi object
// is this object's only through that create, so whatever it manages was
// made with the value.
func acceptedRecord(effect, value string) map[string]string {
	r := effectRecord(effect, value)
	r[confirmedKey(effect)] = value
	return r
}

// confirmedRotation is the value of a rotation Gandi last accepted: the
// confirmation; on an object recorded by an earlier build, which wrote
// none, the record (rotateOnce).
func confirmedRotation(obj client.Object, effect string) string {
	if v, ok := obj.GetAnnotations()[confirmedKey(effect)]; ok {
		return v
	}
	return recordedEffect(obj, effect)
}

// rotationDecision is what a pass does about the value a rotation wants
// (a password Secret revision, an SSH key list's version).
type rotationDecision int

const (
	// rotationAccepted: the value Gandi accepted, and nothing was recorded
	// as sent after it; nothing to send.
	rotationAccepted rotationDecision = iota
	// rotationUnconfirmed: the value was recorded as maybe sent and its
	// acceptance never seen; it is not sent again (another value is).
	rotationUnconfirmed
	// rotationSameValue: a new value known to hold what Gandi has (a
	// password Secret revision with the same password): the record moves
	// to it, nothing is sent.
	rotationSameValue
	// rotationSend: a value to send once.
	rotationSend
)

// decideRotation decides for the value want, given the value Gandi last
// accepted (confirmed), the one last recorded as sent (recorded), and
// whether want is known to hold what Gandi has at confirmed (same).
//
// A value recorded as maybe sent (recorded != confirmed) leaves Gandi's
// value unknown: Gandi may hold it, its answer lost. The recorded value
// is not sent again; any other is sent, whatever it holds, even the one
// Gandi last accepted (a password Secret revision holding its value, an
// SSH key list set back to it): Gandi replaces the password, and the list
// of key IDs, whole, and this is how the user sets it again. Taken as
// accepted, it would be reported up to date while Gandi may keep the lost
// one. The key strings of a list (ssh_key) Gandi only appends: sending
// the list again removes none of the lost list's, which
// sshKeysDroppedProblem reports instead.
func decideRotation(want, confirmed, recorded string, same bool) rotationDecision {
	switch {
	case want == recorded && recorded == confirmed:
		return rotationAccepted
	case want == recorded:
		return rotationUnconfirmed
	case same && recorded == confirmed:
		return rotationSameValue
	}
	return rotationSend
}

// rotationFor is decideRotation for want of obj's effect, from its records.
func rotationFor(obj client.Object, effect, want string, same bool) rotationDecision {
	return decideRotation(want, confirmedRotation(obj, effect), recordedEffect(obj, effect), same)
}

// rotationProblem reports a rotation recorded as maybe sent whose
// acceptance was never seen: it is not sent again. what names the change
// and its value, fix how to send it again.
func rotationProblem(what, fix string) problem {
	return problem{reason: hostingv1alpha1.ReasonActionUnconfirmed,
		message: what + " may not have happened: it was recorded before sending and Gandi's acceptance was never seen (a lost answer or a crash), so it is not sent again; " + fix}
}

// passwordProblem is rotationProblem for a password Secret revision.
func passwordProblem(revision string) problem {
	return rotationProblem("the password change to password Secret revision "+revision, "change the Secret to set the password again")
}

// baselineSuffix names the annotation beside a one-off request's record
// that holds the value the spec already asked for when this object took
// hold of a Gandi object it did not create (adopted it, or was pointed at
// it by the external-id annotation). That value was asked of another
// object, or of none, and is not performed on this one: a manifest
// re-applied after a cluster is rebuilt still carries its
// spec.resetDatabasePasswordRequest, and adopting the live instance with
// it must not reset the production database's password, nor restart the
// site. A new value asks as always.
//
// The baseline holds back only the value the spec held when the object
// took hold: the write that records another value of the effect
// (sendOnceWith) ends it, so that a -> b -> a asks for a again, as it
// would have without the adoption, rather than being dropped, UpToDate,
// as still held. So every reader (performOnce, a PaaSInstance's requests
// and renewal, a Vhost's cache purge) reads the annotation as it stands.
// A renewal, which is paid, keeps the held value among those it never
// sends (renewRecord.Earlier): the object that asked it may have paid.
const baselineSuffix = ".baseline"

func baselineKey(effect string) string { return effectAnnotationPrefix + effect + baselineSuffix }

// oneOffRequest is a spec field asking for a one-off action on the Gandi
// object, and its value.
type oneOffRequest struct {
	effect, field, value string
	// requestsOf are the request values a record of effect (or its
	// confirmation) names, for a record that holds more than the value
	// (a renewal's: renewRecord, which names those sent before it too);
	// nil when the record is the value.
	requestsOf func(record string) []string
	// performed is the value the status shows performed: the only record
	// an object of an earlier version may have of it ("status is the
	// record"), which an upgrade must not report as not performed. A
	// restore has no status, so it counts for nothing there.
	performed string
	// heldAs, when set, is what the effect's own record takes for a value
	// held on taking hold, instead of a baselineKey beside it: for a
	// request asked again by the same value after it is withdrawn (the
	// booster's enabled: true after false), which a baseline outliving
	// the turn would hold back again. requestsOf must name it.
	heldAs string
	// askAgain tells how to ask for a held request; "" when a new value
	// asks (the note then says so).
	askAgain string
}

// baselineRecord is the annotation that holds q's value back.
func (q oneOffRequest) baselineRecord() (key, value string) {
	if q.heldAs != "" {
		return effectAnnotationPrefix + q.effect, q.heldAs
	}
	return baselineKey(q.effect), q.value
}

// names reports that record, a record of q's effect or its confirmation,
// is of q's value.
func (q oneOffRequest) names(record string) bool {
	if q.requestsOf != nil {
		return slices.Contains(q.requestsOf(record), q.value)
	}
	return record == q.value
}

// requestsOnObject is an external whose spec asks for one-off actions on
// its Gandi object (restart, cache purge...).
type requestsOnObject interface {
	oneOffRequests() []oneOffRequest
}

// baselineRecords are the records (baselineRecord) of the requests obj's
// spec holds when it takes hold of a Gandi object it did not create, or
// takes hold again (takesHoldAgain): each value neither performed,
// recorded as sent nor already held, which is then not performed there.
// The records are judged without the annotations in drop (those the same
// write removes: staleEffectKeys). Nil for an external with no requests.
func baselineRecords(obj client.Object, ext external, drop ...string) (map[string]string, []oneOffRequest) {
	e, ok := ext.(requestsOnObject)
	if !ok {
		return nil, nil
	}
	ann := obj.GetAnnotations()
	if len(drop) > 0 {
		ann = maps.Clone(ann)
		for _, k := range drop {
			delete(ann, k)
		}
	}
	var records map[string]string
	var held []oneOffRequest
	for _, q := range e.oneOffRequests() {
		if q.value == "" || q.value == q.performed || q.names(ann[effectAnnotationPrefix+q.effect]) || q.names(ann[confirmedKey(q.effect)]) ||
			ann[baselineKey(q.effect)] == q.value {
			continue
		}
		k, v := q.baselineRecord()
		records = mergeOne(records, k, v)
		held = append(held, q)
	}
	return records, held
}

// withBaseline adds to p, the write by which obj takes hold of a Gandi
// object, the baseline of the requests its spec holds (baselineRecords),
// judged on the records as p leaves them: a record p drops says nothing
// of the object taken hold of, and is written again when a baseline
// takes its place (heldAs). So no request adds a write of its own.
func withBaseline(obj client.Object, ext external, p annotationPatch) (annotationPatch, []oneOffRequest) {
	baseline, held := baselineRecords(obj, ext, p.remove...)
	if len(baseline) == 0 {
		return p, held
	}
	set := maps.Clone(p.set)
	if set == nil {
		set = map[string]string{}
	}
	maps.Copy(set, baseline)
	p.set = set
	p.remove = slices.DeleteFunc(slices.Clone(p.remove), func(k string) bool { _, ok := baseline[k]; return ok })
	return p, held
}

// baselineNote tells the user which requests were not performed on id,
// and how to ask for them; again says the object took hold of it again
// (takesHoldAgain).
func baselineNote(held []oneOffRequest, id string, again bool) string {
	fields := make([]string, 0, len(held))
	newValue := false
	var ask []string
	for _, q := range held {
		fields = append(fields, q.field+" ("+q.value+")")
		if q.askAgain == "" {
			newValue = true
		} else {
			ask = append(ask, "for "+q.field+", "+q.askAgain)
		}
	}
	how := " already set when this object took hold of " + id + ", which it did not create"
	if again {
		how = " already set, with no record that it was performed or sent, when this object took hold of " + id +
			" again (it holds the ID under another UID, or none: restored from a backup, created again, or recorded by an earlier operator version)"
	}
	if newValue {
		ask = append([]string{"set a new value to ask for it"}, ask...)
	}
	return strings.Join(fields, ", ") + how + ": not performed there; " + strings.Join(ask, "; ")
}

// requestState is what performOnce knows of a request value.
type requestState int

const (
	// requestPerformed: Gandi accepted it, in this pass or an earlier one.
	requestPerformed requestState = iota
	// requestUnconfirmed: recorded as maybe sent, and Gandi's acceptance
	// was never seen (a lost answer; a crash between the record and the
	// answer). It is never sent again: a new value asks again.
	requestUnconfirmed
	// requestFailed: not performed; the error says why (sendOnce took the
	// record back when Gandi certainly did not act).
	requestFailed
	// requestBaseline: the value the spec held when the object took hold
	// of a Gandi object it did not create (baselineSuffix): not performed.
	requestBaseline
)

// performOnce is sendOnce for a request whose effect Gandi does not show
// (an action, a cache purge): what it reports as performed is only what
// Gandi accepted, confirmed in an annotation right after the answer.
// sent says the request left in this pass and was accepted.
func performOnce(ctx context.Context, c client.Client, obj client.Object, effect, want string, send func(context.Context) error) (state requestState, sent bool, err error) {
	if obj.GetAnnotations()[confirmedKey(effect)] == want {
		return requestPerformed, false, nil
	}
	if obj.GetAnnotations()[baselineKey(effect)] == want {
		return requestBaseline, false, nil
	}
	return confirmOnce(ctx, c, obj, effect, want, nil, send)
}

// rotateOnce is performOnce for a rotation (a password Secret revision,
// an SSH key list), which the caller sends on rotationSend: the value an
// earlier build recorded without a confirmation counts as performed, as
// those builds reported it (confirmedRotation). That record becomes a
// confirmation in the write that records the next value, so that from
// then on a record beside no confirmation can only be a rotation Gandi's
// acceptance of which was never seen.
// accepted says Gandi took it; an error beside it is the confirmation's
// write (a Kubernetes write, retried as any), otherwise send's or the
// record's.
func rotateOnce(ctx context.Context, c client.Client, obj client.Object, effect, want string, send func(context.Context) error) (accepted bool, err error) {
	return rotateOnceWith(ctx, c, obj, effect, want, nil, send)
}

// rotateOnceWith is rotateOnce writing also's annotations in the record's
// write (taken back with it when Gandi certainly did not act): what the
// rotation sends that outlives it (the SSH keys Gandi only appends).
func rotateOnceWith(ctx context.Context, c client.Client, obj client.Object, effect, want string, also map[string]string, send func(context.Context) error) (accepted bool, err error) {
	if rotationFor(obj, effect, want, false) == rotationAccepted {
		return true, nil
	}
	also = maps.Clone(also)
	if _, ok := obj.GetAnnotations()[confirmedKey(effect)]; !ok {
		also = mergeOne(also, confirmedKey(effect), recordedEffect(obj, effect))
	}
	state, _, err := confirmOnce(ctx, c, obj, effect, want, also, send)
	return state == requestPerformed, err
}

// confirmOnce sends want once and confirms Gandi's acceptance (performOnce).
func confirmOnce(ctx context.Context, c client.Client, obj client.Object, effect, want string, also map[string]string, send func(context.Context) error) (state requestState, sent bool, err error) {
	outcome, err := sendOnceWith(ctx, c, obj, effect, want, annotationPatch{set: also}, send)
	switch outcome {
	case effectSent:
		if perr := confirmAccepted(ctx, c, obj, effect, want); perr != nil {
			return requestPerformed, true, perr
		}
		return requestPerformed, true, nil
	case effectAlreadyDone:
		return requestUnconfirmed, false, nil
	}
	return requestFailed, false, err
}

// confirmAccepted records that Gandi accepted value for effect (the
// confirmation beside its record).
func confirmAccepted(ctx context.Context, c client.Client, obj client.Object, effect, value string) error {
	if err := recordOutcome(ctx, c, obj, annotationPatch{set: map[string]string{confirmedKey(effect): value}}); err != nil {
		return fmt.Errorf("record that Gandi accepted %s %q: %w", effect, value, err)
	}
	return nil
}

// accepted reports that Gandi accepted the value recorded for effect.
func accepted(obj client.Object, effect string) bool {
	v, ok := obj.GetAnnotations()[confirmedKey(effect)]
	return ok && v == recordedEffect(obj, effect)
}

// unconfirmedProblem is how status reports a request left unconfirmed;
// field is the spec field that asks for it.
func unconfirmedProblem(what, value, field string) problem {
	return problem{reason: hostingv1alpha1.ReasonActionUnconfirmed,
		message: what + " for request " + value + " may not have happened: it was recorded before sending and Gandi's acceptance was never seen (a lost answer or a crash), so it is not sent again; set a new " + field + " to ask again"}
}

// unrecordPatch restores the record of effect as it was (previous), with
// the annotations written beside it (also).
func unrecordPatch(effect, previous string, also annotationPatch) annotationPatch {
	p := also
	if previous == "" {
		p.remove = append(slices.Clone(p.remove), effectAnnotationPrefix+effect)
	} else {
		p.set = mergeOne(maps.Clone(p.set), effectAnnotationPrefix+effect, previous)
	}
	return p
}

// mergeOne is m with k set to v, m made when nil.
func mergeOne(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// recordOutcome writes what Gandi did with a side effect (accepted it, or
// certainly did not act). Gandi does not show these effects, so nothing
// rebuilds the record once this write is lost: a failed write turns an
// action Gandi performed into ActionUnconfirmed. Hence it is retried
// briefly while the API server fails, and written without a version
// check, which a concurrent edit of the object would otherwise fail.
func recordOutcome(ctx context.Context, c client.Client, obj client.Object, p annotationPatch) error {
	p.unlocked = true
	return clientretry.OnError(clientretry.DefaultBackoff, func(err error) bool {
		return ctx.Err() == nil && !apierrors.IsNotFound(err)
	}, func() error { return patchAnnotations(ctx, c, obj, p) })
}
