package controller

import (
	"cmp"
	"context"
	"errors"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"

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
	// PeekInstances is the probe that tells Gandi's 403 to the token from
	// one to the instance (notVisible).
	PeekInstances(ctx context.Context) error
}

// HostingInstanceReconciler keeps a Gandi Web Hosting instance as its
// HostingInstance declares.
type HostingInstanceReconciler struct {
	Base
	// Reader reads Secrets (passwords, connection Secrets): a
	// SecretReader, uncached but for the Secrets the watch follows.
	Reader client.Reader
	Scheme *runtime.Scheme
}

// Reconcile runs one pass: load, delete or ensure the finalizer, resolve
// credentials, observe (or create), update, write status once, requeue.
func (r *HostingInstanceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return runPass(ctx, r.Client, req.NamespacedName, &hostingv1alpha1.HostingInstance{}, r)
}

func (r *HostingInstanceReconciler) live(ctx context.Context, hi *hostingv1alpha1.HostingInstance) result {
	api, src, res := r.lifecycle().connect(ctx, hi, hi.Spec.CredentialsRef)
	if res != nil {
		return *res
	}
	var iapi instanceAPI = api
	if obs := r.Observers.For(api, hi.Spec.SharingID); obs != nil {
		iapi = observedInstances{instanceAPI: api, obs: obs, owner: client.ObjectKeyFromObject(hi), readsVhosts: !r.hasVhostObjects(ctx, hi)}
	}
	return r.sync(ctx, iapi, hi, src)
}

// hasVhostObjects reports a Vhost of hi's namespace naming hi (its
// instanceRef) whose passes read the instance's vhost list at every poll,
// from the cache, so hi's own need not (observer.instance). A paused Vhost
// reads nothing, nor does one stalled (credentials missing, another object
// managing its site…): they do not count, or a vhost made at Gandi would
// show in hi's status only a detail interval later. A Vhost naming the
// instance by spec.instanceID is not found here; hi then reads the list
// itself, a request more, never a change missed.
func (r *HostingInstanceReconciler) hasVhostObjects(ctx context.Context, hi *hostingv1alpha1.HostingInstance) bool {
	vhosts, err := listByIndex(ctx, r.Client, &hostingv1alpha1.VhostList{}, instanceRefIndex, hi.Name, hi.Namespace)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(vhosts, readsVhostList)
}

// readsVhostList reports a Vhost whose passes reach the observation of
// its vhost: neither paused nor stalled on a state only a person changes.
func readsVhostList(obj client.Object) bool {
	vh, ok := obj.(*hostingv1alpha1.Vhost)
	return ok && !isPaused(vh) && !meta.IsStatusConditionTrue(vh.Status.Conditions, hostingv1alpha1.ConditionStalled)
}

// sync observes the instance (finding or creating it first when its ID is
// unknown) under the credentials from src, then brings it to the spec.
func (r *HostingInstanceReconciler) sync(ctx context.Context, api instanceAPI, hi *hostingv1alpha1.HostingInstance, src credentialSource) result {
	ext := &instanceExternal{r: r, api: api, hi: hi}
	id, stop := r.lifecycle().ensureID(ctx, hi, ext, instanceID(hi), &hi.Spec.ManagedFields)
	if stop != nil {
		return *stop
	}
	if res := r.keepLegacyPassword(ctx, hi, id); res != nil {
		return *res
	}
	if res := r.lifecycle().followEffects(ctx, hi, ext, id); res != nil {
		return *res
	}
	describeInstance(hi, id)
	inst, err := observeInstance(ctx, api, id, freshWanted(hi, hi.Status.ObservedGeneration, hi.Status.LastHandledReconcileAt) || paidChangeOnItsWay(hi) || r.freeOnItsWay(hi))
	err = notVisible(ctx, err, instancesProbe(api))
	if gandi.IsNotFound(err) {
		return r.vanished(ctx, hi, id, src)
	}
	if errors.Is(err, errNotVisible) {
		// Not gone: nothing is bought, and how to reach it stays.
		hi.Status.State = ""
		return r.lifecycle().refused(hi, "instance "+id, id, src, "if it is gone, "+confirmGone)
	}
	if err != nil {
		return failed(hi, r.Timing, "observe the instance", err)
	}
	sawUnder(hi, id, src)
	if err := clearIntent(ctx, r.Client, hi); err != nil {
		return retry(err)
	}
	expireAtBefore := hi.Status.ExpireAt
	instanceToStatus(hi, inst)
	r.reportExpiry(ctx, hi, inst, expireAtBefore)

	var res result
	if hi.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve {
		plan := planInstance(hi, inst, r.freeView(hi), r.paidHold(hi))
		if err := r.recordBooster(ctx, hi, plan.boost); err != nil {
			return retry(err)
		}
		reportDrift(hi, plan)
	} else {
		res = r.update(ctx, api, hi, inst)
	}
	r.refreshUsage(ctx, api, hi)
	if err := r.keepConnectionSecrets(ctx, hi); err != nil {
		sent := res.sent // the failure does not undo a change sent to Gandi
		res = failed(hi, r.Timing, "write connection Secret", err)
		res.sent = sent
	}
	res = r.stateResult(hi, inst, res)
	res.observed = true
	return res
}

// observeInstance is the one place an instance is read from Gandi: from
// the observer's lists when api has one (see observer.go), its GET
// otherwise or when wantFresh (a spec change to act on).
func observeInstance(ctx context.Context, api instanceAPI, id string, wantFresh bool) (*gandi.Instance, error) {
	if o, ok := api.(observedInstances); ok {
		return o.obs.instance(ctx, id, o.owner, wantFresh, o.readsVhosts)
	}
	return api.GetInstance(ctx, id)
}

// stateResult sets Ready from Gandi's state and picks the requeue: quick
// while the state is about to change, the poll interval otherwise.
func (r *HostingInstanceReconciler) stateResult(hi *hostingv1alpha1.HostingInstance, inst *gandi.Instance, res result) result {
	ready, reason, msg, transitional := instanceReadiness(inst.Status)
	setCondition(hi, hostingv1alpha1.ConditionReady, ready, reason, msg)
	return untilStateChanges(r.Timing, r.waitIf(transitional, hi, hostingv1alpha1.ConditionReady), res)
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
	return false, hostingv1alpha1.ReasonUnknownState, "Gandi reports the unknown state " + state, false
}

// vanished handles a known instance that Gandi does not show under src:
// report it, and buy a new one only when the user opted in and it was
// last seen under these same credentials. Unless it was last seen under
// other credentials (it may well live on), how to reach it goes from the
// status and from the connection Secrets it recorded writing (retired),
// which would otherwise keep pointing applications at an admin URL, SFTP
// server and database host that no longer exist.
func (r *HostingInstanceReconciler) vanished(ctx context.Context, hi *hostingv1alpha1.HostingInstance, id string, src credentialSource) result {
	hi.Status.State = ""
	// Judged before vanished, which forgets the record on a recreate.
	elsewhere := judgeNotFound(seenRecord(hi), id, src) == seenElsewhere
	if !elsewhere {
		hi.Status.Access = nil
	}
	res := r.lifecycle().vanished(ctx, hi, "instance", id, src, hi.Spec.RecreateIfDeleted, &hi.Spec.ManagedFields, func() { describeInstance(hi, "") })
	if elsewhere {
		return res
	}
	if err := r.retireConnectionSecrets(ctx, hi, "", "instance "+id+" no longer exists at Gandi"); err != nil {
		// Ready keeps ExternalNotFound; the sooner look wins (a recreate's
		// next pass is due at once).
		if f := failed(hi, r.Timing, "retire the connection Secret", err); res.err == nil && (f.err != nil || f.requeue < res.requeue) {
			res = f
		}
	}
	return res
}

func instanceID(hi *hostingv1alpha1.HostingInstance) string { return knownID(hi, hi.Status.ID) }

func gandiName(hi *hostingv1alpha1.HostingInstance) string { return cmp.Or(hi.Spec.Name, hi.Name) }

// finalize runs the deletion policy through the shared lifecycle.
func (r *HostingInstanceReconciler) finalize(ctx context.Context, hi *hostingv1alpha1.HostingInstance) (bool, result) {
	return r.lifecycle().finalize(ctx, hi, deletionRequest{id: instanceID(hi), policy: &hi.Spec.ManagedFields,
		connect: withCredentials(r.Credentials, hi.Namespace, hi.Spec.CredentialsRef, func(api *gandi.Client) external {
			return &instanceExternal{r: r, api: api, hi: hi}
		})})
}

// SetupWithManager registers the reconciler: it watches HostingInstances,
// the connection Secrets they own (metadata only) and the Secrets they
// reference (through the shared Secret watch).
func (r *HostingInstanceReconciler) SetupWithManager(mgr ctrl.Manager, opts KindOptions, secrets *SecretWatch) error {
	if err := indexNaming(mgr, &hostingv1alpha1.HostingInstance{}, instanceKeyIndex, instanceKey); err != nil {
		return err
	}
	b := ctrl.NewControllerManagedBy(mgr).
		For(&hostingv1alpha1.HostingInstance{}, builder.WithPredicates(notOwnBookkeeping())).
		Named("hostinginstance").
		WithOptions(opts.controller()).
		Watches(&hostingv1alpha1.HostingInstance{}, wakeRivals(mgr.GetClient(), namedBy(
			func() client.ObjectList { return &hostingv1alpha1.HostingInstanceList{} }, instanceKey)), builder.WithPredicates(releasesClaim())).
		Watches(&corev1.Secret{}, secrets.handlerFor(&hostingv1alpha1.HostingInstanceList{}), secrets.metadataOnly())
	if src := r.Observers.Source(kindInstance); src != nil {
		// Woken when a list shows its entry changed (observer.go).
		b = b.WatchesRawSource(src)
	}
	return b.Complete(r)
}
