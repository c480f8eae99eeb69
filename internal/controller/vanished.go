package controller

import (
	"context"
	"fmt"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// A "not found" from Gandi is not proof that the object is gone: the
// legacy API answers another account's instance exactly as it answers a
// deleted one, and nothing in the v5 docs promises that another
// organization's object is told apart (the simulator's 403 is its own
// choice, see gandisim's doc). So "deleted at Gandi" is concluded only
// under the credentials the ID was last seen under: each pass that sees
// the object records them (status.observedWith, in the status write the
// observation makes anyway), and a "not found" under other ones is
// reported, with nothing bought, deleted or let go on it.
//
// The record names the Secret, its key, and the UID and resourceVersion of
// the version read, never anything derived from the value. The
// resourceVersion is in it because the same Secret edited to hold another
// account's key is as common a mistake as pointing at another Secret, and
// nothing else tells the two contents apart. The price: a key rotated in
// place makes the next pass that sees the object record the new version
// (one status write per object), and an object deleted at Gandi in the
// same poll as the rotation is reported instead of bought again, until
// the user confirms it gone.

// credentialsSeen is a kind whose status records the credentials its ID
// was last seen under (api/v1alpha1's SeenWith).
type credentialsSeen interface {
	SeenWith() *hostingv1alpha1.ObservedCredentials
	SetSeenWith(c *hostingv1alpha1.ObservedCredentials)
}

var (
	_ credentialsSeen = &hostingv1alpha1.HostingInstance{}
	_ credentialsSeen = &hostingv1alpha1.PaaSInstance{}
	_ credentialsSeen = &hostingv1alpha1.Template{}
	_ credentialsSeen = &hostingv1alpha1.Vhost{}
)

// observedCredentials is the record of id seen under src.
func observedCredentials(id string, src credentialSource) hostingv1alpha1.ObservedCredentials {
	return hostingv1alpha1.ObservedCredentials{ID: id, Secret: src.secret.String(), Key: src.key, UID: string(src.uid), ResourceVersion: src.version}
}

// sawUnder records that this pass saw id at Gandi under src. It changes
// the status only when the record does (the first sight of an ID, or new
// credentials), so a settled object writes nothing more.
func sawUnder(obj client.Object, id string, src credentialSource) {
	o, ok := obj.(credentialsSeen)
	if !ok || id == "" || src.secret.Name == "" {
		return
	}
	rec := observedCredentials(id, src)
	if was := o.SeenWith(); was != nil && *was == rec {
		return
	}
	o.SetSeenWith(&rec)
}

// seenRecord is obj's record of the credentials its ID was seen under.
func seenRecord(obj client.Object) *hostingv1alpha1.ObservedCredentials {
	if o, ok := obj.(credentialsSeen); ok {
		return o.SeenWith()
	}
	return nil
}

// notFoundVerdict is what a "not found" for a recorded ID means.
type notFoundVerdict int

const (
	// goneAtGandi: not found under the very credentials the ID was last
	// seen under: Gandi no longer has it.
	goneAtGandi notFoundVerdict = iota
	// seenElsewhere: the ID was last seen under other credentials (another
	// Secret or key, or the same one changed since): it may live on where
	// these cannot see it.
	seenElsewhere
	// neverSeen: no record says under which credentials the ID was seen
	// (an object restored without its status, one an earlier operator
	// version observed, an ID never seen yet).
	neverSeen
)

// judgeNotFound says what Gandi's "not found" for id under src means,
// given rec, the record of what the ID was last seen under.
func judgeNotFound(rec *hostingv1alpha1.ObservedCredentials, id string, src credentialSource) notFoundVerdict {
	switch {
	case rec == nil || rec.ID != id:
		return neverSeen
	case *rec != observedCredentials(id, src):
		return seenElsewhere
	}
	return goneAtGandi
}

// vanishedAction is what vanished does about a recorded ID Gandi does not
// show.
type vanishedAction int

const (
	// vanishReport reports it deleted at Gandi; nothing is bought.
	vanishReport vanishedAction = iota
	// vanishRecreate takes the ID back, and the next pass buys a new one.
	vanishRecreate
	// vanishElsewhere reports that the credentials changed since it was
	// seen (CredentialsChanged); nothing is bought.
	vanishElsewhere
	// vanishUnconfirmed reports that a new one is not bought: the user
	// asks for one (recreate), but nothing says the old one is gone.
	vanishUnconfirmed
)

// decideVanished decides from the verdict on the "not found" and whether
// a new one would be bought (spec.recreateIfDeleted, not under Observe):
// only an object gone under the credentials it was seen under is bought
// again, and one never seen is not taken for gone either.
func decideVanished(v notFoundVerdict, recreate bool) vanishedAction {
	switch {
	case v == seenElsewhere:
		return vanishElsewhere
	case !recreate:
		return vanishReport
	case v == neverSeen:
		return vanishUnconfirmed
	}
	return vanishRecreate
}

// vanished handles a recorded Gandi object that Gandi no longer shows
// under src, the credentials of this pass: taken for deleted behind the
// operator's back only under the credentials it was last seen under
// (judgeNotFound). Then it is reported, and a new one is bought only when
// the user opted in (recreate: an instance's spec.recreateIfDeleted),
// never under Observe (policy). The recorded ID is then taken back, the
// annotation here and the status through forgetID (which the ID is read
// from when the annotation is absent), so that the next pass creates
// through the shared lifecycle. what names the object for people ("PaaS
// instance"); the caller clears the state status reports.
func (l *lifecycle) vanished(ctx context.Context, obj managed, what, id string, src credentialSource, recreate bool, policy *hostingv1alpha1.ManagedFields, forgetID func()) result {
	switch decideVanished(judgeNotFound(seenRecord(obj), id, src), recreate && !observeOnly(policy)) {
	case vanishElsewhere:
		return *l.seenElsewhere(obj, what+" "+id, src, "if it is gone, "+confirmGone)
	case vanishReport:
		msg := what + " " + id + " no longer exists at Gandi; nothing was bought again (set spec.recreateIfDeleted to buy a new one, or delete this object)"
		l.events.warn(obj, hostingv1alpha1.ReasonExternalNotFound, "Observe", msg)
		return *concluded(obj, l.timing, hostingv1alpha1.ReasonExternalNotFound, msg)
	case vanishUnconfirmed:
		msg := what + " " + id + " is not found at Gandi under " + src.String() + ", and this object has no record of the credentials it was seen under " +
			"(restored without its status, last seen by an earlier operator version, or never seen): it may live on under other credentials, so nothing was bought again; if it is gone, " + confirmGone
		l.events.warn(obj, hostingv1alpha1.ReasonExternalNotFound, "Observe", msg)
		return *concluded(obj, l.timing, hostingv1alpha1.ReasonExternalNotFound, msg)
	}
	l.events.warn(obj, hostingv1alpha1.ReasonExternalNotFound, "Recreate", what+" "+id+" no longer exists at Gandi; buying a new one as spec.recreateIfDeleted asks")
	if err := patchAnnotations(ctx, l.client, obj, annotationPatch{remove: []string{hostingv1alpha1.AnnotationExternalID, hostingv1alpha1.AnnotationHeldByUID}}); err != nil {
		return retry(err)
	}
	forgetID()
	if o, ok := obj.(credentialsSeen); ok {
		o.SetSeenWith(nil)
	}
	return waitFor(time.Millisecond)
}

// confirmGone tells the user how to confirm that an object Gandi does not
// show is gone, for a kind whose ID is read from the annotation first and
// then from the status: both have to go, the annotation first (a pass
// between the two would otherwise write the status back from it).
const confirmGone = "clear its ID to confirm it (remove the annotation " + hostingv1alpha1.AnnotationExternalID +
	", then status.id, with kubectl patch --subresource=status): this object then starts afresh, as a new one would"

// notFoundElsewhere stops obj when Gandi's "not found" for id under src
// comes under other credentials than those id was last seen under
// (seenElsewhere); nil otherwise, and the caller takes it for gone as it
// did. what names the object for people (`template 42`); confirm says how
// the user confirms it gone.
func (l *lifecycle) notFoundElsewhere(obj managed, what, id string, src credentialSource, confirm string) *result {
	if judgeNotFound(seenRecord(obj), id, src) != seenElsewhere {
		return nil
	}
	return l.seenElsewhere(obj, what, src, confirm)
}

// seenElsewhere reports (CredentialsChanged) that what Gandi does not show
// under src was last seen under other credentials; fix says what else the
// user can do than point the credentials back.
func (l *lifecycle) seenElsewhere(obj managed, what string, src credentialSource, fix string) *result {
	then, now := credentialsChange(seenRecord(obj), src)
	msg := what + " is not found at Gandi under " + now + ", but it was last seen under " + then +
		": Gandi answers another account's credentials as it answers for a deleted object, so it is not taken for deleted, and nothing is bought, deleted or let go on it. " +
		"Point the credentials back to those it was seen under; or, " + fix
	l.events.warn(obj, hostingv1alpha1.ReasonCredentialsChanged, "Observe", msg)
	return concluded(obj, l.timing, hostingv1alpha1.ReasonCredentialsChanged, msg)
}

// String names the credential's Secret and key for people, never its
// value.
func (s credentialSource) String() string {
	return fmt.Sprintf("Secret %s (key %q)", s.secret, s.key)
}

// credentialsChange names, for people, the credentials rec records and
// those of src, saying what changed when they are one Secret and key.
func credentialsChange(rec *hostingv1alpha1.ObservedCredentials, src credentialSource) (then, now string) {
	if rec == nil {
		return "no credentials on record", src.String()
	}
	then = fmt.Sprintf("Secret %s (key %q)", rec.Secret, rec.Key)
	switch {
	case rec.Secret != src.secret.String() || rec.Key != src.key:
		return then, src.String()
	case rec.UID != string(src.uid):
		return then + " as it was before it was deleted and made again", src.String() + " as made again"
	}
	return then + " at resourceVersion " + rec.ResourceVersion + ", before it was changed", src.String() + " at resourceVersion " + src.version
}
