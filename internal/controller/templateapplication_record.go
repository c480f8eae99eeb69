package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// Annotations that earlier versions of the operator wrote for an apply.
// They are still read, so that an upgrade neither applies again what was
// applied nor forgets an apply that was never answered, and are dropped
// once the apply record (effects.hosting.gandi-operator.dev/apply) answers
// for them.
const (
	legacyAnnotationApplyPending = "hosting.gandi-operator.dev/apply-pending"
	legacyAnnotationLastApply    = "hosting.gandi-operator.dev/last-apply"
)

// applyOutcome is what is known of an apply, from its answer or from what
// Gandi showed later.
type applyOutcome string

const (
	// outcomeUnanswered: the record was written before sending and no
	// answer was recorded after it. The pass stopped in between (a crash,
	// a failed write): whether the POST left is unknown.
	outcomeUnanswered applyOutcome = ""
	// outcomeDispatched: Gandi answered 202 and named the dispatch.
	outcomeDispatched applyOutcome = "dispatched"
	// outcomeLost: the request was written and its answer lost: whether
	// Gandi has it is unknown (a reset before it acted looks the same).
	outcomeLost applyOutcome = "lost"
	// outcomeAccepted: Gandi accepted the apply (202), but its dispatch
	// cannot be followed: the answer named none, or Gandi stopped
	// reporting it before it was seen over. It is never sent again for
	// the same payload and spec: only the domain can confirm it, and
	// otherwise it ends unconfirmed.
	outcomeAccepted applyOutcome = "accepted"
	// outcomeConfirmed: an unanswered or lost apply that the domain shows
	// done: every namespace of the template is visible on the domain as
	// the template sets it.
	outcomeConfirmed applyOutcome = "confirmedOnDomain"
	// outcomeUnconfirmed: a lost apply that Gandi neither confirms nor
	// contradicts once a dispatch would have run. It is final, so that a
	// later change of the domain by someone else does not send it again.
	outcomeUnconfirmed applyOutcome = "unconfirmed"
)

// applyRecord is the value of the apply's side-effect record: what is
// applied, when the apply was recorded (just before it was sent), and what
// became of it. The time tells one apply from the next, so a record left
// by a crashed pass is recognized as that apply and not as a new one.
type applyRecord struct {
	Generation int64 `json:"generation"`
	// SpecDigest identifies the spec applied (specDigest), so that what
	// is applied is compared by content: a restore without status or a
	// delete-and-recreate brings the record back with the generation
	// reset to 1, and comparing generations would apply again a spec
	// that did not change (or miss an edited one that reached the same
	// generation). Empty in records of earlier versions, which fall back
	// to Generation (specUnchanged).
	SpecDigest  string       `json:"specDigest,omitempty"`
	PayloadHash string       `json:"payloadHash"`
	At          time.Time    `json:"at"`
	Outcome     applyOutcome `json:"outcome,omitempty"`
	DispatchID  string       `json:"dispatchID,omitempty"`
	// LostAt is when the apply was lost sight of, for an apply without a
	// dispatch to follow: its answer lost (outcomeLost), its dispatch
	// unnamed or no longer reported (outcomeAccepted), or, for one never
	// answered (outcomeUnanswered: the pass that sent it stopped), the
	// first pass that found it so a grace after it was recorded. The apply
	// may have reached Gandi as late as that (the send may wait for the
	// request budget, then take the client's timeout), so the grace before
	// it is sent again counts from it (lossGrace). Zero: none recorded.
	LostAt time.Time `json:"lostAt,omitzero"`
	// Resent marks an apply sent again to settle a lost one that Gandi
	// showed nothing of; if its answer is lost too, it is not sent again.
	Resent bool `json:"resent,omitempty"`
	// Note is Gandi's error or what was seen, for messages on later passes.
	Note string `json:"note,omitempty"`
	// TemplateID and DomainID name what was applied where. The record is
	// an annotation, so it travels with a copy of the object (kubectl get
	// -o yaml, renamed, another spec.domain): without its target, the copy
	// would take the original's apply for its own and report Ready for a
	// domain that never got the template. Empty in records written by
	// earlier versions, which are taken as this object's (an upgrade
	// applies nothing again); following their dispatch tells the target.
	TemplateID string `json:"templateID,omitempty"`
	DomainID   string `json:"domainID,omitempty"`
	// Namespaces the apply writes, so that it tells which of them this
	// object manages on the domain (heldBackBy). Absent in records of
	// earlier versions: see wrote.
	Namespaces []string `json:"namespaces,omitempty"`
	// Superseded: another application applying another template wrote
	// over this apply, on a namespace it wrote, while this object was held
	// back (supersede). The apply is no longer in force: it is due again.
	Superseded bool `json:"superseded,omitempty"`
	// SentWith names the credentials the apply was sent with, so that its
	// dispatch is still followed once the Template that named them is
	// gone (sentCredentials). Absent in records of earlier versions.
	SentWith *sentWith `json:"sentWith,omitempty"`
}

// sentWith is a credentials reference as an apply record keeps it: a
// Secret of the application's own namespace (never another's: a record
// names no namespace) and its key, or the operator's default token. It
// picks nothing spec.credentialsRef could not: it only reads a dispatch.
type sentWith struct {
	Secret  string `json:"secret,omitempty"`
	Key     string `json:"key,omitempty"`
	Default bool   `json:"default,omitempty"`
}

// newSentWith records ref (nil: the operator's default token).
func newSentWith(ref *hostingv1alpha1.CredentialsReference) *sentWith {
	if ref == nil {
		return &sentWith{Default: true}
	}
	return &sentWith{Secret: ref.Name, Key: string(ref.Key)}
}

// ref is the reference recorded; known is false for a record that names
// neither a Secret nor the default.
func (s *sentWith) ref() (_ *hostingv1alpha1.CredentialsReference, known bool) {
	switch {
	case s == nil:
		return nil, false
	case s.Default:
		return nil, true
	case s.Secret == "":
		return nil, false
	}
	return &hostingv1alpha1.CredentialsReference{Name: s.Secret, Key: hostingv1alpha1.CredentialsKey(s.Key)}, true
}

// specUnchanged reports that rec applied the spec whose digest and
// generation are given: by digest, or, for a record without one (written
// by an earlier version, or read from the status), by generation as those
// versions did, since nothing else tells what spec it applied.
func (rec applyRecord) specUnchanged(digest string, generation int64) bool {
	if rec.SpecDigest != "" {
		return rec.SpecDigest == digest
	}
	return rec.Generation == generation
}

// specDigest identifies a TemplateApplication's spec as applied: the
// sha256 of its JSON. The whole spec counts, as it did when generations
// were compared: a change of any field (reapply included) applies again,
// as spec.reapply documents; no field is documented otherwise. It is the
// content, so it survives what resets the generation. A field added to
// the spec later must be omitempty (and without a CRD default), or every
// recorded digest changes and each application applies once more on
// upgrade.
func specDigest(spec *hostingv1alpha1.TemplateApplicationSpec) string {
	// Plain strings and a duration: it always encodes; an empty digest
	// would fall back to the generation.
	return jsonDigest(spec)
}

// wrote is what the apply wrote on the domain. A record of an earlier
// version does not say: it is taken as current, what the template writes
// now, as such a record is taken as this object's (nothing is applied
// again on an upgrade).
func (rec applyRecord) wrote(current []string) []string {
	if rec.Namespaces != nil {
		return rec.Namespaces
	}
	return current
}

// otherTarget says why rec is not an apply of templateID to domainID, ""
// when it is, or when it does not say (a record of an earlier version).
// Such a record is another object's (this one is a copy of it) or of a
// former spec: it tells nothing of this target, where an apply is due.
func (rec applyRecord) otherTarget(templateID, domainID string) string {
	var diff []string
	if rec.TemplateID != "" && rec.TemplateID != templateID {
		diff = append(diff, "template "+rec.TemplateID+", not "+templateID)
	}
	if rec.DomainID != "" && rec.DomainID != domainID {
		diff = append(diff, "domain "+rec.DomainID+", not "+domainID)
	}
	if len(diff) == 0 {
		return ""
	}
	return "the last apply recorded on this object is of " + strings.Join(diff, " and ") +
		" (it was copied from another object, or the target changed): nothing known was applied here"
}

// unresolved reports an apply that may have reached Gandi without a
// dispatch to follow nor a resolution from what Gandi shows.
func (rec applyRecord) unresolved() bool {
	return rec.Outcome == outcomeUnanswered || rec.Outcome == outcomeLost || rec.Outcome == outcomeAccepted
}

// lossState says where an unresolved apply stands in the grace Gandi may
// take to perform it (lossGrace): within it, the apply may still be on its
// way and nothing else may write what it writes, neither this object's
// next apply nor, once this object is deleted, another application on the
// domain (holdsWhileDeleting). An unreadable record has no time to count
// from: it stands for an apply long ago, which what Gandi shows settles
// now.
func (rec applyRecord) lossState(now time.Time, grace time.Duration) (lossState, time.Duration) {
	if rec.At.IsZero() {
		return lossSettled, 0
	}
	return lossGrace(rec.At, rec.LostAt, now, grace)
}

// shownBy reports that the domain shows rec's apply done: every namespace
// of the template, whose payload hashes to payloadHash, is seen on the
// domain as it sets them (domainEvidence), and that payload is the one
// rec applied. It is the only end Gandi shows of an apply without a
// dispatch to follow.
func (rec applyRecord) shownBy(payloadHash string, e evidence) bool {
	return rec.PayloadHash != "" && rec.PayloadHash == payloadHash && e.verdict == verdictShown
}

func (rec applyRecord) encode() (string, error) {
	rec.At, rec.LostAt = rec.At.UTC(), rec.LostAt.UTC()
	rec.Note = truncate(rec.Note, 256)
	data, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("encode the apply record: %w", err)
	}
	return string(data), nil
}

// currentRecord is the last apply: the side-effect record, else what an
// earlier version left (a pending intent before a last apply, since the
// intent was the newer of the two), else the status (an object whose
// annotations a person removed): the last apply performed there, and the
// dispatch of the last one sent. An unreadable record still is a record:
// it reads as an unanswered apply of unknown content, long ago, so Gandi's
// state decides whether to send again.
func currentRecord(ta *hostingv1alpha1.TemplateApplication) (applyRecord, bool) {
	if v := recordedEffect(ta, effectApply); v != "" {
		var rec applyRecord
		if err := json.Unmarshal([]byte(v), &rec); err != nil || rec.At.IsZero() {
			return applyRecord{Note: "the apply record is unreadable"}, true
		}
		return rec, true
	}
	if rec, ok := legacyRecord(ta); ok {
		return rec, true
	}
	st := ta.Status
	var rec applyRecord
	applied := st.AppliedPayloadHash != "" && st.AppliedAt != nil
	if applied {
		rec = applyRecord{At: st.AppliedAt.Time, PayloadHash: st.AppliedPayloadHash, Generation: st.AppliedGeneration}
	}
	if st.Dispatch != nil && st.Dispatch.ID != "" {
		// The dispatch of the last apply sent, which may be later than
		// the last one performed (applied*): it is followed to its end
		// before anything is sent again.
		rec.Outcome, rec.DispatchID = outcomeDispatched, st.Dispatch.ID
	}
	return rec, applied || rec.DispatchID != ""
}

// legacyRecord reads the annotations of earlier versions. Their
// "unconfirmed" applies are read as unanswered: those versions also gave
// that name to applies that were certainly never performed (a 503 with
// Gandi's error body, a restart before the POST), so only Gandi's state
// can tell.
func legacyRecord(ta *hostingv1alpha1.TemplateApplication) (applyRecord, bool) {
	var old struct {
		At          time.Time `json:"at"`
		PayloadHash string    `json:"payloadHash"`
		Generation  int64     `json:"generation"`
		DispatchID  string    `json:"dispatchID"`
	}
	for _, key := range []string{legacyAnnotationApplyPending, legacyAnnotationLastApply} {
		v, ok := ta.Annotations[key]
		if !ok {
			continue
		}
		rec := applyRecord{Note: "recorded by an earlier version of the operator"}
		if err := json.Unmarshal([]byte(v), &old); err == nil && !old.At.IsZero() {
			rec.At, rec.PayloadHash, rec.Generation = old.At, old.PayloadHash, old.Generation
		}
		if key == legacyAnnotationLastApply && old.DispatchID != "" {
			rec.Outcome, rec.DispatchID, rec.Note = outcomeDispatched, old.DispatchID, ""
		}
		return rec, true
	}
	return applyRecord{}, false
}

// saveRecord writes what became of an apply in its record, and drops the
// annotations of earlier versions it answers for. locked is for a
// conclusion drawn from a read of the object (a resolution from Gandi's
// state): a stale read then loses to a newer record instead of
// overwriting it. An answer just received is written unlocked and
// retried while the API server fails (recordOutcome): it is a fact about
// Gandi that a concurrent edit or a passing failure must not make us lose.
func (r *TemplateApplicationReconciler) saveRecord(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, rec applyRecord, locked bool) error {
	v, err := rec.encode()
	if err != nil {
		return err
	}
	p := annotationPatch{
		set:    effectRecord(effectApply, v),
		remove: []string{legacyAnnotationApplyPending, legacyAnnotationLastApply},
	}
	if !locked {
		// Lost, it would leave the apply unanswered, which is sent again
		// once the grace passes: a second dispatch of one Gandi took.
		return recordOutcome(ctx, r.Client, ta, p)
	}
	return patchAnnotations(ctx, r.Client, ta, p)
}

// appliedGeneration is the generation of ta whose spec rec applied: ta's
// own when the spec is the one applied (same digest), as after a restore
// without status or a delete-and-recreate, which start the generation
// again at 1 while the record keeps the generation it was written at;
// otherwise the record's.
func appliedGeneration(ta *hostingv1alpha1.TemplateApplication, rec applyRecord) int64 {
	if rec.SpecDigest != "" && rec.SpecDigest == specDigest(&ta.Spec) {
		return ta.Generation
	}
	return rec.Generation
}

// recordToStatus mirrors rec in the status: the dispatch it is to follow,
// at once, and what it applied only once Gandi showed it performed (its
// dispatch done with no task in error, or the domain confirming an apply
// without one: readiness). Until then, and when it failed, applied* keep
// the last apply that was performed, as their API doc says; the apply
// record, an annotation, is what says an apply was sent.
func recordToStatus(ta *hostingv1alpha1.TemplateApplication, rec applyRecord) {
	st := &ta.Status
	if rec.Outcome == outcomeDispatched && (st.Dispatch == nil || st.Dispatch.ID != rec.DispatchID) {
		st.Dispatch = &hostingv1alpha1.DispatchStatus{ID: rec.DispatchID}
	}
	if !rec.performed(st.Dispatch) || rec.At.IsZero() || rec.PayloadHash == "" {
		return
	}
	st.AppliedPayloadHash, st.AppliedGeneration = rec.PayloadHash, appliedGeneration(ta, rec)
	at := statusTime(rec.At)
	st.AppliedAt = &at
	switch {
	case rec.DispatchID == "":
		st.Dispatch = nil
	case st.Dispatch == nil || st.Dispatch.ID != rec.DispatchID:
		st.Dispatch = &hostingv1alpha1.DispatchStatus{ID: rec.DispatchID}
	}
}

// statusTime is t as the status keeps it: seconds only, so that a re-read
// compares equal.
func statusTime(t time.Time) metav1.Time {
	return metav1.NewTime(t.UTC().Truncate(time.Second))
}

// performed reports that Gandi showed rec's apply done, ds being the
// dispatch the status last read: the rule Ready follows (readiness).
func (rec applyRecord) performed(ds *hostingv1alpha1.DispatchStatus) bool {
	ok, _ := readiness(rec, stepSettled, ds)
	return ok
}

// shownPerformed reports that ta's status shows rec's apply performed:
// recordToStatus wrote it in applied*, and its dispatch, if it has one, is
// done there. Only the operator writes the status; rec is an annotation,
// which copies of the object carry and anyone who may edit it may write.
func shownPerformed(ta *hostingv1alpha1.TemplateApplication, rec applyRecord) bool {
	st := &ta.Status
	if st.AppliedAt == nil || st.AppliedPayloadHash == "" || st.AppliedPayloadHash != rec.PayloadHash {
		return false
	}
	at := statusTime(rec.At)
	return st.AppliedAt.Equal(&at) && rec.performed(st.Dispatch)
}
