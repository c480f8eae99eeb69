package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// Finalizer keeps an object until its Gandi counterpart is dealt with.
const Finalizer = "hosting.gandi-operator.dev/finalizer"

func isPaused(obj client.Object) bool {
	return obj.GetAnnotations()[hostingv1alpha1.AnnotationPaused] == "true"
}

func adoptRequested(obj client.Object) bool {
	return obj.GetAnnotations()[hostingv1alpha1.AnnotationAdopt] == "true"
}

func externalIDAnnotation(obj client.Object) string {
	return obj.GetAnnotations()[hostingv1alpha1.AnnotationExternalID]
}

// knownID is the Gandi ID an object manages: the annotation (which survives
// a backup and restore) first, then the status.
func knownID(obj client.Object, statusID string) string {
	if id := externalIDAnnotation(obj); id != "" {
		return id
	}
	return statusID
}

// ManagedID is the Gandi ID obj manages, as its own passes and its
// deletion take it, and so the one answer to "which object manages ID X"
// (the ID index, claimRank, the rival checks of a pass and of finalize,
// kubectl gandi import). A kind whose passes fall back to the status when
// the annotation is gone (knownID: a kubectl replace or a GitOps force
// sync drops it, and the object goes on managing what its status names)
// is seen under that status ID too: otherwise a second object given the
// ID by hand would not see it, would manage the same Gandi object, and
// deleting it would delete it. A Vhost's ID is its FQDN: only an
// annotation naming spec.fqdn counts (vhostRecord). "" when obj records
// no ID.
func ManagedID(obj client.Object) string {
	switch o := obj.(type) {
	case *hostingv1alpha1.HostingInstance:
		return instanceID(o)
	case *hostingv1alpha1.PaaSInstance:
		return paasIDText(o)
	case *hostingv1alpha1.Template:
		if publicReleased(o) {
			// The status names a public template the user let go
			// (releasePublic): the object looks for its own by name.
			return ""
		}
		return templateID(o)
	case *hostingv1alpha1.Vhost:
		id, _ := vhostRecord(o)
		return id
	}
	return externalIDAnnotation(obj)
}

// vhostRecord decides what a Vhost's external-id annotation records: the
// vhost it manages, as spec.fqdn in the ASCII form Gandi names it by, when
// the annotation names spec.fqdn (in any form IDNA maps to it); foreign
// when it names another FQDN. A vhost's ID is its FQDN, so such an
// annotation (a manifest copied from another Vhost and given another
// spec.fqdn, or a hand edit) names a vhost this object does not declare:
// it is neither managed nor deleted, and the object reports it
// (foreignVhostID). No ID and not foreign when the annotation is absent,
// or spec.fqdn is no host name (reported as such).
func vhostRecord(vh *hostingv1alpha1.Vhost) (id string, foreign bool) {
	named := externalIDAnnotation(vh)
	fqdn, ok := VhostFQDNKey(vh)
	if named == "" || !ok {
		return "", false
	}
	if ascii, err := toASCII(named); err == nil && ascii == fqdn {
		return fqdn, false
	}
	return "", true
}

// createPendingSince returns when this object recorded its intent to create,
// if it did.
func createPendingSince(obj client.Object) (time.Time, bool) {
	v, ok := obj.GetAnnotations()[hostingv1alpha1.AnnotationCreatePending]
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		// An unreadable intent still is an intent: treat it as old, so the
		// lookup by name runs and nothing is bought blindly.
		return time.Time{}, true
	}
	return t, true
}

// ownIntent is createPendingSince for this object's own pending intent
// only: an intent recorded before the object existed (inheritedIntent: a
// restore, or a copy of another object's annotations) is not this
// object's, and one whose create a pass saw done (intentSeenMade) is
// pending no more, so neither explains a match at Gandi, is waited for,
// or finds anything to delete, and a create records a fresh one.
func ownIntent(obj client.Object) (time.Time, bool) {
	since, pending := createPendingSince(obj)
	if pending && (inheritedIntent(obj, since) || intentSeenMade(obj, since)) {
		return since, false
	}
	return since, pending
}

// intentSeenMade reports, for a kind that records its ID with its create
// intent (gandiCreatedAt: the intent stays beside the ID), that the status
// shows the Gandi object that create made: created since the intent
// (give or take clockSkew), as only a pass that read it writes. What Gandi
// shows under that name later (a vhost someone made again after this one
// was deleted, once the external-id is removed to create it again) is
// then no longer explained by the intent.
func intentSeenMade(obj client.Object, since time.Time) bool {
	at, recordedWithIntent := gandiCreatedAt(obj)
	return recordedWithIntent && !at.IsZero() && !at.Before(since.Add(-clockSkew))
}

// lastCreateSent is when the latest create under obj's intent was about to
// be sent (AnnotationCreateSentAt), which the create grace counts from;
// the intent's own time for a record an earlier build wrote without it.
func lastCreateSent(obj client.Object) time.Time {
	since, _ := createPendingSince(obj)
	v, ok := obj.GetAnnotations()[hostingv1alpha1.AnnotationCreateSentAt]
	if !ok {
		return since
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.Before(since) {
		return since
	}
	return t
}

// sentDigests are the digests of what the creates under obj's intent sent
// (AnnotationCreateDigest), for a kind Gandi gives no creation date; none
// for an intent an earlier build recorded without them.
func sentDigests(obj client.Object) []string {
	v := obj.GetAnnotations()[hostingv1alpha1.AnnotationCreateDigest]
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// maxSentDigests bounds the digests one intent keeps: a create is sent
// again only after a grace with nothing found, and a spec edited between
// every attempt is not worth an annotation without end. The oldest goes
// first: its create is the least likely to show up still.
const maxSentDigests = 4

// withSentDigest is the AnnotationCreateDigest value that records digest
// beside those of the earlier creates under obj's intent (kept, hadIntent,
// since what one of them made may still show up).
func withSentDigest(obj client.Object, hadIntent bool, digest string) string {
	var all []string
	if hadIntent {
		all = sentDigests(obj)
	}
	if !slices.Contains(all, digest) {
		all = append(all, digest)
	}
	if len(all) > maxSentDigests {
		all = all[len(all)-maxSentDigests:]
	}
	return strings.Join(all, ",")
}

// createLostAt is when the answer to the latest create under obj's intent
// was lost (AnnotationCreateLostAt); zero when none is recorded for that
// create (its answer came, it is in flight, or a crash cut it), or when
// the record is older than the create, an earlier attempt's.
func createLostAt(obj client.Object) time.Time {
	v, ok := obj.GetAnnotations()[hostingv1alpha1.AnnotationCreateLostAt]
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.Before(lastCreateSent(obj)) {
		return time.Time{}
	}
	return t
}

// openIntent reports a create intent that is not resolved yet, and when
// it was recorded. Most kinds learn their Gandi ID from the create's
// answer: their intent is open until the ID is recorded, in the write that
// takes the intent away. A kind whose ID is known before its create (a
// vhost's is its FQDN; see gandiCreatedAt) records the ID with the intent,
// in one write, and writes nothing after the create: its intent stays
// beside the ID and is resolved once the status shows Gandi's object under
// that ID created since the intent, which only a pass that read it at
// Gandi writes. Until then the ID may name nothing (a crash between that
// write and the POST) or something someone else made before the intent.
// Beside an intent on any other kind, an ID was named by a person, whose
// word stands; so it does beside an intent older than the object itself
// (inheritedIntent).
func openIntent(obj client.Object) (time.Time, bool) {
	since, pending := ownIntent(obj)
	if !pending || externalIDAnnotation(obj) == "" {
		return since, pending
	}
	_, recordedWithIntent := gandiCreatedAt(obj)
	return since, recordedWithIntent
}

// inheritedIntent reports an intent recorded before obj existed: obj was
// restored from a backup (whose status was left behind) or applied from a
// copy of another object's annotations. A pass of this object writes its
// intent after the API server created it, so such an intent is not this
// object's own: the ID beside it is the word of whoever restored it, and a
// 404 under that ID is a vhost deleted at Gandi, reported, not a create to
// send again. (The two clocks differ by up to clockSkew.)
func inheritedIntent(obj client.Object, since time.Time) bool {
	return !since.IsZero() && since.Add(clockSkew).Before(obj.GetCreationTimestamp().Time)
}

// gandiCreatedAt is, for a kind that records its Gandi ID with its create
// intent, when Gandi created the object under that ID, as obj's status last
// observed it (zero when it has not).
func gandiCreatedAt(obj client.Object) (at time.Time, recordedWithIntent bool) {
	vh, ok := obj.(*hostingv1alpha1.Vhost)
	if !ok {
		return time.Time{}, false
	}
	if vh.Status.CreatedAt == nil {
		return time.Time{}, true
	}
	return vh.Status.CreatedAt.Time, true
}

// settledID is the Gandi ID obj certainly manages (ManagedID), unless it
// was recorded with a create intent that is still open (openIntent).
func settledID(obj client.Object) string {
	if _, open := openIntent(obj); open {
		return ""
	}
	return ManagedID(obj)
}

// lookupWindow says which list may answer an object's lookup by natural
// key before a create.
type lookupWindow struct {
	// notBefore: the list was sent after this.
	notBefore time.Time
	// fresh: only a list fetched for this lookup answers.
	fresh bool
}

// lookupWindowOf is obj's lookupWindow. Without a create intent, obj has
// never sent a create (the intent is recorded before every one), so the
// lookup only looks for what someone else made: any list the observer
// still trusts answers if it was sent after obj was applied, so that what
// existed at Gandi then is always seen (the creation timestamp has whole
// seconds: a second is added). The objects applied together then share
// one list instead of a lookup each. With an intent, the lookup looks for
// what obj's own create may have made, maybe after a lost answer and while
// Gandi still works on it: a list fetched for this lookup, every time, so
// that a stale one can never make the create grace run out into a second
// purchase.
func lookupWindowOf(obj client.Object) lookupWindow {
	w := lookupWindow{notBefore: obj.GetCreationTimestamp().Add(time.Second)}
	if since, pending := ownIntent(obj); pending {
		w.fresh = true
		if since.After(w.notBefore) {
			w.notBefore = since
		}
	}
	return w
}

// annotationPatch sets and removes annotations.
type annotationPatch struct {
	set    map[string]string
	remove []string
	// unlocked skips the version check, for a record of what happened at
	// Gandi that a concurrent edit of the object must not make us lose.
	unlocked bool
	// finalizer adds the operator's finalizer in the same write: the
	// create intent and an adopted ID are the writes after which
	// something at Gandi is this object's.
	finalizer bool
	// labels are set in the same write.
	labels map[string]string
}

// patchAnnotations writes annotations with an optimistic lock, so that two
// reconcilers racing on one object cannot both record a create intent: the
// loser gets a conflict and looks again. It leaves obj's in-memory status
// alone (the status is written once, at the end of the pass).
func patchAnnotations(ctx context.Context, c client.Client, obj client.Object, p annotationPatch) error {
	updated, ok := obj.DeepCopyObject().(client.Object)
	if !ok {
		return fmt.Errorf("copy %T", obj)
	}
	base, _ := updated.DeepCopyObject().(client.Object)
	ann := updated.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	for k, v := range p.set {
		ann[k] = v
	}
	for _, k := range p.remove {
		delete(ann, k)
	}
	updated.SetAnnotations(ann)
	if len(p.labels) > 0 {
		labels := updated.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		maps.Copy(labels, p.labels)
		updated.SetLabels(labels)
	}
	if p.finalizer {
		controllerutil.AddFinalizer(updated, Finalizer)
	}
	patch := client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})
	if p.unlocked {
		patch = client.MergeFrom(base)
	}
	if err := c.Patch(ctx, updated, patch); err != nil {
		return fmt.Errorf("annotate %s: %w", obj.GetName(), err)
	}
	obj.SetAnnotations(updated.GetAnnotations())
	obj.SetLabels(updated.GetLabels())
	obj.SetFinalizers(updated.GetFinalizers())
	obj.SetResourceVersion(updated.GetResourceVersion())
	return nil
}

// intentAnnotations are a create intent's own annotations, recorded and
// taken away together.
var intentAnnotations = []string{hostingv1alpha1.AnnotationCreatePending, hostingv1alpha1.AnnotationCreatePendingKey, hostingv1alpha1.AnnotationCreateSentAt,
	hostingv1alpha1.AnnotationCreateLostAt, hostingv1alpha1.AnnotationCreateDigest}

// recordExternalID persists the Gandi ID an object manages (the annotation
// survives a backup and restore, the status does not), with the records
// that place it (idContext), and drops the create intent it resolves and
// the records drop names, which do not hold on id (effectsStale).
func recordExternalID(ctx context.Context, c client.Client, obj client.Object, id string, with map[string]string, drop ...string) error {
	set := map[string]string{hostingv1alpha1.AnnotationExternalID: id, hostingv1alpha1.AnnotationHeldByUID: string(obj.GetUID())}
	for k, v := range with {
		set[k] = v
	}
	return patchAnnotations(ctx, c, obj, annotationPatch{
		set:       set,
		remove:    append(slices.Clone(intentAnnotations), drop...),
		finalizer: true,
	})
}

// clearIntent drops a create intent that explains nothing anymore: one
// left beside a known ID (a person resolved an interrupted create by
// naming the Gandi object), or a vhost's whose create a pass saw done
// once the ID beside it is gone (see VhostReconciler.forgetVhost).
func clearIntent(ctx context.Context, c client.Client, obj client.Object) error {
	if _, pending := createPendingSince(obj); !pending {
		return nil
	}
	return patchAnnotations(ctx, c, obj, annotationPatch{remove: intentAnnotations})
}

// ensureFinalizer adds the finalizer before anything can exist at Gandi.
func ensureFinalizer(ctx context.Context, c client.Client, obj client.Object) error {
	if controllerutil.ContainsFinalizer(obj, Finalizer) {
		return nil
	}
	updated, _ := obj.DeepCopyObject().(client.Object)
	base, _ := updated.DeepCopyObject().(client.Object)
	controllerutil.AddFinalizer(updated, Finalizer)
	if err := c.Patch(ctx, updated, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("add finalizer to %s: %w", obj.GetName(), err)
	}
	obj.SetFinalizers(updated.GetFinalizers())
	obj.SetResourceVersion(updated.GetResourceVersion())
	return nil
}

// removeFinalizer lets Kubernetes delete the object.
func removeFinalizer(ctx context.Context, c client.Client, obj client.Object) error {
	if !controllerutil.ContainsFinalizer(obj, Finalizer) {
		return nil
	}
	updated, _ := obj.DeepCopyObject().(client.Object)
	base, _ := updated.DeepCopyObject().(client.Object)
	controllerutil.RemoveFinalizer(updated, Finalizer)
	if err := c.Patch(ctx, updated, client.MergeFrom(base)); err != nil {
		return client.IgnoreNotFound(fmt.Errorf("remove finalizer from %s: %w", obj.GetName(), err))
	}
	return nil
}

// statusOnServer is the status the API server holds of the object a pass
// works on: the one the pass read, until a step writes one before the
// pass ends (reopenCreate). The pass's own write compares with it, not
// with what it read: a status that ends where the pass started, after a
// step wrote another, must still be written, or the server keeps the
// step's.
type statusOnServer struct{ status any }

type statusOnServerKey struct{}

func withStatusOnServer(ctx context.Context, read any) (context.Context, *statusOnServer) {
	s := &statusOnServer{status: read}
	return context.WithValue(ctx, statusOnServerKey{}, s), s
}

// wroteStatus tells the pass of ctx that the API server now holds status
// (as its answer to the write returned it).
func wroteStatus(ctx context.Context, status any) {
	if s, ok := ctx.Value(statusOnServerKey{}).(*statusOnServer); ok {
		s.status = status
	}
}

// writeStatus writes obj's status when it differs from before: one write
// per pass at most, none in a steady state. The status is replaced whole,
// without a version check: only this controller writes it, and a conflict
// here would lose the record of what the pass did at Gandi.
func writeStatus(ctx context.Context, c client.Client, obj client.Object, before, now any) error {
	if equality.Semantic.DeepEqual(before, now) {
		return nil
	}
	patch, err := json.Marshal([]map[string]any{{"op": "add", "path": "/status", "value": now}})
	if err != nil {
		return fmt.Errorf("encode status of %s: %w", obj.GetName(), err)
	}
	if err := c.Status().Patch(ctx, obj, client.RawPatch(types.JSONPatchType, patch)); err != nil {
		return client.IgnoreNotFound(fmt.Errorf("write status of %s: %w", obj.GetName(), err))
	}
	return nil
}
