package controller

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// This file is the one implementation of how the operator creates, adopts
// and deletes what it manages at Gandi. Each kind is an adapter (external)
// that knows how to find, create and delete its Gandi object; the rules of
// ownership, crash safety and money live here only:
//   - an object manages only what its own recorded intent explains or what
//     the user handed over (annotation), never what merely has its name;
//   - two cluster objects naming one Gandi object: the first by claimRank
//     manages it, the other reports OwnedByAnotherObject and never writes;
//   - the create intent is recorded (optimistic lock) before the POST, the
//     ID right after it; a POST whose answer may have been lost is resolved
//     by looking at Gandi, never by a blind second POST;
//   - deletion follows the policy, and a lost create is found before the
//     object is let go.

// managed is a kind's object as the shared steps see it.
type managed interface {
	client.Object
	hostingv1alpha1.Conditioned
}

// external is one kind's Gandi object, for one pass.
type external interface {
	// describe names the Gandi object for people: `instance "shop"`.
	describe() string
	// uniqueKey: Gandi allows one object per natural key.
	uniqueKey() bool
	// handedOver reports the user's word that the matches Gandi lists
	// under the natural key are this object's (besides the adopt
	// annotation, which the lifecycle reads: handedOverAll); nil, before
	// the lookup, asks whether a match could be.
	handedOver(matches []candidate) bool
	// rivals are the other cluster objects that name the same Gandi object:
	// by natural key, and those recording id (obj's, or one it is about
	// to record) when it is not empty.
	rivals(ctx context.Context, id string) ([]client.Object, error)
	// find lists the Gandi objects matching the natural key.
	find(ctx context.Context) ([]candidate, error)
	// prepare builds and validates (Dry-Run) the create request; it returns
	// side-effect records to write with the intent (the first password).
	prepare(ctx context.Context) (map[string]string, error)
	// create sends the create and returns the new object's ID.
	create(ctx context.Context) (string, error)
	// deleting reports whether Gandi is already deleting id; a 404, or
	// errGoneAtGandi (Gandi shows it deleted), is gone; a
	// *notDeletableYet is a state Gandi refuses the delete in.
	deleting(ctx context.Context, id string) (bool, error)
	// remove asks Gandi to delete id; gone says it is deleted at once.
	remove(ctx context.Context, id string) (gone bool, err error)
}

// lifecycle holds what the shared steps need of the reconciler.
type lifecycle struct {
	client client.Client
	creds  *Credentials
	events eventRecorder
	timing Timing
	now    func() time.Time
}

// connect is the first step of a live pass: the credentials become a
// client. The finalizer goes on before anything can exist at Gandi for
// the object, but in the write that makes it so when there is one (the
// create intent, an adopted ID: see ensureID), not in a patch of its own.
// It also says where the credentials came from: what the pass sees the
// object under (sawUnder), and judges a "not found" by (judgeNotFound).
func (l *lifecycle) connect(ctx context.Context, obj managed, ref *hostingv1alpha1.CredentialsReference) (*gandi.Client, credentialSource, *result) {
	return connectTo(ctx, l, obj, func(ctx context.Context) (*gandi.Client, credentialSource, error) {
		return l.creds.Connect(ctx, obj.GetNamespace(), ref)
	})
}

// connectTo is connect for any API's client: open resolves the object's
// credentials into one (the XML-RPC client of a PaaSInstance).
func connectTo[C any](ctx context.Context, l *lifecycle, obj managed, open func(context.Context) (C, credentialSource, error)) (C, credentialSource, *result) {
	var none C
	api, src, err := open(ctx)
	if err != nil {
		return none, src, halt(failed(obj, l.timing, "resolve credentials", err))
	}
	return api, src, nil
}

// errLeaveAtGandi tells finalize that the Gandi object is not this object's
// to delete (a public template): it is left, and the object let go.
var errLeaveAtGandi = errors.New("not this object's to delete at Gandi")

// errGoneAtGandi tells deleteAtGandi that Gandi shows the object as
// deleted (a PaaS instance in the state "deleted"): gone, as a 404 is,
// with nothing to delete (Gandi refuses to delete it again).
var errGoneAtGandi = errors.New("deleted at Gandi")

// notDeletableYet tells deleteAtGandi that Gandi refuses to delete the
// object in the state it is in now and takes the delete once it leaves it
// (a PaaS instance being created, or one Gandi holds): nothing is sent
// yet, Ready says why (reason, message), and the pass looks again soon,
// or at the poll interval for a lasting state (lasting: locked, paused),
// which a look every few seconds would not shorten. Sending the delete
// would only earn a refusal reported as a failure, with backoff.
type notDeletableYet struct {
	reason, message string
	lasting         bool
}

func (e *notDeletableYet) Error() string { return e.message }

// specError is a problem of the spec or of what it references that only a
// change of them fixes (an invalid value, a Secret that is not the
// operator's to write); reason defaults to InvalidSpec.
type specError struct{ reason, msg string }

func (e *specError) Error() string { return e.msg }

// resolveID gives the Gandi ID obj manages when none is recorded: adopt
// what obj's own earlier intent explains or what the user handed over,
// stop when a match may be someone else's, and only then create. A nil
// result means the ID is ready to observe.
// The caller has checked that no rival manages the Gandi object
// (checkRivals), as it must before any write.
func (l *lifecycle) resolveID(ctx context.Context, obj managed, ext external, observeOnly bool) (string, *result) {
	if res := l.intentKeyChanged(obj, ext, "put them back until it is found (it is then this object's, and can be renamed), or set the annotation "+hostingv1alpha1.AnnotationExternalID+" to its ID"); res != nil {
		return "", res
	}
	if createFirst(createFirstInput{
		refusesTaken: refusesTakenKey(ext), intentRecorded: intentRecorded(obj),
		handedOver:  handedOverAll(obj, ext, nil),
		observeOnly: observeOnly, lastReason: readyReason(obj),
	}) {
		return l.create(ctx, obj, ext, false, false)
	}
	matches, err := ext.find(ctx)
	if err != nil {
		res := failed(obj, l.timing, "look up "+ext.describe(), err)
		return "", &res
	}
	since, pending := ownIntent(obj)
	sent := lastCreateSent(obj)
	var elsewhere []otherIntent
	if pending && len(matches) > 0 {
		if elsewhere, err = intentsElsewhere(ctx, obj, ext); err != nil {
			return "", halt(retry(err))
		}
	}
	decision, which := decideClaim(claimInput{
		matches: matches, pending: pending, pendingSince: since, lastSent: sent, digests: sentDigests(obj),
		lostAt: createLostAt(obj), recordsLoss: true, elsewhere: elsewhere,
		handedOver:  handedOverAll(obj, ext, matches),
		observeOnly: observeOnly, uniqueKey: ext.uniqueKey(),
		now: l.now(), grace: l.timing.CreateGrace,
	})
	switch decision {
	case decideAdopt:
		return l.recordCreated(ctx, obj, ext, which[0].id, "found the "+ext.describe()+" this object's interrupted create made")
	case decideHandedOver:
		return l.adopt(ctx, obj, ext, which[0].id, "adopted the existing "+ext.describe()+" as the user asked")
	case decideAmbiguous:
		return "", l.ambiguous(obj, ext, which)
	case decideWait:
		setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating,
			"a create was sent at "+sent.Format(time.RFC3339)+" and its answer was not recorded; looking for the "+ext.describe()+" on each pass before trying again")
		return "", halt(waitFor(l.timing.Transitional))
	case decideRecordLoss:
		return "", l.recordLoss(ctx, obj, ext)
	case decideAlreadyExists:
		return "", l.alreadyExists(obj, ext, which)
	case decideAbsent:
		return "", l.absent(obj, ext)
	}
	if res := l.refusalStands(obj, ext, pending); res != nil {
		return "", res
	}
	return l.create(ctx, obj, ext, pending, true)
}

// handedOverAll reports the user's word that matches are obj's: the adopt
// annotation, or ext's handing over of them (nil: of what a lookup may
// find).
func handedOverAll(obj managed, ext external, matches []candidate) bool {
	return adoptRequested(obj) || ext.handedOver(matches)
}

// keyTakenRefused is an external whose create Gandi refuses, with nothing
// made, when its natural key is taken (a vhost's FQDN: "The vhost already
// exist on the instance and the creation cannot be performed"): such a
// create is its own lookup (createFirst).
type keyTakenRefused interface {
	refusesTakenKey()
}

func refusesTakenKey(ext external) bool {
	_, ok := ext.(keyTakenRefused)
	return ok
}

// createFirstInput is what decides whether a create is sent without the
// lookup before it.
type createFirstInput struct {
	// refusesTaken: Gandi refuses the create when the key is taken
	// (keyTakenRefused).
	refusesTaken bool
	// intentRecorded: an earlier create intent of any origin is recorded
	// (even one inherited from a copied object), or a create's sending.
	intentRecorded bool
	// handedOver: the user's word that an existing match is this object's.
	handedOver  bool
	observeOnly bool
	// lastReason is the Ready reason the last pass reported.
	lastReason string
}

// createFirst reports whether a create may be sent without looking first:
// only for a kind Gandi refuses to create twice under one key, so that an
// existing match is answered by a refusal that made nothing, instead of
// by the lookup (one request less per create). The lookup stays whenever
// what it finds decides something else than "report AlreadyExists": an
// open or earlier intent (what a lost answer may have made is this
// object's: only a lookup tells), the user handing a match over (it is
// adopted, not refused), Observe (nothing is created), and a last pass
// that reported a taken key or a refused create (the create would be
// refused again at every pass: the lookup tells when the key is free).
func createFirst(in createFirstInput) bool {
	switch in.lastReason {
	case hostingv1alpha1.ReasonAlreadyExists, hostingv1alpha1.ReasonCreateRefused, hostingv1alpha1.ReasonAmbiguousExternalObject:
		return false
	}
	return in.refusesTaken && !in.intentRecorded && !in.handedOver && !in.observeOnly
}

// intentRecorded reports any create intent annotation on obj, its own or
// not.
func intentRecorded(obj managed) bool {
	for _, k := range intentAnnotations {
		if _, ok := obj.GetAnnotations()[k]; ok {
			return true
		}
	}
	return false
}

func readyReason(obj managed) string {
	if c := meta.FindStatusCondition(*obj.GetConditions(), hostingv1alpha1.ConditionReady); c != nil {
		return c.Reason
	}
	return ""
}

// recordLoss records now as the loss of obj's latest create, when nothing
// recorded it (decideRecordLoss), and waits the grace from it.
func (l *lifecycle) recordLoss(ctx context.Context, obj managed, ext external) *result {
	if err := l.recordLossAt(ctx, obj); err != nil {
		return halt(retry(fmt.Errorf("record that the answer to the create of %s was lost: %w", ext.describe(), err)))
	}
	setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating,
		"the create sent at "+lastCreateSent(obj).Format(time.RFC3339)+" was cut before its answer (the operator stopped?): looking for the "+ext.describe()+" until "+
			l.now().Add(l.timing.CreateGrace).UTC().Format(time.RFC3339)+" before trying again")
	return halt(waitFor(l.timing.Transitional))
}

// recordLossAt records now as when the answer to obj's latest create was
// lost (AnnotationCreateLostAt). Unlocked: it records what happened, which
// a concurrent edit must not make us lose.
func (l *lifecycle) recordLossAt(ctx context.Context, obj managed) error {
	lost := map[string]string{hostingv1alpha1.AnnotationCreateLostAt: l.now().UTC().Format(time.RFC3339Nano)}
	return patchAnnotations(ctx, l.client, obj, annotationPatch{set: lost, unlocked: true})
}

// absent reports that an object which only observes has nothing at Gandi:
// the lookup that found nothing is this generation's observation
// (concluded).
func (l *lifecycle) absent(obj managed, ext external) *result {
	msg := "managementPolicy is Observe and no " + ext.describe() + " exists at Gandi: nothing is created"
	setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonExternalNotFound, msg)
	setCondition(obj, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonObserved, msg)
	// Only a person makes it at Gandi, or lets this object create it.
	res := waitFor(jittered(l.timing.Poll)).stalling(hostingv1alpha1.ReasonExternalNotFound, msg)
	res.observed = true
	return &res
}

// ensureID gives the Gandi ID obj manages: known (recorded) or resolved
// by resolveID, after checking that no rival manages it.
func (l *lifecycle) ensureID(ctx context.Context, obj managed, ext external, known string, policy *hostingv1alpha1.ManagedFields) (string, *result) {
	if res := l.checkRivals(ctx, obj, ext); res != nil {
		return "", res
	}
	if known != "" {
		if holdToRecord(obj, ext, known) {
			return known, l.recordHold(ctx, obj, ext, known)
		}
		if err := ensureFinalizer(ctx, l.client, obj); err != nil {
			return "", halt(retry(err))
		}
		return known, nil
	}
	return l.resolveID(ctx, obj, ext, observeOnly(policy))
}

// takesHoldAgain reports that obj holds id but is not the object that took
// hold of it (AnnotationHeldByUID): it was restored from a backup, deleted
// and created again, or copied, and its records may be older than its
// spec (a backup taken before the last requests, the spec synced again
// from Git): a request value the spec holds without a record may have
// been performed after the backup, and paid for.
//
// An ID an earlier operator version recorded has no UID beside it. It is
// this very object's when its own create intent is still open (a create
// in flight across the upgrade: the intent is younger than the object,
// ownIntent), or when the object still has the status in which the
// operator observed that ID as its own (observedAs), which neither a
// restore nor a copy brings back (a status is not taken on create):
// upgraded in place, nothing it asked for is held back. Otherwise it is
// taken as a restore of such an object: paid requests come first, and
// what it holds back is at most the request values no record says were
// performed or sent, each reported, and asked again by a new value.
func takesHoldAgain(obj client.Object, id string) bool {
	if id == "" || obj.GetUID() == "" {
		return false
	}
	held, recorded := obj.GetAnnotations()[hostingv1alpha1.AnnotationHeldByUID]
	if recorded {
		return held != string(obj.GetUID())
	}
	if _, own := ownIntent(obj); own {
		return false
	}
	return !observedAs(obj)
}

// holdToRecord reports that ensureID writes obj's hold on id
// (recordHold): a kind with requests (the UID serves only to hold them)
// whose UID is not the one recorded: it takes hold again, or it is an
// earlier version's object upgraded in place, which records its UID once
// so that a backup taken from then on carries it (restored with its
// status by a tool that writes status after the create, it would
// otherwise look upgraded in place again). Not when followEffects writes
// for id in this pass anyway (its records are for another object): that
// write records the hold.
func holdToRecord(obj managed, ext external, id string) bool {
	if _, ok := ext.(requestsOnObject); !ok || id == "" || obj.GetUID() == "" ||
		obj.GetAnnotations()[hostingv1alpha1.AnnotationHeldByUID] == string(obj.GetUID()) {
		return false
	}
	_, follows := ext.(effectsOnObject)
	return !follows || obj.GetAnnotations()[hostingv1alpha1.AnnotationEffectsFor] == id
}

// recordHold records obj's UID as the one holding id, in one write (with
// the finalizer); when obj takes hold again (takesHoldAgain), with what
// keeps it from repeating what it has no record of, as an adoption does
// (withPastUnknown).
func (l *lifecycle) recordHold(ctx context.Context, obj managed, ext external, id string) *result {
	p := annotationPatch{set: map[string]string{hostingv1alpha1.AnnotationHeldByUID: string(obj.GetUID())}, finalizer: true}
	var held []oneOffRequest
	if takesHoldAgain(obj, id) {
		p, held = withPastUnknown(obj, ext, p, l.now())
	}
	if err := patchAnnotations(ctx, l.client, obj, p); err != nil {
		return halt(retry(fmt.Errorf("record that this object holds %s: %w", ext.describe(), err)))
	}
	l.baselined(obj, held, id, true)
	return nil
}

// checkRivals stops obj when another cluster object manages what it names.
func (l *lifecycle) checkRivals(ctx context.Context, obj managed, ext external) *result {
	return l.checkRivalsFor(ctx, obj, ext, ManagedID(obj))
}

// checkRivalsFor is checkRivals for the Gandi ID obj records or is about
// to record (an adoption): an object that already records it outranks one
// that does not yet (claimRank), so a second object cannot take over an
// ID another one manages by adopting it.
func (l *lifecycle) checkRivalsFor(ctx context.Context, obj managed, ext external, id string) *result {
	other, err := managerOf(ctx, obj, ext, id)
	if err != nil {
		return halt(retry(err))
	}
	recordClaim(obj, id, other != nil)
	if other == nil {
		return nil
	}
	msg := fmt.Sprintf("%s/%s already names %s: one Gandi object has one manager, so this object changes nothing at Gandi; delete one of the two, or point this one elsewhere",
		other.GetNamespace(), other.GetName(), ext.describe())
	return ownedByAnother(obj, l.timing, msg)
}

// managerOf returns the cluster object other than obj that manages what
// obj names under id (the ID obj records or is about to; empty: by natural
// key only), nil when obj would be the one.
func managerOf(ctx context.Context, obj managed, ext external, id string) (client.Object, error) {
	others, err := ext.rivals(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list the objects naming %s: %w", ext.describe(), err)
	}
	return managerAmong(obj, id, others), nil
}

// managerAmong is managerOf's decision, from others, the cluster objects
// naming what obj names (ext.rivals for id).
func managerAmong(obj client.Object, id string, others []client.Object) client.Object {
	if id != "" {
		// With an ID recorded, only an object recording the same one (or
		// none yet, which ranks below) names the same Gandi object.
		kept := others[:0:0]
		for _, o := range others {
			if oid := ManagedID(o); oid == "" || oid == id {
				kept = append(kept, o)
			}
		}
		others = kept
	}
	return rival(obj, others)
}

func (l *lifecycle) alreadyExists(obj managed, ext external, which []candidate) *result {
	msg := fmt.Sprintf("%s already exists at Gandi (%s) and this object did not create it: %s; otherwise change the name",
		ext.describe(), candidateIDs(which), adoptAdvice("it"))
	if p, ok := ext.(placedMatches); ok {
		msg = p.alreadyExistsMessage(which)
	}
	return concluded(obj, l.timing, hostingv1alpha1.ReasonAlreadyExists, msg)
}

// adoptAdvice tells how to hand over what: the user's word that makes an
// existing Gandi object this object's.
func adoptAdvice(what string) string {
	return fmt.Sprintf("to manage %s, set the annotation %s to its ID or %s: \"true\" (deleting this object would then delete it at Gandi)",
		what, hostingv1alpha1.AnnotationExternalID, hostingv1alpha1.AnnotationAdopt)
}

// placedMatches is an external whose matches may lie where its create
// would not go (a template of another organization of the account):
// its AlreadyExists message says where each is, and offers to adopt only
// one the create would compete with.
type placedMatches interface {
	alreadyExistsMessage(which []candidate) string
}

func (l *lifecycle) ambiguous(obj managed, ext external, which []candidate) *result {
	msg := fmt.Sprintf("%d Gandi objects could be this object's %s (%s): set the annotation %s to the right ID",
		len(which), ext.describe(), candidateIDs(which), hostingv1alpha1.AnnotationExternalID)
	if len(which) == 1 { // only sharedMatches gives one: another object's create may have made it
		msg = fmt.Sprintf("the %s Gandi lists (%s) could be what this object's create made or what another object's did, and neither answer came: set the annotation %s to its ID on the object that made it",
			ext.describe(), which[0].id, hostingv1alpha1.AnnotationExternalID)
	}
	l.events.warn(obj, hostingv1alpha1.ReasonAmbiguousExternalObject, "Create", msg)
	return concluded(obj, l.timing, hostingv1alpha1.ReasonAmbiguousExternalObject, msg)
}

func candidateIDs(cs []candidate) string {
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.id)
	}
	return strings.Join(ids, ", ")
}

// adopt records id as the Gandi object obj manages. Records of what obj
// set on another object, or sent with a create that did not make id, are
// dropped in the same write (effectsStale).
func (l *lifecycle) adopt(ctx context.Context, obj managed, ext external, id, why string) (string, *result) {
	return l.claim(ctx, obj, ext, id, withEffectsFor(ext, id, idRecordsOf(ext)), false, why)
}

// recordCreated records id as the Gandi object obj manages and made
// (AnnotationCreatedID): its create's answer lost, found by a lookup.
func (l *lifecycle) recordCreated(ctx context.Context, obj managed, ext external, id, why string) (string, *result) {
	return l.claim(ctx, obj, ext, id, createdRecords(ext, id), true, why)
}

func (l *lifecycle) claim(ctx context.Context, obj managed, ext external, id string, records map[string]string, created bool, why string) (string, *result) {
	if res := l.checkRivalsFor(ctx, obj, ext, id); res != nil {
		// An open intent stays when another object manages what it found:
		// obj's own create may still show up (Gandi lists late), and
		// without the intent it would be nobody's, neither adopted nor
		// deleted with obj (findPendingForDelete skips the other's).
		return "", res
	}
	from, _ := effectsStale(obj, id, created)
	stale := staleEffectKeys(obj, ext, id, created)
	p, held := withHeldRequests(obj, ext, annotationPatch{set: records, remove: stale}, id, created, l.now())
	if err := recordExternalID(ctx, l.client, obj, id, p.set, p.remove...); err != nil {
		return "", halt(retry(err))
	}
	if len(stale) > 0 {
		l.effectsDropped(obj, ext, from, id)
	}
	l.events.normal(obj, "Adopted", "Adopt", why+": "+id)
	l.baselined(obj, held, id, created)
	return id, nil
}

// withHeldRequests adds to p, the write by which obj takes hold of id at
// now, what keeps it from repeating what it has no record of
// (withPastUnknown): when obj did not make id, or when its own create
// made it but obj takes hold again (takesHoldAgain: restored from a
// backup taken while that create was in flight, whose records say nothing
// of the requests performed after it). An ID its own create made is
// otherwise its own, nothing held.
func withHeldRequests(obj client.Object, ext external, p annotationPatch, id string, created bool, now time.Time) (annotationPatch, []oneOffRequest) {
	if created && !takesHoldAgain(obj, id) {
		return p, nil
	}
	return withPastUnknown(obj, ext, p, now)
}

// withPastUnknown adds to p, the write by which obj takes hold at now of a
// Gandi object whose past it has no record of, the baseline of the
// requests its spec holds (withBaseline) and, for a kind with paid
// changes, the start of the grace before its first one (withPaidHold): a
// change sent before it may still be under way.
func withPastUnknown(obj client.Object, ext external, p annotationPatch, now time.Time) (annotationPatch, []oneOffRequest) {
	p, held := withBaseline(obj, ext, p)
	return withPaidHold(ext, p, now), held
}

// baselined tells the user which requests the spec held are not performed
// on id (baselineRecords), once they are recorded; again says obj took
// hold of it again (takesHoldAgain).
func (l *lifecycle) baselined(obj managed, held []oneOffRequest, id string, again bool) {
	if len(held) > 0 {
		l.events.normal(obj, hostingv1alpha1.ReasonRequestNotPerformed, "Adopt", baselineNote(held, id, again))
	}
}

// createdRecords are the records of an ID obj's own create made: its
// idRecords and AnnotationCreatedID.
func createdRecords(ext external, id string) map[string]string {
	r := map[string]string{hostingv1alpha1.AnnotationCreatedID: id}
	maps.Copy(r, idRecordsOf(ext))
	return withEffectsFor(ext, id, r)
}

// effectsOnObject is an external some of whose side-effect records say
// what is set on the Gandi object (a password accepted, vhosts created
// there), not that a one-off request was made: they hold only for the
// object they were made on (followEffects).
type effectsOnObject interface {
	objectEffects() []string
	// forgetObjectEffects clears what status reports of them.
	forgetObjectEffects()
}

// withEffectsFor adds to records, for an effectsOnObject, the Gandi ID
// its records are made on from now on (AnnotationEffectsFor).
func withEffectsFor(ext external, id string, records map[string]string) map[string]string {
	if _, ok := ext.(effectsOnObject); !ok {
		return records
	}
	r := map[string]string{hostingv1alpha1.AnnotationEffectsFor: id}
	maps.Copy(r, records)
	return r
}

// followEffects keeps an effectsOnObject's records to the Gandi object id
// they are made on. When a person changes the external-id to another
// object, the records of what was set on the former one are dropped: kept,
// status would report a password the new object never got as applied, and
// a vhost this object created there could be deleted on the new one by its
// name. So are the records sent with a create that never happened when a
// person names an object instead (effectsStale). Records of one-off
// requests stay, so that none is repeated. An object without the
// annotation and without an intent (an older build's) has its records
// taken to be on id, as they always were.
func (l *lifecycle) followEffects(ctx context.Context, obj managed, ext external, id string) *result {
	if _, ok := ext.(effectsOnObject); !ok {
		return nil
	}
	was, recorded := obj.GetAnnotations()[hostingv1alpha1.AnnotationEffectsFor]
	if recorded && was == id {
		return nil
	}
	created := obj.GetAnnotations()[hostingv1alpha1.AnnotationCreatedID] == id
	from, _ := effectsStale(obj, id, created)
	// This write takes hold of id: it records the UID too, and ensureID
	// left taking hold again to it (holdToRecord).
	stale := staleEffectKeys(obj, ext, id, created)
	p, held := withHeldRequests(obj, ext, annotationPatch{set: map[string]string{hostingv1alpha1.AnnotationEffectsFor: id,
		hostingv1alpha1.AnnotationHeldByUID: string(obj.GetUID())}, remove: stale}, id, created, l.now())
	if err := patchAnnotations(ctx, l.client, obj, p); err != nil {
		return halt(retry(err))
	}
	if len(stale) > 0 {
		l.effectsDropped(obj, ext, from, id)
	}
	l.baselined(obj, held, id, created)
	return nil
}

// create records the intent, sends the create and records the ID. hadIntent
// says an intent from an earlier pass is kept as it is: its time is what a
// later lookup matches Gandi's creation dates against. lookedUp says this
// pass looked for the object before (not when createFirst).
func (l *lifecycle) create(ctx context.Context, obj managed, ext external, hadIntent, lookedUp bool) (string, *result) {
	records, err := ext.prepare(ctx)
	if err != nil {
		return "", l.prepareFailed(ctx, obj, ext, err, hadIntent)
	}
	intent := createIntent(obj, ext, records, hadIntent)
	_, knownBefore := ext.(idBeforeCreate)
	if err := l.reopenCreate(ctx, obj, ext); err != nil {
		return "", halt(retry(err))
	}
	// The optimistic lock makes a reconciler holding a stale copy (or a
	// second manager) lose here instead of buying twice.
	// A former attempt's loss record goes: this attempt's grace counts from
	// its own send, or its own loss.
	remove := append(intentEffects(ext, records), hostingv1alpha1.AnnotationCreateLostAt)
	var recordErr error
	sendCtx := gandi.RecordBeforeSend(ctx, func(ctx context.Context) (time.Duration, error) {
		// Stamped once the request's turn has come, and sent within the
		// send window of it (lossGrace counts from this stamp).
		stampIntent(intent, l.now(), hadIntent)
		recordErr = patchAnnotations(ctx, l.client, obj, annotationPatch{set: intent, remove: remove, finalizer: true})
		return l.timing.sendWindow(), recordErr
	})
	id, err := ext.create(sendCtx)
	if recordErr != nil {
		return "", halt(retry(recordErr))
	}
	if err != nil && !gandi.Recorded(sendCtx) {
		// Its turn never came (the budget paused, the deadline): nothing
		// was recorded or sent.
		res := failed(obj, l.timing, "create "+ext.describe(), err)
		return "", &res
	}
	if errors.Is(err, gandi.ErrSendWindowPassed) {
		return "", l.recordedTooLate(ctx, obj, ext, intent, err)
	}
	if err != nil {
		return "", l.createFailed(ctx, obj, ext, err, hadIntent, lookedUp, intent)
	}
	// "Accepted", not "created": Gandi's answer starts the create (a 202,
	// the legacy API's operations), and Ready waits for a pass to see it.
	note := "Gandi accepted the create of " + ext.describe()
	if !knownBefore { // a preset ID is already in the description
		note += " (" + id + ")"
	}
	l.events.normal(obj, "Created", "Create", note)
	if !knownBefore {
		if err := recordExternalID(ctx, l.client, obj, id, createdRecords(ext, id)); err != nil {
			// The intent stays: the next pass finds the object and adopts it.
			return "", halt(retry(err))
		}
	}
	if c, ok := ext.(createdInTransition); ok {
		// Gandi's answer said what a GET now would: the object is being
		// created. The next pass, at the transitional interval, reads it.
		reason, msg := c.creating()
		setCondition(obj, hostingv1alpha1.ConditionReady, false, reason, msg)
		return "", halt(waitFor(l.timing.Transitional))
	}
	return id, nil
}

// recordedTooLate reports a create recorded but not sent: its turn came
// too late after its record (gandi.ErrSendWindowPassed), as when the
// process was paused between them. Another process may have taken the
// record for lost meanwhile and sent its own create: the record is taken
// back only if nothing wrote the object since (locked); otherwise the next
// pass decides from what Gandi lists, as after a crash.
func (l *lifecycle) recordedTooLate(ctx context.Context, obj managed, ext external, intent map[string]string, err error) *result {
	reason := classify(err).reason
	l.events.warn(obj, reason, "Create", "create "+ext.describe()+": "+err.Error())
	keys := append(slices.Clone(intentAnnotations), slices.Collect(maps.Keys(intent))...)
	if perr := patchAnnotations(ctx, l.client, obj, annotationPatch{remove: keys}); perr != nil {
		return halt(retry(fmt.Errorf("the create of %s was not sent (%w), and taking back its record failed: %w", ext.describe(), err, perr)))
	}
	setCondition(obj, hostingv1alpha1.ConditionSynced, false, reason, "create "+ext.describe()+": "+err.Error()+"; it is sent again")
	return halt(waitFor(l.timing.Transitional))
}

// createIntent is the record a create writes before it is sent, but for
// its time (stampIntent): the ext's records, its hold, and for an ID known
// before the create that ID and what goes with it.
func createIntent(obj managed, ext external, records map[string]string, hadIntent bool) map[string]string {
	intent := maps.Clone(records)
	if intent == nil {
		intent = map[string]string{}
	}
	if !hadIntent {
		if k, ok := ext.(keyedIntent); ok {
			intent[hostingv1alpha1.AnnotationCreatePendingKey] = k.intentKey()
		}
	}
	if u, ok := ext.(undatedCreate); ok {
		// In the intent's own write: what this attempt sends, not what the
		// spec may say when a later pass looks for its result.
		intent[hostingv1alpha1.AnnotationCreateDigest] = withSentDigest(obj, hadIntent, u.sentDigest())
	}
	// The intent is this object's hold on what its create makes: a copy
	// restored from a backup taken while the create was in flight finds
	// that result through the intent, and takes hold of it again
	// (recordCreated).
	intent[hostingv1alpha1.AnnotationHeldByUID] = string(obj.GetUID())
	if preset, ok := ext.(idBeforeCreate); ok {
		intent[hostingv1alpha1.AnnotationExternalID] = preset.presetID()
		maps.Copy(intent, idRecordsOf(ext))
	}
	return intent
}

// stampIntent dates intent's attempt now: on every attempt, the first and
// any sent again, as it is what the grace counts from, and a real change,
// without which the optimistic lock would not stop a second manager
// holding the same version.
func stampIntent(intent map[string]string, now time.Time, hadIntent bool) {
	stamp := now.UTC().Format(time.RFC3339Nano)
	intent[hostingv1alpha1.AnnotationCreateSentAt] = stamp
	if !hadIntent {
		intent[hostingv1alpha1.AnnotationCreatePending] = stamp
	}
}

// undatedCreate is an external whose Gandi objects carry no creation date
// (templates): nothing dates a match before or after the intent, so what
// its create made is told from a same-named object someone else made by
// content. sentDigest is the digest of the create this pass sends, which
// create records with the intent (AnnotationCreateDigest); find gives each
// match the digest of what Gandi shows of it (candidate.content) whenever
// obj has an intent of its own. A match someone edited since the create
// made it no longer counts as made by it: it is left, never claimed.
type undatedCreate interface {
	sentDigest() string
}

// keyedIntent is an external whose natural key (credentials, sharing ID,
// name) may change while a create is unconfirmed; it is recorded with the
// intent (AnnotationCreatePendingKey).
type keyedIntent interface {
	intentKey() string
}

// intentKeyChanged stops obj while its open create intent was recorded
// under another natural key than its spec now gives: a lookup under the
// new one cannot see what the create made, and a create under it could
// buy a second object. fix says how the user gets out of it.
func (l *lifecycle) intentKeyChanged(obj managed, ext external, fix string) *result {
	since, pending := ownIntent(obj)
	recorded := obj.GetAnnotations()[hostingv1alpha1.AnnotationCreatePendingKey]
	k, ok := ext.(keyedIntent)
	if !pending || !ok || recorded == "" || recorded == k.intentKey() {
		return nil
	}
	msg := "the name, sharing ID or credentials changed while the create of " + ext.describe() + " sent at " + since.Format(time.RFC3339) +
		" is unconfirmed: what it made may be at Gandi under the earlier ones, where this object no longer looks; " + fix
	return stopped(obj, l.timing, hostingv1alpha1.ReasonCreateKeyChanged, msg)
}

// idBeforeCreate is an external whose Gandi ID is known before its create
// (a vhost's FQDN): the ID is recorded with the intent, in the same write,
// and nothing is written after the create. The intent stays beside the ID
// until a pass sees Gandi's object (openIntent, settleIntent): one write
// per create instead of two.
type idBeforeCreate interface {
	presetID() string
}

// answerNamed is an external whose create learns the Gandi ID from its
// answer and records it in a write after it (not idBeforeCreate):
// intents lists the objects of its kind with a create intent for the same
// Gandi object, in every credentials scope (intentsNaming), whose creates
// may have made what Gandi lists before their IDs are written.
type answerNamed interface {
	intents(ctx context.Context) ([]client.Object, error)
}

var (
	_ answerNamed = &instanceExternal{}
	_ answerNamed = &paasExternal{}
	_ answerNamed = &templateExternal{}
)

// intentsElsewhere are the open create intents of the other cluster
// objects naming obj's Gandi object in any credentials scope (otherIntent).
func intentsElsewhere(ctx context.Context, obj managed, ext external) ([]otherIntent, error) {
	objs, err := intentHolders(ctx, ext)
	if err != nil {
		return nil, err
	}
	return otherIntents(obj, objs), nil
}

// intentHolders lists the cluster objects with a create intent naming
// ext's Gandi object in any credentials scope: none for a kind whose ID is
// known before its create (not answerNamed).
func intentHolders(ctx context.Context, ext external) ([]client.Object, error) {
	n, ok := ext.(answerNamed)
	if !ok {
		return nil, nil
	}
	objs, err := n.intents(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the create intents naming %s: %w", ext.describe(), err)
	}
	return objs, nil
}

// otherIntents are the open create intents among objs other than obj's.
func otherIntents(obj client.Object, objs []client.Object) []otherIntent {
	var out []otherIntent
	for _, o := range objs {
		if o.GetUID() == obj.GetUID() {
			continue
		}
		if since, open := openIntent(o); open {
			out = append(out, otherIntent{since: since, sent: lastCreateSent(o), lostAt: createLostAt(o), digests: sentDigests(o)})
		}
	}
	return out
}

// idContext is an external whose ID names its Gandi object only within a
// parent the spec resolves each pass (a vhost's FQDN, on its instance):
// idRecords are annotations written with the ID, in the same write, and
// taken back with it, so that a later pass can tell a record made under
// another parent (vhost_controller.go: followInstance).
type idContext interface {
	idRecords() map[string]string
}

func idRecordsOf(ext external) map[string]string {
	if c, ok := ext.(idContext); ok {
		return c.idRecords()
	}
	return nil
}

// idAnnotations are the annotations of a recorded ID (idContext's too),
// taken back together.
var idAnnotations = []string{hostingv1alpha1.AnnotationExternalID, hostingv1alpha1.AnnotationInstanceID, hostingv1alpha1.AnnotationInstanceCredentials,
	hostingv1alpha1.AnnotationHeldByUID}

// takeBackID removes a recorded ID, with the records that place it and
// the create intent beside it, once what Gandi shows under it is found
// not to be this object's: neither managed nor deleted with it. Unlocked:
// it records what Gandi showed, which a concurrent edit must not make us
// lose.
func takeBackID(ctx context.Context, c client.Client, obj client.Object) error {
	return patchAnnotations(ctx, c, obj, annotationPatch{remove: append(slices.Clone(idAnnotations), intentAnnotations...), unlocked: true})
}

// settleIntent decides what Gandi shows under an ID recorded with a create
// intent that is still open (openIntent): seen is Gandi's object under the
// ID, nil when Gandi has none. The rules are resolveID's for an intent,
// with the ID already known: an object Gandi made since the intent is this
// object's (nothing is written: the status this pass writes resolves the
// intent); nothing yet, within the grace, is waited for; nothing after it
// means the create was never sent, and it is sent; an object made before
// the intent is someone else's, unless the user handed it over. A nil
// result means obj goes on with seen as its own.
func (l *lifecycle) settleIntent(ctx context.Context, obj managed, ext external, seen *candidate, observeOnly bool) *result {
	since, _ := createPendingSince(obj)
	sent := lastCreateSent(obj)
	var matches []candidate
	if seen != nil {
		matches = []candidate{*seen}
	}
	decision, which := decideClaim(claimInput{
		matches: matches, pending: true, pendingSince: since, lastSent: sent, lostAt: createLostAt(obj), observeOnly: observeOnly,
		uniqueKey: ext.uniqueKey(), now: l.now(), grace: l.timing.CreateGrace,
	})
	if seen != nil && decision != decideAdopt && handedOverAll(obj, ext, matches) {
		_, res := l.adopt(ctx, obj, ext, seen.id, "adopted the existing "+ext.describe()+" as the user asked")
		return res
	}
	switch decision {
	case decideAdopt:
		return nil
	case decideWait:
		setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating,
			"a create was sent at "+sent.Format(time.RFC3339)+" and Gandi does not show the "+ext.describe()+" yet; looking on each pass before trying again")
		return halt(waitFor(l.timing.Transitional))
	case decideAlreadyExists:
		// This object's create did not make it: the ID it recorded in
		// advance is not its to manage (or to delete), so it is taken back
		// and the next pass reports the object as any lookup would.
		if err := takeBackID(ctx, l.client, obj); err != nil {
			return halt(retry(err))
		}
		return l.alreadyExists(obj, ext, which)
	case decideAbsent:
		return l.absent(obj, ext)
	}
	if _, res := l.create(ctx, obj, ext, true, true); res != nil {
		return res
	}
	return halt(waitFor(l.timing.Transitional))
}

// createdInTransition is an external whose accepted create leaves the
// Gandi object in a known transitional state (202 Accepted: instances,
// vhosts), so that no GET right after the create is needed to know it.
type createdInTransition interface {
	creating() (reason, message string)
}

// prepareFailed reports a create that could not be prepared: refused by
// Gandi's Dry-Run or by the adapter (the spec must change), or not known
// yet (a failed read, retried).
func (l *lifecycle) prepareFailed(ctx context.Context, obj managed, ext external, err error, hadIntent bool) *result {
	var refused *gandi.ValidationError
	var bad *specError
	isRefused, isBad := errors.As(err, &refused), errors.As(err, &bad)
	if isRefused || isBad {
		if res := l.unsendable(ctx, obj, ext, err, hadIntent); res != nil {
			return res
		}
	}
	switch {
	case isRefused:
		msg := "Gandi refused the " + ext.describe() + ": " + refused.Error()
		l.events.warn(obj, hostingv1alpha1.ReasonInvalidSpec, "Create", msg)
		// Gandi's answer to this generation's spec, after the lookup.
		return halt(createRefused(obj, ext, msg, *concluded(obj, l.timing, hostingv1alpha1.ReasonInvalidSpec, msg)))
	case isBad:
		setCondition(obj, hostingv1alpha1.ConditionSynced, false, classify(bad).reason, bad.msg)
		return halt(createRefused(obj, ext, "the create of "+ext.describe()+" cannot be sent: "+bad.msg, waitFor(jittered(l.timing.Poll))))
	}
	res := failed(obj, l.timing, "prepare the create of "+ext.describe(), err)
	return &res
}

// unsendable takes back an earlier pass's intent (hadIntent) when the
// create that was to follow it cannot be sent as the spec stands: its
// grace passed with nothing found, so nothing can come of it (see
// createFailed). A preset ID was recorded with the intent and goes with it.
func (l *lifecycle) unsendable(ctx context.Context, obj managed, ext external, err error, hadIntent bool) *result {
	if !hadIntent {
		return nil
	}
	var keys []string
	if _, preset := ext.(idBeforeCreate); preset {
		keys = idAnnotations
	}
	if perr := l.takeBackIntent(ctx, obj, keys); perr != nil {
		return halt(retry(fmt.Errorf("the create of %s cannot be sent (%w), and taking back the intent failed: %w", ext.describe(), err, perr)))
	}
	return nil
}

// createFailed decides what a failed create means. When Gandi certainly
// did not act (a refusal, a 429, Gandi's own 5xx), the intent of this pass
// is taken back and the create is tried again (or the refusal reported).
// Anything else may have created the object: the intent stays, and the
// next passes look for it before any new attempt.
func (l *lifecycle) createFailed(ctx context.Context, obj managed, ext external, err error, hadIntent, lookedUp bool, intent map[string]string) *result {
	reason := classify(err).reason
	if !gandi.IsAlreadyExists(err) || !refusalRecorded(ext) {
		l.events.warn(obj, reason, "Create", "create "+ext.describe()+": "+err.Error())
	}
	if !gandi.NotApplied(err) {
		// The attempt may have reached Gandi only now (it went out within
		// half the grace of its record, but its answer may take the
		// client's timeout): the grace counts from here, not from the
		// create-sent-at written before it.
		if perr := l.recordLossAt(ctx, obj); perr != nil {
			return halt(retry(fmt.Errorf("the answer to the create of %s was lost (%w), and recording when failed: %w", ext.describe(), err, perr)))
		}
		setCondition(obj, hostingv1alpha1.ConditionSynced, false, reason,
			"create "+ext.describe()+": "+err.Error()+"; the answer was lost, so Gandi is searched before any new attempt")
		setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating, "waiting to see whether Gandi made the "+ext.describe())
		return halt(waitFor(l.timing.Transitional))
	}
	if gandi.IsAlreadyExists(err) && hadIntent && l.foundAfterRefusal(ctx, ext) {
		// The key is taken, maybe by this object's earlier create whose
		// answer was lost: the next pass decides from what Gandi lists.
		setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating,
			"Gandi already has the "+ext.describe()+": looking whether this object's earlier create made it")
		return halt(waitFor(l.timing.Transitional))
	}
	// Nothing was made: not by this attempt, and not by an earlier one
	// (hadIntent: its grace passed with nothing found, and a lookup after
	// an AlreadyExists refusal still finds nothing). The intent is
	// taken back with what it recorded, also when it was an earlier
	// pass's: kept, it would take an object someone makes later under
	// this key for this object's create.
	if perr := l.takeBackIntent(ctx, obj, slices.Collect(maps.Keys(intent))); perr != nil {
		return halt(retry(fmt.Errorf("create %s was refused (%w), and taking back the intent failed: %w", ext.describe(), err, perr)))
	}
	if gandi.IsAlreadyExists(err) && !lookedUp {
		// Sent without a lookup (createFirst): the refusal stands for it.
		// What Gandi has under the key is reported as a lookup would
		// have, and never claimed: the user hands it over if it is theirs.
		matches, ferr := ext.find(ctx)
		switch {
		case ferr != nil:
			msg := "create " + ext.describe() + ": " + err.Error() + ": Gandi already has it, and looking it up failed (" + ferr.Error() + "); it is looked up again at the next pass"
			return stopped(obj, l.timing, hostingv1alpha1.ReasonAlreadyExists, msg)
		case len(matches) > 0:
			return l.alreadyExists(obj, ext, matches)
		}
	}
	if gandi.IsAlreadyExists(err) {
		// The lookup of this pass found nothing, so it exists where this
		// object cannot see it (a vhost FQDN served by another instance):
		// adopting cannot help.
		msg := "create " + ext.describe() + ": " + err.Error() + ": Gandi has it where this object cannot see it (for a vhost: another instance serves this FQDN); remove it there or choose another name"
		k, keeps := ext.(refusalKept)
		if keeps {
			msg += " (" + resentNote(l.timing.Detail) + ")"
		}
		// Concluded: the status this pass writes answers the spec and any
		// reconcile requested.
		res := halt(createRefused(obj, ext, msg, *concluded(obj, l.timing, hostingv1alpha1.ReasonAlreadyExists, msg)))
		if keeps {
			// Recorded in that status: the create is sent again only as
			// refusalStands says.
			k.keepRefusedAt(&metav1.Time{Time: l.now()})
		}
		return res
	}
	res := failed(obj, l.timing, "create "+ext.describe(), err)
	msg := "Gandi refused to create the " + ext.describe() + ": " + err.Error()
	if reason := refusedCreateReason(err); reason != hostingv1alpha1.ReasonCreateRefused {
		setCondition(obj, hostingv1alpha1.ConditionReady, false, reason, msg)
	} else {
		// Only a change of the spec helps: Gandi's refusal concludes the
		// pass, as a refusal for a taken key does. One sent again by
		// itself (a rate limit, a 5xx) concludes nothing.
		res = createRefused(obj, ext, msg, res)
		res.observed = true
	}
	return &res
}

// refusedCreateReason is Ready's reason after a create Gandi certainly did
// not perform: CreateRefused when only a change of the spec (or of what
// it names) can help, the failure's own reason when the create is sent
// again by itself (a rate limit, Gandi's 5xx, a refused connection).
func refusedCreateReason(err error) string {
	if f := classify(err); f.transient {
		return f.reason
	}
	return hostingv1alpha1.ReasonCreateRefused
}

// createRefused reports on Ready a create Gandi refused, or one that
// cannot be sent as the spec stands, once nothing can come of it: the
// intent is taken back (or there was none), so nothing was made and no
// create is on its way. The CRDs read its reason: while it stands and
// status has no Gandi ID, the create-only fields can change, so the
// user corrects the spec instead of deleting and re-creating the object.
// res, the pass's answer, is stalled on that report, whatever the cause:
// only a change of the spec (or of what it names) sends the create again.
func createRefused(obj managed, ext external, cause string, res result) result {
	if k, ok := ext.(refusalKept); ok {
		// A refusal for another cause replaces a recorded one.
		k.keepRefusedAt(nil)
	}
	msg := cause + "; nothing was created or bought at Gandi: correct the spec (its create-only fields too, until Gandi has the " +
		ext.describe() + ") and the create is sent again"
	setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreateRefused, msg)
	return res.stalling(hostingv1alpha1.ReasonCreateRefused, msg)
}

// reopenCreate takes CreateRefused off Ready before the create is sent
// again, in a status write locked to the version this pass read. While it
// stands the CRDs let the create-only fields change: a change admitted
// once this create is on its way would describe something else than what
// it buys. One admitted before this write makes it fail, and the next
// pass sends what the spec then says. No step of a pass sets Ready before
// the create, so obj's Ready is still the one the API server holds.
func (l *lifecycle) reopenCreate(ctx context.Context, obj managed, ext external) error {
	c := meta.FindStatusCondition(*obj.GetConditions(), hostingv1alpha1.ConditionReady)
	if c == nil || c.Reason != hostingv1alpha1.ReasonCreateRefused {
		return nil
	}
	base, ok := obj.DeepCopyObject().(managed)
	if !ok {
		return fmt.Errorf("copy %T", obj)
	}
	updated, _ := base.DeepCopyObject().(managed)
	msg := "sending the create of " + ext.describe() + " again, as the spec now stands"
	setCondition(updated, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating, msg)
	// No longer stalled on the refusal: a create is on its way.
	meta.RemoveStatusCondition(updated.GetConditions(), hostingv1alpha1.ConditionStalled)
	if err := l.client.Status().Patch(ctx, updated, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("take CreateRefused off %s before its create is sent again: %w", obj.GetName(), err)
	}
	// Refused again, the pass ends with the status it read: it must write
	// it all the same.
	wroteStatus(ctx, updated.GetStatus())
	setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating, msg)
	meta.RemoveStatusCondition(obj.GetConditions(), hostingv1alpha1.ConditionStalled)
	obj.SetResourceVersion(updated.GetResourceVersion())
	return nil
}

// foundAfterRefusal looks again, after an AlreadyExists refusal of a
// create sent again, for what an earlier create of this intent may have
// made: found (or the lookup failed), the intent stays and the next pass
// decides. Nothing found means the refusal is about what this object
// cannot see (a vhost FQDN another instance serves): kept, the intent
// would send the create again after every grace, forever.
func (l *lifecycle) foundAfterRefusal(ctx context.Context, ext external) bool {
	matches, err := ext.find(ctx)
	return err != nil || len(matches) > 0
}

// takeBackIntent removes an open create intent, and keys recorded with
// it, once nothing can have come of it. Unlocked: it records what Gandi
// did not do, which a concurrent edit must not make us lose.
func (l *lifecycle) takeBackIntent(ctx context.Context, obj managed, keys []string) error {
	return patchAnnotations(ctx, l.client, obj, annotationPatch{remove: append(slices.Clone(intentAnnotations), keys...), unlocked: true})
}

// connector resolves an object's adapter for deletion, and where its
// credentials came from (src, as connect); gone reports that the Gandi
// object cannot exist anymore (a vhost whose HostingInstance is gone).
type connector func(ctx context.Context) (ext external, src credentialSource, gone bool, err error)

// deletionRequest is what finalize needs to know of an object being deleted.
type deletionRequest struct {
	id      string
	policy  *hostingv1alpha1.ManagedFields
	connect connector
}

// observeOnly reports managementPolicy Observe: nothing is ever written.
func observeOnly(p *hostingv1alpha1.ManagedFields) bool {
	return p.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve
}

// withCredentials is the connector of a kind whose adapter needs only the
// object's own credentials.
func withCredentials(creds *Credentials, namespace string, ref *hostingv1alpha1.CredentialsReference, build func(*gandi.Client) external) connector {
	return func(ctx context.Context) (external, credentialSource, bool, error) {
		api, src, err := creds.Connect(ctx, namespace, ref)
		if err != nil {
			return nil, src, false, err
		}
		return build(api), src, false, nil
	}
}

// deletesAtGandi reports that deleting obj deletes what it manages at
// Gandi: it holds the finalizer, and neither Orphan nor Observe leaves
// the Gandi object.
func deletesAtGandi(obj client.Object, p *hostingv1alpha1.ManagedFields) bool {
	return controllerutil.ContainsFinalizer(obj, Finalizer) && p.DeletionPolicy != hostingv1alpha1.DeletionPolicyOrphan && !observeOnly(p)
}

// finalize runs the deletion policy; done means the finalizer may go.
// Delete removes the Gandi object and waits until it is gone; Orphan and
// Observe leave it; an object that never recorded an ID or an intent owns
// nothing; an object another one outranks owns nothing either.
func (l *lifecycle) finalize(ctx context.Context, obj managed, d deletionRequest) (bool, result) {
	_, pending := ownIntent(obj)
	if !deletesAtGandi(obj, d.policy) || (d.id == "" && !pending) {
		return true, result{}
	}
	ext, src, gone, err := d.connect(ctx)
	if gone {
		return true, result{}
	}
	if err != nil {
		setCondition(obj, hostingv1alpha1.ConditionReady, false, classify(err).reason, "cannot delete: "+err.Error())
		return false, failed(obj, l.timing, "delete needs credentials (restore them, or set spec.deletionPolicy: Orphan)", err)
	}
	if res := l.checkRivals(ctx, obj, ext); res != nil {
		if res.err != nil {
			return false, *res
		}
		l.events.normal(obj, "Released", "Delete", "another object manages "+ext.describe()+": it is left at Gandi")
		return true, result{}
	}
	id := d.id
	if id == "" {
		if res := l.intentKeyChanged(obj, ext, "put them back so that deleting finds and deletes it, or set spec.deletionPolicy: Orphan to leave it"); res != nil {
			return false, *res
		}
		var res *result
		if id, res = l.findPendingForDelete(ctx, obj, ext); res != nil || id == "" {
			return res == nil, derefResult(res)
		}
	}
	return l.deleteAtGandi(ctx, obj, ext, id, src)
}

func derefResult(r *result) result {
	if r == nil {
		return result{}
	}
	return *r
}

// findPendingForDelete finds what a create with a lost answer may have
// made, so that deleting the object does not leave it behind: it reads
// what decidePendingDelete needs and does what it decides. An empty id
// with a nil result means nothing of this object's is at Gandi.
func (l *lifecycle) findPendingForDelete(ctx context.Context, obj managed, ext external) (string, *result) {
	matches, err := ext.find(ctx)
	if err != nil {
		res := failed(obj, l.timing, "look up "+ext.describe(), err)
		return "", &res
	}
	in := pendingDeleteInput{obj: obj, matches: matches, rivals: map[string][]client.Object{}, now: l.now(), grace: l.timing.CreateGrace}
	recent := madeSinceIntent(obj, matches)
	for _, c := range recent {
		if in.rivals[c.id], err = ext.rivals(ctx, c.id); err != nil {
			return "", halt(retry(fmt.Errorf("list the objects naming %s: %w", ext.describe(), err)))
		}
	}
	// Other objects' intents only tell about a match no object manages.
	if mine, _ := splitManaged(obj, recent, in.rivals); len(mine) > 0 {
		if in.intents, err = intentHolders(ctx, ext); err != nil {
			return "", halt(retry(err))
		}
	}
	d := decidePendingDelete(in)
	switch d.action {
	case pendingFound:
		return d.id, nil
	case pendingAmbiguous:
		return "", l.ambiguous(obj, ext, d.which)
	case pendingWaitOwn:
		if d.recordLoss {
			if err := l.recordLossAt(ctx, obj); err != nil {
				return "", halt(retry(fmt.Errorf("record that the answer to the create of %s was lost: %w", ext.describe(), err)))
			}
		}
		setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonDeleting,
			"looking for the "+ext.describe()+" an interrupted create may have made, to delete it")
		return "", halt(waitFor(l.timing.Transitional))
	case pendingWaitOthers:
		setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonDeleting,
			"another object's create of "+ext.describe()+" may have made "+candidateIDs(d.which)+", and its answer may still come: waiting for it before deleting anything")
		return "", halt(waitFor(l.timing.Transitional))
	}
	if len(d.theirs) > 0 {
		l.events.normal(obj, "Released", "Delete", "another object manages "+ext.describe()+" ("+candidateIDs(d.theirs)+"): it is left at Gandi")
	}
	if len(d.shared) > 0 {
		l.events.normal(obj, "Released", "Delete", "another object's create of "+ext.describe()+" may have made "+candidateIDs(d.shared)+": it is left at Gandi")
	}
	return "", nil
}

// refusedForDelete reports an object to delete that Gandi refuses to src
// while it answers them otherwise (errNotVisible): it is neither deleted
// nor taken for gone, and the object keeps its finalizer, saying why.
func (l *lifecycle) refusedForDelete(obj managed, ext external, id string, src credentialSource) result {
	const orphan = "to leave whatever Gandi has and let this object go, set spec.deletionPolicy: Orphan"
	if res := l.notFoundElsewhere(obj, ext.describe(), id, src, orphan); res != nil {
		return *res
	}
	msg := refusedMessage(ext.describe()+" ("+id+")", src) + "; it is not deleted, and this object waits: give these credentials access to it again, or " + orphan
	l.events.warn(obj, hostingv1alpha1.ReasonExternalNotFound, "Delete", msg)
	return *stopped(obj, l.timing, hostingv1alpha1.ReasonExternalNotFound, msg)
}

// deleteAtGandi deletes id and reports whether it is gone. A "not found"
// under other credentials (src) than those id was last seen under is no
// proof that it is gone (judgeNotFound): the object keeps its finalizer,
// and says so, rather than leave behind what may still exist, unmanaged.
func (l *lifecycle) deleteAtGandi(ctx context.Context, obj managed, ext external, id string, src credentialSource) (bool, result) {
	deleting, err := ext.deleting(ctx, id)
	if errors.Is(err, errLeaveAtGandi) {
		return true, result{}
	}
	// Once a pass saw Gandi deleting it (Ready Deleting: this object's own
	// delete, accepted), "not found" is that delete done, under whichever
	// credentials: a key rotated before Gandi finished must not wedge it.
	if gandi.IsNotFound(err) && readyReason(obj) != hostingv1alpha1.ReasonDeleting {
		if res := l.notFoundElsewhere(obj, ext.describe(), id, src, "to leave whatever Gandi has and let this object go, set spec.deletionPolicy: Orphan"); res != nil {
			return false, *res
		}
	}
	if errors.Is(err, errNotVisible) {
		return false, l.refusedForDelete(obj, ext, id, src)
	}
	if gandi.IsNotFound(err) || errors.Is(err, errGoneAtGandi) {
		l.events.normal(obj, "Deleted", "Delete", ext.describe()+" is gone at Gandi")
		return true, result{}
	}
	var notYet *notDeletableYet
	if errors.As(err, &notYet) {
		// Read under these credentials all the same.
		sawUnder(obj, id, src)
		setCondition(obj, hostingv1alpha1.ConditionReady, false, notYet.reason, notYet.message)
		if notYet.lasting {
			return false, waitFor(jittered(l.timing.Poll))
		}
		return false, waitFor(l.timing.Transitional)
	}
	if err != nil {
		return false, failed(obj, l.timing, "get "+ext.describe()+" to delete it", err)
	}
	// Seen under these credentials: a "not found" after the delete below
	// is this delete's doing.
	sawUnder(obj, id, src)
	if !deleting {
		gone, err := ext.remove(ctx, id)
		if err != nil && !gandi.IsNotFound(err) {
			l.events.warn(obj, classify(err).reason, "Delete", "delete "+ext.describe()+": "+err.Error())
			return false, failed(obj, l.timing, "delete "+ext.describe(), err)
		}
		if gone || gandi.IsNotFound(err) {
			l.events.normal(obj, "Deleted", "Delete", "deleted "+ext.describe()+" at Gandi")
			return true, result{}
		}
		l.events.normal(obj, "Deleting", "Delete", "asked Gandi to delete "+ext.describe())
	}
	setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonDeleting, "waiting for Gandi to delete "+ext.describe())
	return false, waitFor(l.timing.Transitional)
}
