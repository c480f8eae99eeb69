package controller

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// instanceAPI is what the HostingInstance reconciler needs of Gandi.
type instanceAPI interface {
	ListInstances(ctx context.Context, opts gandi.ListInstancesOptions) ([]gandi.Instance, error)
	DryRunCreateInstance(ctx context.Context, req gandi.CreateInstanceRequest, opts gandi.CreateOptions) error
	CreateInstance(ctx context.Context, req gandi.CreateInstanceRequest, opts gandi.CreateOptions) (string, error)
	GetInstance(ctx context.Context, id string) (*gandi.Instance, error)
	UpdateInstance(ctx context.Context, id string, req gandi.UpdateInstanceRequest) error
	DeleteInstance(ctx context.Context, id string) error
	InstanceAction(ctx context.Context, id, action string) error
	GetInstanceUsage(ctx context.Context, id string) (*gandi.Usage, error)
}

// HostingInstanceReconciler keeps a Gandi Web Hosting instance as its
// HostingInstance declares.
type HostingInstanceReconciler struct {
	client.Client
	// Reader reads Secrets uncached (passwords, connection Secrets).
	Reader      client.Reader
	Scheme      *runtime.Scheme
	Credentials *Credentials
	Events      eventRecorder
	Timing      Timing
	// Now is the clock; tests may move it.
	Now func() time.Time
}

// Reconcile runs one pass: load, delete or ensure the finalizer, resolve
// credentials, observe (or create), update, write status once, requeue.
func (r *HostingInstanceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	hi := &hostingv1alpha1.HostingInstance{}
	if err := r.Get(ctx, req.NamespacedName, hi); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	base := hi.DeepCopy()
	var res result
	switch {
	case isPaused(hi):
		setCondition(&hi.Status.Conditions, hi.Generation, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonReconcilePaused,
			"reconciliation is paused by the annotation "+hostingv1alpha1.AnnotationPaused+": nothing is sent to Gandi")
	case !hi.DeletionTimestamp.IsZero():
		return r.finalize(ctx, hi)
	default:
		res = r.reconcileLive(ctx, hi)
	}
	hi.Status.ObservedGeneration = hi.Generation
	if err := writeStatus(ctx, r.Client, hi, &base.Status, &hi.Status); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: res.requeue}, res.err
}

func (r *HostingInstanceReconciler) reconcileLive(ctx context.Context, hi *hostingv1alpha1.HostingInstance) result {
	if err := ensureFinalizer(ctx, r.Client, hi); err != nil {
		return result{err: err}
	}
	api, err := r.Credentials.ClientFor(ctx, hi.Namespace, hi.Spec.CredentialsRef)
	if err != nil {
		return failed(&hi.Status.Conditions, hi.Generation, r.Timing, "resolve credentials", err)
	}
	return r.sync(ctx, api, hi)
}

// sync observes the instance (finding or creating it first when its ID is
// unknown), then brings it to the spec.
func (r *HostingInstanceReconciler) sync(ctx context.Context, api instanceAPI, hi *hostingv1alpha1.HostingInstance) result {
	id := instanceID(hi)
	if id == "" {
		var res *result
		if id, res = r.findOrCreate(ctx, api, hi); res != nil {
			return *res
		}
	}
	inst, err := observeInstance(ctx, api, id)
	if gandi.IsNotFound(err) {
		return r.vanished(ctx, hi, id)
	}
	if err != nil {
		return failed(&hi.Status.Conditions, hi.Generation, r.Timing, "get instance "+id, err)
	}
	if _, pending := createPendingSince(hi); pending {
		// A person resolved an interrupted create by naming the instance.
		if err := patchAnnotations(ctx, r.Client, hi, annotationPatch{remove: []string{hostingv1alpha1.AnnotationCreatePending}}); err != nil {
			return result{err: err}
		}
	}
	instanceToStatus(hi, inst)

	var res result
	if hi.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve {
		reportDrift(hi, inst)
	} else {
		res = r.update(ctx, api, hi, inst)
	}
	r.refreshUsage(ctx, api, hi)
	if err := r.writeConnectionSecret(ctx, hi); err != nil {
		res = failed(&hi.Status.Conditions, hi.Generation, r.Timing, "write connection Secret", err)
	}
	return r.stateResult(hi, inst, res)
}

// observeInstance is the one place an instance is read from Gandi.
func observeInstance(ctx context.Context, api instanceAPI, id string) (*gandi.Instance, error) {
	return api.GetInstance(ctx, id)
}

// stateResult sets Ready from Gandi's state and picks the requeue: quick
// while the state is about to change, the poll interval otherwise.
func (r *HostingInstanceReconciler) stateResult(hi *hostingv1alpha1.HostingInstance, inst *gandi.Instance, res result) result {
	ready, reason, msg, transitional := instanceReadiness(inst.Status)
	setCondition(&hi.Status.Conditions, hi.Generation, hostingv1alpha1.ConditionReady, ready, reason, msg)
	next := jittered(r.Timing.Poll)
	if transitional {
		next = r.Timing.Transitional
	}
	if res.err != nil {
		return res
	}
	if res.requeue == 0 || next < res.requeue {
		res.requeue = next
	}
	return res
}

func instanceReadiness(state string) (ready bool, reason, message string, transitional bool) {
	switch state {
	case gandi.InstanceActive:
		return true, hostingv1alpha1.ReasonAvailable, "the instance is active", false
	case gandi.InstanceWaitingBill:
		return false, hostingv1alpha1.ReasonWaitingForPayment, "Gandi is waiting for the payment of the instance", true
	case gandi.InstanceBeingCreated:
		return false, hostingv1alpha1.ReasonCreating, "Gandi is creating the instance", true
	case gandi.InstancePaused:
		return false, hostingv1alpha1.ReasonInstancePaused, "Gandi paused the instance (e.g. expired or unpaid): see the Gandi admin", false
	case gandi.InstanceLocked:
		return false, hostingv1alpha1.ReasonLocked, "Gandi locked the instance: contact Gandi support", false
	case gandi.InstanceBeingDeleted:
		return false, hostingv1alpha1.ReasonDeleting, "Gandi is deleting the instance", true
	}
	return false, "UnknownState", "Gandi reports the unknown state " + state, false
}

// vanished handles a known instance that Gandi no longer has: report it,
// and buy a new one only when the user opted in.
func (r *HostingInstanceReconciler) vanished(ctx context.Context, hi *hostingv1alpha1.HostingInstance, id string) result {
	if !hi.Spec.RecreateIfDeleted || hi.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve {
		msg := "instance " + id + " no longer exists at Gandi; nothing was bought again (set spec.recreateIfDeleted to buy a new one, or delete this object)"
		hi.Status.State = ""
		r.Events.warn(hi, hostingv1alpha1.ReasonExternalNotFound, "Observe", msg)
		return *stopped(&hi.Status.Conditions, hi.Generation, r.Timing, hostingv1alpha1.ReasonExternalNotFound, msg)
	}
	r.Events.warn(hi, hostingv1alpha1.ReasonExternalNotFound, "Recreate", "instance "+id+" no longer exists at Gandi; buying a new one as spec.recreateIfDeleted asks")
	if err := patchAnnotations(ctx, r.Client, hi, annotationPatch{remove: []string{hostingv1alpha1.AnnotationExternalID}}); err != nil {
		return result{err: err}
	}
	hi.Status.ID = ""
	return result{requeue: time.Millisecond}
}

// instanceID is the Gandi ID this object manages: the annotation (which
// survives a backup and restore) first, then the status.
func instanceID(hi *hostingv1alpha1.HostingInstance) string {
	if id := externalIDAnnotation(hi); id != "" {
		return id
	}
	return hi.Status.ID
}

func gandiName(hi *hostingv1alpha1.HostingInstance) string {
	if hi.Spec.Name != "" {
		return hi.Spec.Name
	}
	return hi.Name
}

// finalize runs the deletion policy, then lets the object go.
func (r *HostingInstanceReconciler) finalize(ctx context.Context, hi *hostingv1alpha1.HostingInstance) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(hi, Finalizer) {
		return ctrl.Result{}, nil
	}
	_, pending := createPendingSince(hi)
	id := instanceID(hi)
	if hi.Spec.DeletionPolicy == hostingv1alpha1.DeletionPolicyOrphan ||
		hi.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve || (id == "" && !pending) {
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, hi)
	}
	base := hi.DeepCopy()
	done, res := r.deleteAtGandi(ctx, hi, id)
	if done {
		r.Events.normal(hi, "Deleted", "Delete", "the instance is deleted at Gandi")
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, hi)
	}
	if err := writeStatus(ctx, r.Client, hi, &base.Status, &hi.Status); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: res.requeue}, res.err
}

// deleteAtGandi deletes the instance and reports whether it is gone.
func (r *HostingInstanceReconciler) deleteAtGandi(ctx context.Context, hi *hostingv1alpha1.HostingInstance, id string) (bool, result) {
	api, err := r.Credentials.ClientFor(ctx, hi.Namespace, hi.Spec.CredentialsRef)
	if err != nil {
		return false, failed(&hi.Status.Conditions, hi.Generation, r.Timing,
			"delete needs credentials (restore them, or set spec.deletionPolicy: Orphan)", err)
	}
	if id == "" {
		// A create whose answer was lost may still have bought an instance:
		// find it before letting the object go.
		var res *result
		if id, res = r.resolvePendingForDelete(ctx, api, hi); res != nil || id == "" {
			if res == nil {
				return true, result{}
			}
			return false, *res
		}
	}
	inst, err := observeInstance(ctx, api, id)
	if gandi.IsNotFound(err) {
		return true, result{}
	}
	if err != nil {
		return false, failed(&hi.Status.Conditions, hi.Generation, r.Timing, "get instance "+id+" to delete it", err)
	}
	hi.Status.State = inst.Status
	if inst.Status != gandi.InstanceBeingDeleted {
		if err := api.DeleteInstance(ctx, id); err != nil && !gandi.IsNotFound(err) {
			r.Events.warn(hi, classify(err).reason, "Delete", "delete instance "+id+": "+err.Error())
			return false, failed(&hi.Status.Conditions, hi.Generation, r.Timing, "delete instance "+id, err)
		}
		r.Events.normal(hi, "Deleting", "Delete", "asked Gandi to delete instance "+id)
	}
	setCondition(&hi.Status.Conditions, hi.Generation, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonDeleting, "waiting for Gandi to delete instance "+id)
	return false, result{requeue: r.Timing.Transitional}
}

// SetupWithManager registers the reconciler: it watches HostingInstances,
// the connection Secrets they own (metadata only) and the Secrets they
// reference (through the shared Secret watch).
func (r *HostingInstanceReconciler) SetupWithManager(mgr ctrl.Manager, opts KindOptions, secrets *SecretWatch) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&hostingv1alpha1.HostingInstance{}).
		Named("hostinginstance").
		WithOptions(opts.controller()).
		Watches(&corev1.Secret{}, secrets.handlerFor(&hostingv1alpha1.HostingInstanceList{}), secrets.metadataOnly()).
		Complete(r)
}
