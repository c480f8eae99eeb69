package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// vhostAPI is what the Vhost reconciler needs of Gandi.
type vhostAPI interface {
	CreateVhost(ctx context.Context, instanceID string, req gandi.CreateVhostRequest) error
	GetVhost(ctx context.Context, instanceID, fqdn string) (*gandi.Vhost, error)
	UpdateVhost(ctx context.Context, instanceID, fqdn string, req gandi.UpdateVhostRequest) error
	DeleteVhost(ctx context.Context, instanceID, fqdn string) error
	PurgeVhostCache(ctx context.Context, instanceID, fqdn string) error
	// PeekInstances is the probe that tells Gandi's 403 to the token from
	// one to the vhost or its instance (notVisible).
	PeekInstances(ctx context.Context) error
}

// VhostReconciler keeps a vhost on a Gandi Web Hosting instance as its Vhost
// declares.
//
// A Vhost gets no owner reference to its HostingInstance, on purpose: with
// one, deleting a HostingInstance whose deletionPolicy is Orphan would make
// the garbage collector delete its Vhosts, whose own deletionPolicy (Delete
// by default) would then take the sites down at Gandi although the user
// asked to keep the instance. Without it, a Vhost whose instance is deleted
// reports WaitingForInstance and, when deleted, finishes without error (the
// instance's deletion already removed its vhosts at Gandi).
type VhostReconciler struct {
	Base
}

// Reconcile runs one pass: load, delete or ensure the finalizer, find the
// instance and credentials, observe (or create), update, write status once,
// requeue.
func (r *VhostReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return runPass(ctx, r.Client, req.NamespacedName, &hostingv1alpha1.Vhost{}, r)
}

func (r *VhostReconciler) live(ctx context.Context, vh *hostingv1alpha1.Vhost) result {
	// status.createRefusedAt explains Ready's CreateRefused (refusalKept):
	// a pass that ends with another Ready (the vhost made, found on the
	// instance, or waiting for it) leaves no refusal standing. One that
	// failed before deciding anything leaves Ready, and the record, as
	// they were.
	defer func() {
		if readyReason(vh) != hostingv1alpha1.ReasonCreateRefused {
			vh.Status.CreateRefusedAt = nil
		}
	}()
	fqdn, err := toASCII(vh.Spec.FQDN)
	if err != nil {
		msg := "spec.fqdn: " + err.Error()
		setCondition(vh, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonInvalidSpec, msg)
		return result{}.stalling(hostingv1alpha1.ReasonInvalidSpec, msg)
	}
	vh.Status.FQDN, vh.Status.FQDNUnicode = fqdn, toUnicode(fqdn)
	if named, foreign := foreignVhostID(vh); foreign {
		msg := "the annotation " + hostingv1alpha1.AnnotationExternalID + " names vhost " + strconv.Quote(named) + ", not spec.fqdn " + strconv.Quote(vh.Spec.FQDN) +
			": a Vhost's ID is its FQDN, so this object manages neither (a manifest copied from another Vhost keeps its records); remove the annotation to manage " +
			fqdn + " as a new Vhost would, or set it to " + fqdn + " to hand that vhost over. Nothing is changed at Gandi, and deleting this object leaves " +
			strconv.Quote(named) + " there"
		return *stopped(vh, r.Timing, hostingv1alpha1.ReasonInvalidSpec, msg)
	}
	target, res := r.resolveInstance(ctx, vh)
	if res != nil {
		return *res
	}
	vh.Status.InstanceID = target.instanceID
	api, src, res := r.lifecycle().connect(ctx, vh, target.credentials)
	if res != nil {
		return *res
	}
	return r.sync(ctx, r.observed(api, vh), vh, target, src)
}

// observed is api, with the observer of its credential (observer.go) when
// there is one: it answers vh's reads, and what vh writes (and deletes)
// marks what it changes, its instance's detail included.
func (r *VhostReconciler) observed(api *gandi.Client, vh *hostingv1alpha1.Vhost) vhostAPI {
	if obs := r.Observers.For(api, ""); obs != nil {
		return observedVhosts{vhostAPI: api, obs: obs, owner: client.ObjectKeyFromObject(vh)}
	}
	return api
}

// instanceTarget is the instance a vhost lives on and how to reach it.
type instanceTarget struct {
	instanceID  string
	credentials *hostingv1alpha1.CredentialsReference
	// initialVhosts are the FQDNs (ASCII) the HostingInstance created with
	// the instance it bought: this cluster made them, so they are adopted
	// freely. Empty on an instance it adopted or was pointed at.
	initialVhosts []string
	// credentialsRecord is credentials, when they are the
	// HostingInstance's, as recorded beside the instance
	// (AnnotationInstanceCredentials): after the HostingInstance is
	// deleted, deleting the Vhost still reaches Gandi with them.
	credentialsRecord string
	// instanceCreatedAt is when Gandi created that instance (the
	// HostingInstance's status.createdAt), with initialVhosts: Gandi
	// dates what the instance's create made with it (madeWithInstance).
	instanceCreatedAt time.Time
}

// initialVhostWindow bounds how long after the instance's own creation
// date Gandi dates the vhosts its create made: it makes them while it
// makes the instance (the vhosts appear once it is active, minutes
// later). A vhost of the same name dated after that was made on the
// running instance by someone (after the initial one was deleted there),
// and is no more handed over than any other; a Gandi slower than this
// leaves an initial vhost to the adopt annotation (AlreadyExists), never
// someone's site to the Vhost.
const initialVhostWindow = 30 * time.Minute

// madeWithInstance reports that Gandi dated a vhost (at) as one the
// create of the instance the HostingInstance bought made: no later than
// initialVhostWindow after the instance. Without either date nothing
// shows it.
func (t instanceTarget) madeWithInstance(at time.Time) bool {
	return !at.IsZero() && !t.instanceCreatedAt.IsZero() && !at.After(t.instanceCreatedAt.Add(initialVhostWindow))
}

// credentialsRecordOf encodes ref for AnnotationInstanceCredentials.
func credentialsRecordOf(ref *hostingv1alpha1.CredentialsReference) string {
	key := ref.Key
	if key == "" {
		key = hostingv1alpha1.CredentialsKeyToken
	}
	return ref.Name + "/" + string(key)
}

// recordedCredentials decodes AnnotationInstanceCredentials; nil when it
// is absent or unreadable (the Vhost's own, or the default, then apply).
// A Secret of the Vhost's own namespace only, as spec.credentialsRef.
func recordedCredentials(vh *hostingv1alpha1.Vhost) *hostingv1alpha1.CredentialsReference {
	name, key, ok := strings.Cut(vh.GetAnnotations()[hostingv1alpha1.AnnotationInstanceCredentials], "/")
	k := hostingv1alpha1.CredentialsKey(key)
	if !ok || name == "" || (k != hostingv1alpha1.CredentialsKeyToken && k != hostingv1alpha1.CredentialsKeyAPIKey) {
		return nil
	}
	return &hostingv1alpha1.CredentialsReference{Name: name, Key: k}
}

// resolveInstance finds the instance: a HostingInstance that is Ready, or a
// Gandi ID. A non-nil result means the vhost has to wait.
func (r *VhostReconciler) resolveInstance(ctx context.Context, vh *hostingv1alpha1.Vhost) (instanceTarget, *result) {
	if vh.Spec.InstanceRef == nil {
		return instanceTarget{instanceID: vh.Spec.InstanceID, credentials: vh.Spec.CredentialsRef}, nil
	}
	hi := &hostingv1alpha1.HostingInstance{}
	err := r.Get(ctx, types.NamespacedName{Namespace: vh.Namespace, Name: vh.Spec.InstanceRef.Name}, hi)
	if err != nil && !apierrors.IsNotFound(err) {
		return instanceTarget{}, halt(retry(err))
	}
	if err != nil || instanceID(hi) == "" || !meta.IsStatusConditionTrue(hi.Status.Conditions, hostingv1alpha1.ConditionReady) {
		msg := "waiting for HostingInstance " + vh.Spec.InstanceRef.Name + " to be Ready"
		switch {
		case err != nil:
			msg = "HostingInstance " + vh.Spec.InstanceRef.Name + " does not exist in this namespace" + r.lookWithoutInstance(ctx, vh)
		case instanceGone(hi):
			// Deleted at Gandi behind the operator's back: the vhost went
			// with it, and the status must not go on showing it running.
			msg += r.lookWithoutInstance(ctx, vh)
		}
		setCondition(vh, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonWaitingForInstance, msg)
		setCondition(vh, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonWaitingForInstance, msg)
		// The HostingInstance watch brings the vhost back as soon as it changes.
		return instanceTarget{}, halt(waitFor(jittered(r.Timing.Poll)))
	}
	t := instanceTarget{instanceID: instanceID(hi), credentials: hi.Spec.CredentialsRef}
	if vh.Spec.CredentialsRef != nil {
		t.credentials = vh.Spec.CredentialsRef
	} else if hi.Spec.CredentialsRef != nil {
		t.credentialsRecord = credentialsRecordOf(hi.Spec.CredentialsRef)
	}
	// The initial vhosts went out with the create of the instance the
	// HostingInstance bought. On one it adopted or was pointed at, a vhost
	// of the same name is someone's site, not one this cluster made.
	if hi.Annotations[hostingv1alpha1.AnnotationCreatedID] != t.instanceID {
		return t, nil
	}
	if at := hi.Status.CreatedAt; at != nil {
		t.instanceCreatedAt = at.Time
	}
	for _, iv := range hi.Spec.InitialVhosts {
		if a, err := toASCII(iv.FQDN); err == nil {
			t.initialVhosts = append(t.initialVhosts, a)
		}
	}
	return t, nil
}

// instanceGone reports a HostingInstance whose pass found its instance
// gone at Gandi (Ready's ExternalNotFound: deleted behind the operator's
// back).
func instanceGone(hi *hostingv1alpha1.HostingInstance) bool {
	return readyReason(hi) == hostingv1alpha1.ReasonExternalNotFound
}

// lookWithoutInstance observes, read-only, the vhost this object made or
// adopted when its HostingInstance is gone, or reports its instance gone
// at Gandi: the status shows what Gandi shows, not the last observation
// made through the HostingInstance (a vhost "running" on an instance
// deleted with it). It looks where deleting would (deletionTarget: the
// HostingInstance's instance, else the recorded one, with the Vhost's own
// or recorded credentials) and says what it found, for Ready's message;
// nothing when it cannot look.
func (r *VhostReconciler) lookWithoutInstance(ctx context.Context, vh *hostingv1alpha1.Vhost) string {
	if settledID(vh) == "" || recordedInstance(vh) == "" {
		return ""
	}
	d, err := r.deletionTarget(ctx, vh)
	if err != nil || d.nothing {
		return ""
	}
	api, src, err := r.Credentials.Connect(ctx, vh.Namespace, d.target.credentials)
	if err != nil {
		return ""
	}
	fqdn, id := vh.Status.FQDN, d.target.instanceID
	observed, err := observeVhost(ctx, r.observed(api, vh), id, fqdn, false)
	switch {
	case gandi.IsNotFound(err) && judgeNotFound(vh.Status.ObservedWith, fqdn, src) == seenElsewhere:
		vh.Status.State = ""
		then, now := credentialsChange(vh.Status.ObservedWith, src)
		return "; vhost " + fqdn + " is not found on instance " + id + " under " + now + ", but it was last seen under " + then + ": it may still be served there"
	case gandi.IsNotFound(err):
		vh.Status.State = ""
		return "; vhost " + fqdn + " no longer exists at Gandi on instance " + id + " (a deleted instance takes its vhosts with it)"
	case err != nil:
		return ""
	case !recordedVhost(vh, observed):
		vh.Status.State = ""
		return "; " + madeAgainNote(vh, id, observed)
	}
	sawUnder(vh, fqdn, src)
	vhostToStatus(vh, observed)
	return "; at Gandi, instance " + id + " still serves vhost " + fqdn + " (" + observed.Status + "), and no HostingInstance here manages that instance"
}

// sync observes the vhost (creating it first when it is absent) under the
// credentials from src, brings it to the spec and reports its state.
func (r *VhostReconciler) sync(ctx context.Context, api vhostAPI, vh *hostingv1alpha1.Vhost, t instanceTarget, src credentialSource) result {
	fqdn := vh.Status.FQDN
	ext := &vhostExternal{r: r, api: api, vh: vh, target: t}
	if res := r.followInstance(ctx, vh, t); res != nil {
		return *res
	}
	if res := r.forgetVhost(ctx, vh); res != nil {
		return *res
	}
	if _, res := r.lifecycle().ensureID(ctx, vh, ext, ManagedID(vh), &vh.Spec.ManagedFields); res != nil {
		return *res
	}
	// Read before settleIntent resolves it: a vhost an open intent's
	// create made is its own, whatever the status recorded before it.
	_, open := openIntent(vh)
	observed, err := observeVhost(ctx, api, t.instanceID, fqdn, freshWanted(vh, vh.Status.ObservedGeneration, vh.Status.LastHandledReconcileAt))
	err = notVisible(ctx, err, instancesProbe(api))
	if res := r.settleIntent(ctx, vh, ext, observed, err); res != nil {
		return *res
	}
	what, create := "vhost "+fqdn+" on instance "+t.instanceID, "remove the annotation "+hostingv1alpha1.AnnotationExternalID+" to create it again"
	switch {
	case gandi.IsNotFound(err):
		vh.Status.State = ""
		if res := r.lifecycle().notFoundElsewhere(vh, what, fqdn, src, "if it is gone, "+create); res != nil {
			return *res
		}
		msg := "vhost " + fqdn + " no longer exists on instance " + t.instanceID + " at Gandi; " + create
		return *concluded(vh, r.Timing, hostingv1alpha1.ReasonExternalNotFound, msg)
	case errors.Is(err, errNotVisible):
		vh.Status.State = ""
		return r.lifecycle().refused(vh, what, fqdn, src, "if it is gone, "+create)
	case err != nil:
		return failed(vh, r.Timing, "observe the vhost", err)
	case !open && !recordedVhost(vh, observed):
		return r.madeAgain(ctx, vh, t.instanceID, observed)
	}
	sawUnder(vh, fqdn, src)
	vhostToStatus(vh, observed)
	var res result
	if vh.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve {
		reportVhostDrift(vh, observed)
	} else {
		res = r.update(ctx, api, vh, t.instanceID, observed)
	}
	res = r.stateResult(vh, observed, res)
	res.observed = true
	return res
}

// recordedVhost reports that v, what Gandi shows under the FQDN, is the
// vhost this object's status recorded (status.createdAt): a vhost's ID is
// its FQDN, so only Gandi's creation date tells the vhost this object
// created or adopted from one someone made under that name after it was
// deleted. No record (none observed yet, or restored without the status)
// tells nothing, and the vhost is taken to be it, as the external-id
// says. Not for a vhost an open intent's create may have made: the
// record is then an earlier vhost's.
func recordedVhost(vh *hostingv1alpha1.Vhost, v *gandi.Vhost) bool {
	at := timeOf(&v.CreatedAt)
	return vh.Status.CreatedAt == nil || at == nil || vh.Status.CreatedAt.Equal(at)
}

// madeAgainNote says that v is not the vhost this object recorded.
func madeAgainNote(vh *hostingv1alpha1.Vhost, instanceID string, v *gandi.Vhost) string {
	return "Gandi created the vhost " + vh.Status.FQDN + " on instance " + instanceID + " at " + v.CreatedAt.UTC().Format(time.RFC3339) +
		", not the one this object created or adopted (created at " + vh.Status.CreatedAt.UTC().Format(time.RFC3339) +
		", deleted since): someone made it again under that name, so it is not this object's"
}

// madeAgain takes back the ID of a vhost Gandi shows under the FQDN that
// is not the one this object recorded (recordedVhost): someone's site,
// made after this object's was deleted, which it neither changes nor
// deletes. It then reports AlreadyExists as a new Vhost would, until the
// user hands the vhost over.
func (r *VhostReconciler) madeAgain(ctx context.Context, vh *hostingv1alpha1.Vhost, instanceID string, v *gandi.Vhost) result {
	note := madeAgainNote(vh, instanceID, v)
	if err := takeBackID(ctx, r.Client, vh); err != nil {
		return retry(fmt.Errorf("%s; taking back its ID failed: %w", note, err))
	}
	// The record goes with the ID: what this object manages next, the
	// user's word decides.
	vh.Status.State, vh.Status.CreatedAt = "", nil
	msg := note + "; " + adoptAdvice("it")
	r.Events.warn(vh, hostingv1alpha1.ReasonAlreadyExists, "Adopt", msg)
	return *concluded(vh, r.Timing, hostingv1alpha1.ReasonAlreadyExists, msg)
}

// forgetVhost drops the record of a vhost (status.createdAt) from a Vhost
// that records no ID (its external-id removed, as ExternalNotFound
// advises to create the vhost again, or taken back): the next vhost it
// takes hold of, created or handed over, is recorded when first seen, and
// the user's word that hands one over is never held against the date of
// an earlier one. A create intent that record showed done (intentSeenMade)
// goes first: without the record it would explain what Gandi shows under
// the FQDN now, a vhost someone made since, as this object's create's.
// Neither write is on the way of a new Vhost, which has no record.
func (r *VhostReconciler) forgetVhost(ctx context.Context, vh *hostingv1alpha1.Vhost) *result {
	if ManagedID(vh) != "" || vh.Status.CreatedAt == nil {
		return nil
	}
	if since, pending := createPendingSince(vh); pending && intentSeenMade(vh, since) {
		if err := clearIntent(ctx, r.Client, vh); err != nil {
			return halt(retry(fmt.Errorf("drop the create intent of vhost %s, done since: %w", vh.Status.FQDN, err)))
		}
	}
	vh.Status.CreatedAt = nil
	return nil
}

// followInstance keeps the recorded vhost to the instance the spec now
// resolves to. An FQDN names a vhost on one instance only: a record made on
// another one (the HostingInstance re-pointed through its external-id, or
// deleted and bought again) is not this object's claim on the vhost of the
// same name here, which may be someone else's site. The record is taken
// back and this pass goes on as a new Vhost's would: the FQDN is created
// on the new instance, or reported AlreadyExists there unless handed over.
// The vhost on the former instance is left as it is: the spec no longer
// names that instance, so nothing says it may be deleted.
// A record without its instance (an older build's, or an external-id set
// by a person) is on the instance the spec gives now, as it always was
// taken to be; that instance is recorded beside it.
func (r *VhostReconciler) followInstance(ctx context.Context, vh *hostingv1alpha1.Vhost, t instanceTarget) *result {
	id := externalIDAnnotation(vh)
	// The annotation alone: this pass has set the status to t's instance.
	recorded := instanceRecord(vh)
	switch {
	case id == "":
		return nil
	case recorded == "" || recorded == t.instanceID:
		// The instance, and the credentials that reach it when they are
		// the HostingInstance's: a record of an older build lacks them, and
		// the HostingInstance's credentialsRef may change.
		set := (&vhostExternal{target: t}).idRecords()
		if recorded == t.instanceID && (t.credentialsRecord == "" || vh.GetAnnotations()[hostingv1alpha1.AnnotationInstanceCredentials] == t.credentialsRecord) {
			return nil
		}
		if err := patchAnnotations(ctx, r.Client, vh, annotationPatch{set: set}); err != nil {
			return halt(retry(err))
		}
		return nil
	}
	if err := patchAnnotations(ctx, r.Client, vh, annotationPatch{remove: append(slices.Clone(idAnnotations), intentAnnotations...)}); err != nil {
		return halt(retry(err))
	}
	vh.Status.State, vh.Status.CreatedAt = "", nil
	r.Events.normal(vh, hostingv1alpha1.ReasonInstanceChanged, "Adopt", movedNote(vh, id, recorded, t.instanceID))
	return nil
}

// movedNote tells what became of a vhost recorded on another instance than
// the one the spec now names.
func movedNote(vh *hostingv1alpha1.Vhost, fqdn, was, now string) string {
	return "vhost " + fqdn + " was recorded on instance " + was + ", and " + instanceNamed(vh) + " is now instance " + now +
		": the vhost on " + was + " is left there (delete it there if it is no longer wanted)"
}

func instanceNamed(vh *hostingv1alpha1.Vhost) string {
	if vh.Spec.InstanceRef != nil {
		return "HostingInstance " + vh.Spec.InstanceRef.Name
	}
	return "its instance"
}

// settleIntent hands what Gandi shows under the FQDN to the lifecycle
// while the create intent recorded with it is open (openIntent): until a
// pass has seen the vhost Gandi made since the intent, a 404 means the
// create may not have been sent, not that the vhost was deleted.
func (r *VhostReconciler) settleIntent(ctx context.Context, vh *hostingv1alpha1.Vhost, ext *vhostExternal, observed *gandi.Vhost, err error) *result {
	if _, open := openIntent(vh); !open || (err != nil && !gandi.IsNotFound(err)) {
		return nil
	}
	var seen *candidate
	if err == nil {
		seen = &candidate{id: observed.FQDN, createdAt: observed.CreatedAt.Time}
	}
	return r.lifecycle().settleIntent(ctx, vh, ext, seen, observeOnly(&vh.Spec.ManagedFields))
}

// observeVhost is the one place a vhost is read from Gandi: from the
// observer's vhost list of the instance when api has one (observer.go),
// its GET otherwise or when wantFresh (a spec change to act on).
func observeVhost(ctx context.Context, api vhostAPI, instanceID, fqdn string, wantFresh bool) (*gandi.Vhost, error) {
	if o, ok := api.(observedVhosts); ok {
		return o.obs.vhost(ctx, instanceID, fqdn, o.owner, wantFresh)
	}
	return api.GetVhost(ctx, instanceID, fqdn)
}

// finalize runs the deletion policy through the shared lifecycle. The
// instance comes from the spec (its instanceID, or the HostingInstance's
// recorded ID), never from status alone: a Vhost restored without its
// status must still delete its site. A HostingInstance deleted with
// Orphan or Observe, or released as a conflict's loser, leaves the
// instance and its vhosts at Gandi: then the instance recorded beside
// the vhost's ID is asked, with the Vhost's own credentials.
func (r *VhostReconciler) finalize(ctx context.Context, vh *hostingv1alpha1.Vhost) (bool, result) {
	if named, foreign := foreignVhostID(vh); foreign && deletesAtGandi(vh, &vh.Spec.ManagedFields) {
		// settledID gives no ID for it: nothing recorded is deleted, only
		// what an open intent of this object's own made under spec.fqdn.
		r.Events.warn(vh, hostingv1alpha1.ReasonInvalidSpec, "Delete", "the annotation "+hostingv1alpha1.AnnotationExternalID+" names vhost "+strconv.Quote(named)+
			", not spec.fqdn "+strconv.Quote(vh.Spec.FQDN)+": this object manages neither, so neither is deleted at Gandi ("+strconv.Quote(named)+
			" may be another Vhost's site); delete the one no longer wanted at Gandi")
	}
	return r.lifecycle().finalize(ctx, vh, deletionRequest{
		id:     settledID(vh),
		policy: &vh.Spec.ManagedFields,
		connect: func(ctx context.Context) (external, credentialSource, bool, error) {
			d, err := r.deletionTarget(ctx, vh)
			if err != nil || d.nothing {
				return nil, credentialSource{}, d.nothing, err
			}
			t := d.target
			if was := instanceRecord(vh); was != "" && was != t.instanceID {
				// What this object created is on an instance the spec no
				// longer names (followInstance): it is not deleted there.
				r.Events.normal(vh, hostingv1alpha1.ReasonInstanceChanged, "Delete", movedNote(vh, vh.Status.FQDN, was, t.instanceID))
				return nil, credentialSource{}, true, nil
			}
			api, src, err := r.Credentials.Connect(ctx, vh.Namespace, t.credentials)
			if err != nil {
				if d.recorded {
					err = fmt.Errorf("%s; deleting vhost %s on instance %s needs this Vhost's own credentials: set spec.credentialsRef to a Secret of that account, or spec.deletionPolicy: Orphan to leave the vhost: %w",
						d.why, vh.Status.FQDN, t.instanceID, err)
				}
				return nil, src, false, err
			}
			return &vhostExternal{r: r, api: r.observed(api, vh), vh: vh, target: t}, src, false, nil
		},
	})
}

// foreignVhostID reports an external-id annotation that names another
// vhost than spec.fqdn (vhostRecord), and the FQDN it names.
func foreignVhostID(vh *hostingv1alpha1.Vhost) (string, bool) {
	_, foreign := vhostRecord(vh)
	return externalIDAnnotation(vh), foreign
}

// vhostDeletion is where a Vhost being deleted finds its vhost.
type vhostDeletion struct {
	target instanceTarget
	// recorded: the spec's HostingInstance is gone or holds no instance,
	// and target is the instance recorded beside the vhost's ID.
	recorded bool
	// why says, for recorded, why the HostingInstance did not give it.
	why string
	// nothing: this object cannot have made anything it could find.
	nothing bool
}

// deletionTarget finds the instance and credentials to delete with: the
// spec's instance; else, when the HostingInstance is gone or holds no
// instance, the one recorded with the vhost's ID (AnnotationInstanceID; the
// status for a record of an older build), with the Vhost's own credentials
// (spec.credentialsRef, or the operator's default), the HostingInstance's
// being gone with it. Gandi is then asked: a 404 (the instance deleted with
// its HostingInstance, with its vhosts) lets the object go, and nothing is
// taken for gone on the word of the cluster alone.
func (r *VhostReconciler) deletionTarget(ctx context.Context, vh *hostingv1alpha1.Vhost) (vhostDeletion, error) {
	fqdn, ferr := toASCII(vh.Spec.FQDN)
	if ferr != nil {
		// Admission refuses such an FQDN, so this object never created anything.
		return vhostDeletion{nothing: true}, nil //nolint:nilerr // an unusable FQDN means nothing exists to delete
	}
	vh.Status.FQDN = fqdn
	if vh.Spec.InstanceRef == nil {
		return vhostDeletion{target: instanceTarget{instanceID: vh.Spec.InstanceID, credentials: vh.Spec.CredentialsRef}}, nil
	}
	name := vh.Spec.InstanceRef.Name
	hi := &hostingv1alpha1.HostingInstance{}
	err := r.Get(ctx, types.NamespacedName{Namespace: vh.Namespace, Name: name}, hi)
	if err != nil && !apierrors.IsNotFound(err) {
		return vhostDeletion{}, err
	}
	why := "HostingInstance " + name + " is gone"
	if err == nil {
		if id := instanceID(hi); id != "" {
			t := instanceTarget{instanceID: id, credentials: hi.Spec.CredentialsRef}
			if vh.Spec.CredentialsRef != nil {
				t.credentials = vh.Spec.CredentialsRef
			}
			return vhostDeletion{target: t}, nil
		}
		why = "HostingInstance " + name + " holds no instance"
	}
	recorded := recordedInstance(vh)
	if recorded == "" {
		r.Events.warn(vh, "InstanceUnknown", "Delete", why+" and this Vhost recorded no instance: nothing it can find to delete; if Gandi still serves "+fqdn+", delete it there")
		return vhostDeletion{nothing: true}, nil
	}
	vh.Status.InstanceID = recorded
	creds := vh.Spec.CredentialsRef
	if creds == nil {
		creds = recordedCredentials(vh)
	}
	return vhostDeletion{target: instanceTarget{instanceID: recorded, credentials: creds}, recorded: true, why: why}, nil
}

// VhostFQDNKey is the FQDN a Vhost names, in the ASCII form a vhost's ID
// has, by which its rivals are found (false: not a host name).
func VhostFQDNKey(vh *hostingv1alpha1.Vhost) (string, bool) {
	fqdn, err := toASCII(vh.Spec.FQDN)
	return fqdn, err == nil
}

// SetupWithManager registers the reconciler. Vhosts are reconciled again as
// soon as their HostingInstance changes (no polling while they wait).
func (r *VhostReconciler) SetupWithManager(mgr ctrl.Manager, opts KindOptions, secrets *SecretWatch) error {
	if err := indexBy(mgr, &hostingv1alpha1.Vhost{}, vhostFQDNIndex, VhostFQDNKey); err != nil {
		return err
	}
	if err := indexByRef(mgr, &hostingv1alpha1.Vhost{}, instanceRefIndex, func(vh *hostingv1alpha1.Vhost) *hostingv1alpha1.LocalObjectReference {
		return vh.Spec.InstanceRef
	}); err != nil {
		return err
	}
	b := ctrl.NewControllerManagedBy(mgr).
		For(&hostingv1alpha1.Vhost{}, builder.WithPredicates(notOwnBookkeeping())).
		Named("vhost").
		WithOptions(opts.controller()).
		// A vhost's ID is its FQDN: the key finds every Vhost recording it.
		Watches(&hostingv1alpha1.Vhost{}, wakeRivals(mgr.GetClient(), rivalIndex[*hostingv1alpha1.Vhost]{
			newList: func() client.ObjectList { return &hostingv1alpha1.VhostList{} }, keyIndex: vhostFQDNIndex, key: VhostFQDNKey,
		}), builder.WithPredicates(releasesClaim())).
		Watches(&hostingv1alpha1.HostingInstance{}, handler.EnqueueRequestsFromMapFunc(r.vhostsOfInstance), builder.WithPredicates(instanceChangedForVhosts())).
		Watches(&corev1.Secret{}, secrets.handlerFor(&hostingv1alpha1.VhostList{}), secrets.metadataOnly())
	if src := r.Observers.Source(kindVhost); src != nil {
		// Woken when a list shows its entry changed (observer.go).
		b = b.WatchesRawSource(src)
	}
	return b.Complete(r)
}

// vhostsOfInstance are the Vhosts of the instance's namespace whose
// instanceRef names it, found through instanceRefIndex.
func (r *VhostReconciler) vhostsOfInstance(ctx context.Context, hi client.Object) []reconcile.Request {
	return requestsByIndex(ctx, r, &hostingv1alpha1.VhostList{}, instanceRefIndex, hi)
}
