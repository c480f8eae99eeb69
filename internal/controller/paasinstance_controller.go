package controller

import (
	"cmp"
	"context"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// paasAPI is what the PaaSInstance reconciler needs of Gandi's XML-RPC API.
//
// Creates, renewals, deletions and vhost changes return operations, which
// run asynchronously at Gandi. The API has no method to read an operation's
// progress, so progress is followed through the objects' states instead:
// paas.info (being_created → running, being_deleted → gone) and the vhosts
// paas.info lists (being_created → running).
type paasAPI interface {
	ListAll(ctx context.Context, opts paas.PaasCountOptions) ([]paas.PaasListReturn, error)
	Create(ctx context.Context, p paas.PaasCreateParams) ([]paas.Operation, error)
	Info(ctx context.Context, paasID int) (*paas.PaasReturn, error)
	Update(ctx context.Context, paasID int, p paas.PaasUpdateParams) ([]paas.Operation, error)
	Delete(ctx context.Context, paasID int) ([]paas.Operation, error)
	Restart(ctx context.Context, paasID int) (*paas.Operation, error)
	Renew(ctx context.Context, paasID int, o paas.RenewOptions) ([]paas.Operation, error)
	VhostCreate(ctx context.Context, p paas.PaasVhost) (*paas.Operation, error)
	VhostDelete(ctx context.Context, fqdn string) (*paas.Operation, error)
	VhostInfo(ctx context.Context, fqdn string) (*paas.PaasVHostReturn, error)
	VhostDNSEntries(ctx context.Context, p paas.PaasDnsEntry) (paas.DNSEntries, error)
	SnapshotList(ctx context.Context, opts *paas.PaasSnapshotListOptions) ([]paas.PaasSnapshotReturn, error)
	TypeList(ctx context.Context, opts *paas.PaasTypeListOptions) ([]paas.PaasTypeReturn, error)
}

// PaaSInstanceReconciler keeps a legacy Simple Hosting instance as its
// PaaSInstance declares, through the shared lifecycle.
type PaaSInstanceReconciler struct {
	Base
	// Reader reads Secrets uncached (the API key, the password).
	Reader client.Reader
	// PaaS shares one XML-RPC client per API key.
	PaaS *PaaSClients
}

// Reconcile runs one pass through the shared shape (runPass).
func (r *PaaSInstanceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return runPass(ctx, r.Client, req.NamespacedName, &hostingv1alpha1.PaaSInstance{}, r)
}

func (r *PaaSInstanceReconciler) live(ctx context.Context, pi *hostingv1alpha1.PaaSInstance) result {
	api, src, res := connectTo(ctx, r.lifecycle(), pi, func(ctx context.Context) (paasAPI, credentialSource, error) {
		return r.paasClientFor(ctx, pi)
	})
	if res != nil {
		return *res
	}
	return r.sync(ctx, api, pi, src)
}

// sync observes the instance (finding or creating it first when its ID is
// unknown) under the credentials from src, then brings it, its vhosts and
// its requests to the spec.
func (r *PaaSInstanceReconciler) sync(ctx context.Context, api paasAPI, pi *hostingv1alpha1.PaaSInstance, src credentialSource) result {
	ext := &paasExternal{r: r, api: api, pi: pi}
	idText, stop := r.lifecycle().ensureID(ctx, pi, ext, paasIDText(pi), paasPolicy(pi))
	if stop != nil {
		return *stop
	}
	id, err := strconv.Atoi(idText)
	if err != nil {
		msg := "the external ID " + strconv.Quote(idText) + " is not a PaaS instance ID (an integer): fix the annotation " + hostingv1alpha1.AnnotationExternalID
		return *stopped(pi, r.Timing, hostingv1alpha1.ReasonInvalidSpec, msg)
	}
	if res := r.lifecycle().followEffects(ctx, pi, ext, idText); res != nil {
		return *res
	}
	pi.Status.ID = idText
	info, err := observePaaS(ctx, api, id)
	if err == nil {
		// Also when it shows the instance deleted: only the account that
		// has it sees it so, which proves it gone.
		sawUnder(pi, idText, src)
	}
	if gandi.IsNotFound(err) || (err == nil && info.State == paas.StateDeleted) {
		return r.vanished(ctx, pi, idText, src)
	}
	if err != nil {
		return failed(pi, r.Timing, "get PaaS instance "+idText, err)
	}
	if err := clearIntent(ctx, r.Client, pi); err != nil {
		return retry(err)
	}
	paasToStatus(pi, info)
	r.checkType(ctx, api, pi)
	r.observeVhosts(ctx, api, pi, info)
	r.observeSnapshots(ctx, api, pi, id)

	var res result
	if observeOnly(paasPolicy(pi)) {
		if stop := r.observeVhostConflicts(ctx, api, pi, info); stop != nil {
			res = *stop
		} else {
			reportPaaSDrift(pi, info, r.freeView(pi), r.paidHold(pi))
		}
	} else {
		res = r.update(ctx, api, pi, info)
	}
	res = r.paasStateResult(pi, info, res)
	res.observed = true
	return res
}

// observePaaS is the one place an instance is read from Gandi.
func observePaaS(ctx context.Context, api paasAPI, id int) (*paas.PaasReturn, error) {
	return api.Info(ctx, id)
}

// paasStateResult sets Ready from Gandi's state and picks the requeue:
// quick while the instance or one of its vhosts is about to change.
func (r *PaaSInstanceReconciler) paasStateResult(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn, res result) result {
	ready, reason, msg, transitional := paasReadiness(info.State)
	setCondition(pi, hostingv1alpha1.ConditionReady, ready, reason, msg)
	for _, vh := range info.Vhosts {
		transitional = transitional || vh.State == paas.StateBeingCreated || vh.State == paas.StateBeingDeleted
	}
	return untilStateChanges(r.Timing, r.waitIf(transitional, pi, hostingv1alpha1.ConditionReady), res)
}

// paasReadiness maps a PaasState to Ready.
func paasReadiness(state string) (ready bool, reason, message string, transitional bool) {
	switch state {
	case paas.StateRunning:
		return true, hostingv1alpha1.ReasonAvailable, "the instance is running", false
	case paas.StateBeingCreated:
		return false, hostingv1alpha1.ReasonCreating, "Gandi is creating the instance", true
	case paas.StateBeingMigrated:
		return false, hostingv1alpha1.ReasonUpdating, "Gandi is migrating the instance", true
	case paas.StatePaused:
		return false, hostingv1alpha1.ReasonInstancePaused, "Gandi paused the instance (e.g. its subscription ended): renew it with spec.renew, or see the Gandi admin", false
	case paas.StateLocked:
		return false, hostingv1alpha1.ReasonLocked, "Gandi locked the instance: contact Gandi support", false
	case paas.StateBeingDeleted:
		return false, hostingv1alpha1.ReasonDeleting, "Gandi is deleting the instance", true
	}
	return false, hostingv1alpha1.ReasonUnknownState, "Gandi reports the unknown state " + state, false
}

// vanished handles a known instance Gandi does not show under src (or
// shows deleted): report it, and buy a new one only when the user opted in
// (spec.recreateIfDeleted) and it was last seen under these same
// credentials, as a HostingInstance does. paas.info answers "not found" to
// another account's instance as to a deleted one.
func (r *PaaSInstanceReconciler) vanished(ctx context.Context, pi *hostingv1alpha1.PaaSInstance, id string, src credentialSource) result {
	pi.Status.State = ""
	return r.lifecycle().vanished(ctx, pi, "PaaS instance", id, src, pi.Spec.RecreateIfDeleted, paasPolicy(pi), func() { pi.Status.ID = "" })
}

func paasIDText(pi *hostingv1alpha1.PaaSInstance) string { return knownID(pi, pi.Status.ID) }

func paasName(pi *hostingv1alpha1.PaaSInstance) string { return cmp.Or(pi.Spec.Name, pi.Name) }

// paasPolicy gives the shared lifecycle the object's two policies.
func paasPolicy(pi *hostingv1alpha1.PaaSInstance) *hostingv1alpha1.ManagedFields {
	return &hostingv1alpha1.ManagedFields{DeletionPolicy: pi.Spec.DeletionPolicy, ManagementPolicy: pi.Spec.ManagementPolicy}
}

// finalize runs the deletion policy through the shared lifecycle.
func (r *PaaSInstanceReconciler) finalize(ctx context.Context, pi *hostingv1alpha1.PaaSInstance) (bool, result) {
	return r.lifecycle().finalize(ctx, pi, deletionRequest{id: paasIDText(pi), policy: paasPolicy(pi),
		connect: func(ctx context.Context) (external, credentialSource, bool, error) {
			api, src, err := r.paasClientFor(ctx, pi)
			if err != nil {
				return nil, src, false, err
			}
			return &paasExternal{r: r, api: api, pi: pi}, src, false, nil
		}})
}

// SetupWithManager registers the reconciler: it watches PaaSInstances and
// the Secrets they reference (through the shared Secret watch).
func (r *PaaSInstanceReconciler) SetupWithManager(mgr ctrl.Manager, opts KindOptions, secrets *SecretWatch) error {
	if err := indexNaming(mgr, &hostingv1alpha1.PaaSInstance{}, paasKeyIndex, paasKey); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&hostingv1alpha1.PaaSInstance{}, builder.WithPredicates(notOwnBookkeeping())).
		Named("paasinstance").
		WithOptions(opts.controller()).
		Watches(&hostingv1alpha1.PaaSInstance{}, wakeRivals(mgr.GetClient(), namedBy(
			func() client.ObjectList { return &hostingv1alpha1.PaaSInstanceList{} }, paasKey)), builder.WithPredicates(releasesClaim())).
		Watches(&corev1.Secret{}, secrets.handlerFor(&hostingv1alpha1.PaaSInstanceList{}), secrets.metadataOnly()).
		Complete(r)
}
