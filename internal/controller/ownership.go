package controller

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// clockSkew is how much earlier than our recorded intent Gandi's clock may
// date an object we created: the two clocks are not the same.
const clockSkew = time.Minute

// candidate is a Gandi object found by an object's natural key (instance
// name, vhost FQDN, template name).
type candidate struct {
	id string
	// createdAt is Gandi's creation date; zero when Gandi gives none
	// (templates).
	createdAt time.Time
	// content, for an undated candidate, is the digest of what Gandi shows
	// of it, in the form of the digests an intent records of what its
	// creates sent (undatedCreate); empty when it was not read.
	content string
}

// claimDecision is what to do about the Gandi objects found by natural key
// when this object records no ID.
type claimDecision int

const (
	// decideCreate: nothing is this object's, and it may create.
	decideCreate claimDecision = iota
	// decideAdopt: exactly one match is this object's own interrupted
	// create: it records it as made by this object.
	decideAdopt
	// decideWait: a create of this object may have succeeded and Gandi does
	// not list it yet; look again before creating twice.
	decideWait
	// decideAlreadyExists: a match may be someone else's: never touch it.
	decideAlreadyExists
	// decideAmbiguous: several matches could be this object's: ask a person.
	decideAmbiguous
	// decideAbsent: nothing exists and the object only observes.
	decideAbsent
	// decideRecordLoss: the grace since the latest create was sent is
	// over, and nothing records when its answer was lost (lossUnrecorded):
	// now is recorded as its loss, and the grace waited from it.
	decideRecordLoss
	// decideHandedOver: the one match is the object the user handed over
	// (the adopt annotation, or a vhost its HostingInstance made): it is
	// adopted, never recorded as made by this object.
	decideHandedOver
)

// claimInput is everything decideClaim looks at.
type claimInput struct {
	matches []candidate
	// pending is this object's own create intent, recorded in an earlier
	// pass (an intent recorded in this pass never explains a match).
	pending      bool
	pendingSince time.Time
	// digests are those of what the creates under the intent sent
	// (sentDigests), which tell an undated match they made (madeUnder).
	digests []string
	// lastSent is when the latest create under the intent was about to be
	// sent (a create is sent again once a grace passed with nothing
	// found): the grace counts from it, so that a second attempt whose
	// answer is lost is waited for as the first was. Zero: pendingSince.
	lastSent time.Time
	// lostAt is when that create's answer was lost, when recorded: the
	// grace counts from it too (lossGrace).
	lostAt time.Time
	// recordsLoss says the caller records a loss nothing recorded
	// (decideRecordLoss) before it decides anything else: a grace over
	// since lastSent does not prove Gandi had the request for a whole
	// grace. Without it, such a create counts as over (settleIntent: a
	// vhost's create is refused while its FQDN is taken, so sending it
	// again is harmless).
	recordsLoss bool
	// elsewhere are the other cluster objects' open create intents for
	// the same Gandi name (otherIntent).
	elsewhere []otherIntent
	// handedOver is the user's word: the adopt annotation, or (vhosts) an
	// FQDN the HostingInstance created with the instance.
	handedOver  bool
	observeOnly bool
	// uniqueKey says Gandi allows one object per key (vhost FQDN on an
	// instance, template name in an organization), so a match that this
	// object did not make means the key is taken.
	uniqueKey bool
	now       time.Time
	grace     time.Duration
}

// otherIntent is another cluster object's open create intent for the same
// Gandi name, in any credentials scope. Gandi answers its create with the
// new ID, which that object records only after: in between, what its
// create made is listed at Gandi, made after this object's intent too, and
// recorded by no cluster object, so neither the dates nor the records tell
// it from what this object's own create made.
type otherIntent struct {
	// since, sent and lostAt are its intent's, its latest create's, and
	// that create's loss (lastCreateSent, createLostAt).
	since, sent, lostAt time.Time
	// digests are what its creates sent (sentDigests).
	digests []string
}

// explains reports that the other object's create may have made c
// (madeUnder).
func (o otherIntent) explains(c candidate) bool {
	return madeUnder(c, o.since, o.digests)
}

// sharedMatches splits cs, the matches this object's own intent explains,
// into those no other open intent explains (own) and those one does
// (shared). waiting reports that an intent explaining a shared match is
// within its create's grace (lossGrace): that create's answer, with the ID
// it carries, may still be on its way, and then the match is not this
// object's to claim or to delete.
func sharedMatches(cs []candidate, others []otherIntent, now time.Time, grace time.Duration) (own, shared []candidate, waiting bool) {
	for _, c := range cs {
		explained := false
		for _, o := range others {
			if !o.explains(c) {
				continue
			}
			explained = true
			if state, _ := lossGrace(o.sent, o.lostAt, now, grace); state == lossInGrace {
				waiting = true
			}
		}
		if explained {
			shared = append(shared, c)
		} else {
			own = append(own, c)
		}
	}
	return own, shared, waiting
}

// decideClaim decides, from what Gandi lists by natural key, whether this
// object adopts, creates, waits or stops. Only this object's own earlier
// intent or the user's explicit word makes a Gandi object its own.
func decideClaim(in claimInput) (claimDecision, []candidate) {
	if in.pending {
		return decideWithIntent(in)
	}
	switch {
	case len(in.matches) > 1 && in.handedOver:
		return decideAmbiguous, in.matches
	case len(in.matches) == 1 && in.handedOver:
		return decideHandedOver, in.matches
	case len(in.matches) > 0:
		return decideAlreadyExists, in.matches
	case in.observeOnly:
		return decideAbsent, nil
	}
	return decideCreate, nil
}

// decideWithIntent is decideClaim for an object with its own open intent.
func decideWithIntent(in claimInput) (claimDecision, []candidate) {
	mine, shared, othersWaiting := sharedMatches(madeUnderIntent(in.matches, in.pendingSince, in.digests), in.elsewhere, in.now, in.grace)
	switch {
	case len(mine) == 1:
		return decideAdopt, mine
	case len(mine) > 1:
		return decideAmbiguous, mine
	}
	switch state, _ := lossGrace(latest(in.pendingSince, in.lastSent), in.lostAt, in.now, in.grace); {
	case state == lossInGrace:
		return decideWait, nil
	case state == lossUnrecorded && in.recordsLoss:
		return decideRecordLoss, nil
	}
	switch {
	case othersWaiting:
		// Another object's create may have made a match, and its
		// answer may still come: that object then records it.
		return decideWait, nil
	// The create found nothing of its own: the user's word about an
	// existing match stands as it does without an intent. (Within the
	// grace it waits: the create may still show up, and adopting the
	// match then would leave that purchase nobody's.)
	case in.handedOver && len(in.matches) == 1:
		return decideHandedOver, in.matches
	case in.handedOver && len(in.matches) > 1:
		return decideAmbiguous, in.matches
	case len(shared) > 0:
		// This object's create or another's made it, and neither
		// answer came: a person tells which.
		return decideAmbiguous, shared
	case in.uniqueKey && len(in.matches) > 0:
		return decideAlreadyExists, in.matches
	case in.observeOnly:
		// The policy changed to Observe since the intent: nothing more is
		// created.
		return decideAbsent, nil
	}
	return decideCreate, nil
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// madeUnder reports that c may be what a create under an intent recorded
// at since made, whose creates sent what the digests say. A dated
// candidate must be made since the intent (give or take clockSkew). An
// undated one (a template) must show what one of those creates sent: that
// it appeared after a lookup found nothing proves nothing, since a create
// whose answer was lost may never have reached Gandi while someone else
// made the name meanwhile (the web UI, another cluster). An intent without
// digests, recorded by an earlier build, keeps that build's rule: every
// undated candidate is its create's.
func madeUnder(c candidate, since time.Time, digests []string) bool {
	if !c.createdAt.IsZero() {
		return !c.createdAt.Before(since.Add(-clockSkew))
	}
	return len(digests) == 0 || (c.content != "" && slices.Contains(digests, c.content))
}

// madeUnderIntent keeps the candidates an intent's creates may have made
// (madeUnder).
func madeUnderIntent(cs []candidate, since time.Time, digests []string) []candidate {
	var out []candidate
	for _, c := range cs {
		if madeUnder(c, since, digests) {
			out = append(out, c)
		}
	}
	return out
}

// claimRank orders the cluster objects that name one Gandi object: the
// first is its only manager, every other one reports a conflict and never
// writes. Holding the recorded ID comes first (it made or adopted the
// object); among those, the one whose status shows the operator observed
// it as its own (observedAs), then one whose status does not say it lost
// that ID to another object (lostClaim), then the one whose create made
// it (madeIt); then the earliest open create intent (its POST may be in
// flight; an ID recorded with an intent still open ranks as the intent),
// then the oldest object; the name breaks ties so that every reconciler
// agrees. The rule is the same for every kind.
//
// The status comes before madeIt and age because annotations are anyone's
// to write who may edit an object, and the status is written by the
// operator only: an older object in another namespace given the ID and
// created-id annotations by hand would otherwise outrank the object that
// bought and manages the instance, stopping it and managing (or deleting)
// its instance instead. observedAs holds that while the buyer's status
// lasts; lostClaim once a restore (or a delete and re-create) left the
// buyer without status and with a new creationTimestamp, the older object
// having lost the claim while that status showed.
func claimRank(objs []client.Object) []client.Object {
	out := append([]client.Object(nil), objs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ia, ib := settledID(a) != "", settledID(b) != ""; ia != ib {
			return ia
		}
		if oa, ob := observedAs(a), observedAs(b); oa != ob {
			return oa
		}
		if la, lb := lostClaim(a), lostClaim(b); la != lb {
			return lb
		}
		if ma, mb := madeIt(a), madeIt(b); ma != mb {
			return ma
		}
		ta, pa := openIntent(a)
		tb, pb := openIntent(b)
		if pa != pb {
			return pa
		}
		if pa && !ta.Equal(tb) {
			return ta.Before(tb)
		}
		return olderFirst(a, b)
	})
	return out
}

// olderFirst is the last word between two cluster objects claiming one
// thing: the older, then the first by namespace/name, so that every
// reconciler agrees.
func olderFirst(a, b client.Object) bool {
	ca, cb := a.GetCreationTimestamp(), b.GetCreationTimestamp()
	if !ca.Equal(&cb) {
		return ca.Before(&cb)
	}
	return a.GetNamespace()+"/"+a.GetName() < b.GetNamespace()+"/"+b.GetName()
}

// madeIt reports that obj's own create made the Gandi object it records
// (AnnotationCreatedID): between two objects recording one ID, the one
// that bought it manages it, not one that adopted it or had it set.
func madeIt(obj client.Object) bool {
	id := settledID(obj)
	return id != "" && obj.GetAnnotations()[hostingv1alpha1.AnnotationCreatedID] == id
}

// observedID is what a kind's status says the operator observed at Gandi
// as the object's own (api/v1alpha1's ObservedID).
type observedID interface{ ObservedID() string }

var (
	_ observedID = &hostingv1alpha1.HostingInstance{}
	_ observedID = &hostingv1alpha1.Vhost{}
	_ observedID = &hostingv1alpha1.Template{}
	_ observedID = &hostingv1alpha1.PaaSInstance{}
)

// observedAs reports that obj's status shows the operator observed the ID
// obj records as its own.
func observedAs(obj client.Object) bool {
	o, ok := obj.(observedID)
	id := settledID(obj)
	return ok && id != "" && o.ObservedID() == id
}

// claimLoser is what a kind's status says of the ID the object lost to
// another cluster object (api/v1alpha1's LostClaim).
type claimLoser interface {
	LostClaim() string
	SetLostClaim(id string)
}

var (
	_ claimLoser = &hostingv1alpha1.HostingInstance{}
	_ claimLoser = &hostingv1alpha1.Vhost{}
	_ claimLoser = &hostingv1alpha1.Template{}
	_ claimLoser = &hostingv1alpha1.PaaSInstance{}
)

// lostClaim reports that obj's status says a pass found another cluster
// object managing the very ID obj records: an ID lost earlier does not
// count against one the annotations were changed to since.
func lostClaim(obj client.Object) bool {
	o, ok := obj.(claimLoser)
	id := settledID(obj)
	return ok && id != "" && o.LostClaim() == id
}

// recordClaim records in obj's status the ID it lost to another object
// (lost), or clears the record once obj manages what it names: the
// status is written with the rest of the pass's.
func recordClaim(obj client.Object, id string, lost bool) {
	o, ok := obj.(claimLoser)
	if !ok {
		return
	}
	if !lost {
		id = ""
	}
	o.SetLostClaim(id)
}

// rival returns the object that manages what obj names, when it is not
// obj: others are the other cluster objects naming the same Gandi object.
func rival(obj client.Object, others []client.Object) client.Object {
	all := []client.Object{obj}
	for _, o := range others {
		if o.GetUID() != obj.GetUID() {
			all = append(all, o)
		}
	}
	if first := claimRank(all)[0]; first.GetUID() != obj.GetUID() {
		return first
	}
	return nil
}

// ManagerAmong is managerAmong for kubectl gandi import, which asks
// before applying obj whether the controllers would let it manage what it
// names: the object among others (cluster objects of obj's kind naming the
// same Gandi object: recording its ID, or for a Vhost its FQDN on the same
// instance, see VhostFQDNKey and VhostInstance) that manages it instead,
// nil when obj would. obj may not exist yet (no UID): it then ranks as an
// object created after every one of them, which is what applying it makes.
func ManagerAmong(obj client.Object, others []client.Object) client.Object {
	if obj.GetUID() == "" {
		newest := metav1.Now()
		for _, o := range others {
			if t := o.GetCreationTimestamp(); !t.Before(&newest) {
				newest = metav1.NewTime(t.Add(time.Second))
			}
		}
		copied, ok := obj.DeepCopyObject().(client.Object)
		if !ok {
			return nil
		}
		copied.SetCreationTimestamp(newest)
		copied.SetUID("not-created-yet")
		obj = copied
	}
	return managerAmong(obj, ManagedID(obj), others)
}

// Field indexes of the manager's cache that find the objects naming one
// Gandi object without listing every object of the cluster.
const (
	instanceKeyIndex = "gandi.instanceKey"
	templateKeyIndex = "gandi.templateKey"
	vhostFQDNIndex   = "gandi.vhostFQDN"
	paasKeyIndex     = "gandi.paasKey"
	// externalIDIndex holds the Gandi ID an object manages (ManagedID):
	// the annotation's, or the status's once the annotation is gone.
	externalIDIndex = "gandi.externalID"
	// intentNameIndex holds, for an object with a create intent, its
	// natural key without the credentials scope (unscopedKey).
	intentNameIndex = "gandi.intentName"
	// nameIndex holds every object's natural key without the credentials
	// scope: an object held back while it adopts through other credentials
	// records no ID yet and shares no scoped key with its holder, and is
	// found by this one only (wakeRivals).
	nameIndex = "gandi.name"
)

// indexNaming registers the indexes that find the objects of obj's kind
// naming one Gandi object: by natural key (keyIndex, key), by that key
// without its credentials scope (nameIndex), by the Gandi ID they record,
// and, for those with a create intent, by the key without its credentials
// scope (intentsNaming).
func indexNaming[T client.Object](mgr ctrl.Manager, obj T, keyIndex string, key func(T) string) error {
	if err := indexBy(mgr, obj, keyIndex, func(t T) (string, bool) { return key(t), true }); err != nil {
		return err
	}
	if err := indexBy(mgr, obj, nameIndex, func(t T) (string, bool) { return unscopedKey(key(t)), true }); err != nil {
		return err
	}
	if err := indexBy(mgr, obj, intentNameIndex, func(t T) (string, bool) {
		_, pending := createPendingSince(t)
		return unscopedKey(key(t)), pending
	}); err != nil {
		return err
	}
	return indexBy(mgr, obj, externalIDIndex, func(t T) (string, bool) {
		id := ManagedID(t)
		return id, id != ""
	})
}

// unscopedKey is a natural key (credentialScope, "|", then what names the
// Gandi object) without its credentials scope. Two Secrets may reach one
// account, so objects with different keys may still name one Gandi object.
func unscopedKey(key string) string {
	_, rest, _ := strings.Cut(key, "|")
	return rest
}

// intentsNaming lists, from the cache and in every namespace and
// credentials scope, the objects of list's kind with a create intent for
// the Gandi object key names.
func intentsNaming(ctx context.Context, c client.Reader, list client.ObjectList, key string) ([]client.Object, error) {
	return listNamed(ctx, c, list, intentNameIndex, unscopedKey(key))
}

// rivalsNaming lists, from the cache and in every namespace, the objects
// of list's kind that name one Gandi object: those with its natural key
// and, given the ID an object records or is about to, those recording it. A
// copy of an object under another name or namespace (kubectl get -o yaml,
// a restore elsewhere) keeps the ID but not the key, and must not become
// a second manager of the same Gandi object, nor delete it.
func rivalsNaming(ctx context.Context, c client.Reader, id string, list client.ObjectList, keyIndex, key string) ([]client.Object, error) {
	byKey, err := listNamed(ctx, c, list, keyIndex, key)
	if err != nil {
		return nil, err
	}
	if id == "" {
		return byKey, nil
	}
	sameID, ok := list.DeepCopyObject().(client.ObjectList)
	if !ok {
		return nil, fmt.Errorf("copy %T", list)
	}
	byID, err := listNamed(ctx, c, sameID, externalIDIndex, id)
	if err != nil {
		return nil, err
	}
	seen := map[types.UID]bool{}
	out := make([]client.Object, 0, len(byKey)+len(byID))
	for _, o := range append(byKey, byID...) {
		if !seen[o.GetUID()] {
			seen[o.GetUID()] = true
			out = append(out, o)
		}
	}
	return out, nil
}

// indexBy registers a cache index of obj's kind under name: key gives an
// object's one key, or false for none.
func indexBy[T client.Object](mgr ctrl.Manager, obj T, name string, key func(T) (string, bool)) error {
	err := mgr.GetFieldIndexer().IndexField(context.Background(), obj, name, func(o client.Object) []string {
		t, ok := o.(T)
		if !ok {
			return nil
		}
		if k, ok := key(t); ok {
			return []string{k}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index %T by %s: %w", obj, name, err)
	}
	return nil
}

// listNamed lists, from the cache, the objects of every namespace whose
// index holds key: the rivals for one natural key.
func listNamed(ctx context.Context, c client.Reader, list client.ObjectList, index, key string) ([]client.Object, error) {
	return listByIndex(ctx, c, list, index, key, "")
}
