package controller

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
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
	client.Client
	Reader      client.Reader
	Credentials *Credentials
	Events      eventRecorder
	Timing      Timing
}

// Reconcile runs one pass: load, delete or ensure the finalizer, find the
// instance and credentials, observe (or create), update, write status once,
// requeue.
func (r *VhostReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	vh := &hostingv1alpha1.Vhost{}
	if err := r.Get(ctx, req.NamespacedName, vh); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	base := vh.DeepCopy()
	var res result
	switch {
	case isPaused(vh):
		setCondition(&vh.Status.Conditions, vh.Generation, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonReconcilePaused,
			"reconciliation is paused by the annotation "+hostingv1alpha1.AnnotationPaused+": nothing is sent to Gandi")
	case !vh.DeletionTimestamp.IsZero():
		var done bool
		if done, res = r.finalize(ctx, vh); done {
			return ctrl.Result{}, removeFinalizer(ctx, r.Client, vh)
		}
	default:
		res = r.reconcileLive(ctx, vh)
	}
	vh.Status.ObservedGeneration = vh.Generation
	if err := writeStatus(ctx, r.Client, vh, &base.Status, &vh.Status); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: res.requeue}, res.err
}

func (r *VhostReconciler) reconcileLive(ctx context.Context, vh *hostingv1alpha1.Vhost) result {
	conds, gen := &vh.Status.Conditions, vh.Generation
	fqdn, err := toASCII(vh.Spec.FQDN)
	if err != nil {
		setCondition(conds, gen, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonInvalidSpec, "spec.fqdn: "+err.Error())
		return result{}
	}
	vh.Status.FQDN, vh.Status.FQDNUnicode = fqdn, toUnicode(fqdn)
	target, res := r.resolveInstance(ctx, vh)
	if res != nil {
		return *res
	}
	vh.Status.InstanceID = target.instanceID
	if err := ensureFinalizer(ctx, r.Client, vh); err != nil {
		return result{err: err}
	}
	api, err := r.Credentials.ClientFor(ctx, vh.Namespace, target.credentials)
	if err != nil {
		return failed(conds, gen, r.Timing, "resolve credentials", err)
	}
	return r.sync(ctx, api, vh, target)
}

// instanceTarget is the instance a vhost lives on and how to reach it.
type instanceTarget struct {
	instanceID  string
	credentials *hostingv1alpha1.CredentialsReference
	// initialVhosts are the FQDNs (ASCII) the HostingInstance created with
	// the instance: this cluster made them, so they are adopted freely.
	initialVhosts []string
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
		return instanceTarget{}, &result{err: err}
	}
	if err != nil || instanceID(hi) == "" || !meta.IsStatusConditionTrue(hi.Status.Conditions, hostingv1alpha1.ConditionReady) {
		msg := "waiting for HostingInstance " + vh.Spec.InstanceRef.Name + " to be Ready"
		if err != nil {
			msg = "HostingInstance " + vh.Spec.InstanceRef.Name + " does not exist in this namespace"
		}
		setCondition(&vh.Status.Conditions, vh.Generation, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonWaitingForInstance, msg)
		setCondition(&vh.Status.Conditions, vh.Generation, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonWaitingForInstance, msg)
		// The HostingInstance watch brings the vhost back as soon as it changes.
		return instanceTarget{}, &result{requeue: jittered(r.Timing.Poll)}
	}
	t := instanceTarget{instanceID: instanceID(hi), credentials: hi.Spec.CredentialsRef}
	if vh.Spec.CredentialsRef != nil {
		t.credentials = vh.Spec.CredentialsRef
	}
	for _, iv := range hi.Spec.InitialVhosts {
		if a, err := toASCII(iv.FQDN); err == nil {
			t.initialVhosts = append(t.initialVhosts, a)
		}
	}
	return t, nil
}

// sync observes the vhost (creating it first when it is absent), brings it
// to the spec and reports its state.
func (r *VhostReconciler) sync(ctx context.Context, api vhostAPI, vh *hostingv1alpha1.Vhost, t instanceTarget) result {
	conds, gen := &vh.Status.Conditions, vh.Generation
	fqdn := vh.Status.FQDN
	observed, err := observeVhost(ctx, api, t.instanceID, fqdn)
	switch {
	case gandi.IsNotFound(err) && externalIDAnnotation(vh) != "":
		msg := "vhost " + fqdn + " no longer exists on instance " + t.instanceID + " at Gandi; remove the annotation " +
			hostingv1alpha1.AnnotationExternalID + " to create it again"
		vh.Status.State = ""
		return *stopped(conds, gen, r.Timing, hostingv1alpha1.ReasonExternalNotFound, msg)
	case gandi.IsNotFound(err):
		if res := r.create(ctx, api, vh, t.instanceID); res != nil {
			return *res
		}
		if observed, err = observeVhost(ctx, api, t.instanceID, fqdn); err != nil {
			return failed(conds, gen, r.Timing, "get vhost "+fqdn, err)
		}
	case err != nil:
		return failed(conds, gen, r.Timing, "get vhost "+fqdn, err)
	case externalIDAnnotation(vh) == "":
		if res := r.claim(ctx, vh, t); res != nil {
			return *res
		}
	}
	vhostToStatus(vh, observed)
	var res result
	if vh.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve {
		reportVhostDrift(vh, observed)
	} else {
		res = r.update(ctx, api, vh, t.instanceID, observed)
	}
	return r.stateResult(vh, observed, res)
}

// observeVhost is the one place a vhost is read from Gandi.
func observeVhost(ctx context.Context, api vhostAPI, instanceID, fqdn string) (*gandi.Vhost, error) {
	return api.GetVhost(ctx, instanceID, fqdn)
}

// claim decides whether an existing vhost this object has no record of is
// this object's to manage: its own interrupted create, one the
// HostingInstance created with the instance, or one the user handed over.
// Anything else may be a live site: AlreadyExists.
func (r *VhostReconciler) claim(ctx context.Context, vh *hostingv1alpha1.Vhost, t instanceTarget) *result {
	_, pending := createPendingSince(vh)
	why := ""
	switch {
	case pending:
		why = "found the vhost this object's interrupted create made"
	case adoptRequested(vh):
		why = "adopted the existing vhost as the adopt annotation asks"
	case contains(t.initialVhosts, vh.Status.FQDN):
		why = "adopted the vhost created with the instance (spec.initialVhosts)"
	default:
		msg := "vhost " + vh.Status.FQDN + " already exists on instance " + t.instanceID + " and this object did not create it: to manage it, set the annotation " +
			hostingv1alpha1.AnnotationAdopt + ": \"true\" (deleting this object would then delete the site at Gandi)"
		return stopped(&vh.Status.Conditions, vh.Generation, r.Timing, hostingv1alpha1.ReasonAlreadyExists, msg)
	}
	if err := r.recordVhost(ctx, vh); err != nil {
		return &result{err: err}
	}
	r.Events.normal(vh, "Adopted", "Adopt", why+": "+vh.Status.FQDN)
	return nil
}

// recordVhost records the vhost as this object's: the external-id
// annotation holds the ASCII FQDN on the instance.
func (r *VhostReconciler) recordVhost(ctx context.Context, vh *hostingv1alpha1.Vhost) error {
	return recordExternalID(ctx, r.Client, vh, vh.Status.FQDN)
}

// create makes the vhost, with the intent recorded first so that a lost
// answer (or a 422 "already exists" on the retry) is recognized as ours.
func (r *VhostReconciler) create(ctx context.Context, api vhostAPI, vh *hostingv1alpha1.Vhost, instanceID string) *result {
	conds, gen := &vh.Status.Conditions, vh.Generation
	if vh.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve {
		msg := "managementPolicy is Observe and vhost " + vh.Status.FQDN + " does not exist at Gandi: nothing is created"
		setCondition(conds, gen, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonExternalNotFound, msg)
		setCondition(conds, gen, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonObserved, msg)
		return &result{requeue: jittered(r.Timing.Poll)}
	}
	app, err := vhostApplication(vh.Spec.Application)
	if err != nil {
		setCondition(conds, gen, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonInvalidSpec, "spec.application: "+err.Error())
		return &result{}
	}
	if _, pending := createPendingSince(vh); !pending {
		intent := time.Now().UTC().Format(time.RFC3339Nano)
		if err := patchAnnotations(ctx, r.Client, vh, annotationPatch{set: map[string]string{hostingv1alpha1.AnnotationCreatePending: intent}}); err != nil {
			return &result{err: err}
		}
	}
	req := gandi.CreateVhostRequest{FQDN: vh.Status.FQDN, Application: app, LinkedDNSZone: linkedZone(vh.Spec.LinkedDNSZone)}
	err = api.CreateVhost(ctx, instanceID, req)
	switch {
	case gandi.IsAlreadyExists(err):
		// Our intent is recorded: this is our own earlier create whose
		// answer was lost, not someone else's site.
		r.Events.normal(vh, "Adopted", "Create", "Gandi already has "+vh.Status.FQDN+" from this object's earlier create")
	case err != nil:
		r.Events.warn(vh, classify(err).reason, "Create", "create vhost "+vh.Status.FQDN+": "+err.Error())
		res := failed(conds, gen, r.Timing, "create vhost "+vh.Status.FQDN, err)
		if !gandi.IsTransient(err) {
			_ = patchAnnotations(ctx, r.Client, vh, annotationPatch{remove: []string{hostingv1alpha1.AnnotationCreatePending}})
		}
		return &res
	default:
		r.Events.normal(vh, "Created", "Create", "created vhost "+vh.Status.FQDN+" on instance "+instanceID)
	}
	if err := r.recordVhost(ctx, vh); err != nil {
		return &result{err: err}
	}
	return nil
}

// finalize runs the deletion policy; done means the finalizer may go.
func (r *VhostReconciler) finalize(ctx context.Context, vh *hostingv1alpha1.Vhost) (bool, result) {
	if !controllerutil.ContainsFinalizer(vh, Finalizer) {
		return true, result{}
	}
	_, pending := createPendingSince(vh)
	owned := externalIDAnnotation(vh) != "" || pending
	if !owned || vh.Spec.DeletionPolicy == hostingv1alpha1.DeletionPolicyOrphan ||
		vh.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve || vh.Status.InstanceID == "" {
		return true, result{}
	}
	creds, gone, err := r.deletionCredentials(ctx, vh)
	if err != nil {
		return false, result{err: err}
	}
	if gone {
		r.Events.normal(vh, "InstanceGone", "Delete",
			"the HostingInstance is gone, and with it the instance's vhosts at Gandi (or its credentials): nothing left to delete")
		return true, result{}
	}
	api, err := r.Credentials.ClientFor(ctx, vh.Namespace, creds)
	if err != nil {
		return false, failed(&vh.Status.Conditions, vh.Generation, r.Timing,
			"delete needs credentials (restore them, or set spec.deletionPolicy: Orphan)", err)
	}
	return r.deleteAtGandi(ctx, api, vh)
}

// deletionCredentials picks the credentials to delete with. gone reports a
// HostingInstance that no longer exists while the vhost relied on its
// credentials: its deletion removed the instance's vhosts at Gandi.
func (r *VhostReconciler) deletionCredentials(ctx context.Context, vh *hostingv1alpha1.Vhost) (*hostingv1alpha1.CredentialsReference, bool, error) {
	if vh.Spec.CredentialsRef != nil || vh.Spec.InstanceRef == nil {
		return vh.Spec.CredentialsRef, false, nil
	}
	hi := &hostingv1alpha1.HostingInstance{}
	err := r.Get(ctx, types.NamespacedName{Namespace: vh.Namespace, Name: vh.Spec.InstanceRef.Name}, hi)
	if apierrors.IsNotFound(err) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return hi.Spec.CredentialsRef, false, nil
}

func (r *VhostReconciler) deleteAtGandi(ctx context.Context, api vhostAPI, vh *hostingv1alpha1.Vhost) (bool, result) {
	id, fqdn := vh.Status.InstanceID, vh.Status.FQDN
	observed, err := observeVhost(ctx, api, id, fqdn)
	if gandi.IsNotFound(err) {
		r.Events.normal(vh, "Deleted", "Delete", "vhost "+fqdn+" is gone at Gandi")
		return true, result{}
	}
	if err != nil {
		return false, failed(&vh.Status.Conditions, vh.Generation, r.Timing, "get vhost "+fqdn+" to delete it", err)
	}
	vh.Status.State = observed.Status
	if observed.Status != gandi.VhostBeingDeleted {
		if err := api.DeleteVhost(ctx, id, fqdn); err != nil && !gandi.IsNotFound(err) {
			r.Events.warn(vh, classify(err).reason, "Delete", "delete vhost "+fqdn+": "+err.Error())
			return false, failed(&vh.Status.Conditions, vh.Generation, r.Timing, "delete vhost "+fqdn, err)
		}
		r.Events.normal(vh, "Deleting", "Delete", "asked Gandi to delete vhost "+fqdn)
	}
	setCondition(&vh.Status.Conditions, vh.Generation, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonDeleting, "waiting for Gandi to delete vhost "+fqdn)
	return false, result{requeue: r.Timing.Transitional}
}

// SetupWithManager registers the reconciler. Vhosts are reconciled again as
// soon as their HostingInstance changes (no polling while they wait).
func (r *VhostReconciler) SetupWithManager(mgr ctrl.Manager, opts KindOptions, secrets *SecretWatch) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&hostingv1alpha1.Vhost{}).
		Named("vhost").
		WithOptions(opts.controller()).
		Watches(&hostingv1alpha1.HostingInstance{}, handler.EnqueueRequestsFromMapFunc(r.vhostsOfInstance)).
		Watches(&corev1.Secret{}, secrets.handlerFor(&hostingv1alpha1.VhostList{}), secrets.metadataOnly()).
		Complete(r)
}

func (r *VhostReconciler) vhostsOfInstance(ctx context.Context, hi client.Object) []reconcile.Request {
	list := &hostingv1alpha1.VhostList{}
	if err := r.List(ctx, list, client.InNamespace(hi.GetNamespace())); err != nil {
		return nil
	}
	var reqs []reconcile.Request
	for _, vh := range list.Items {
		if vh.Spec.InstanceRef != nil && vh.Spec.InstanceRef.Name == hi.GetName() {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&vh)})
		}
	}
	return reqs
}
