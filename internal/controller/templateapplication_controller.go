package controller

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// templateApplicationAPI is what the TemplateApplication reconciler needs
// of Gandi.
type templateApplicationAPI interface {
	GetTemplate(ctx context.Context, id string) (*gandi.Template, error)
	ListTemplates(ctx context.Context, opts gandi.ListTemplatesOptions) ([]gandi.TemplateSummary, error)
	ApplyTemplate(ctx context.Context, templateID string, req gandi.ApplyTemplateRequest) (*gandi.ApplyResult, error)
	GetDispatch(ctx context.Context, id string) (*gandi.Dispatch, error)
	GetDomain(ctx context.Context, fqdn string) (*gandi.Domain, error)
}

// TemplateApplicationReconciler applies a Gandi configuration template to a
// domain, once per change of what is applied, and follows the dispatch.
//
// Deleting one changes nothing at Gandi (a template cannot be un-applied),
// but it waits for its last apply to end there: an application that sent
// an apply carries the finalizer, and keeps it, and holds the domain
// against the others, while Gandi shows that apply's dispatch running, or,
// for an apply without a dispatch to follow, for the grace a live
// application waits before sending again, unless the domain shows it done.
// It never wedges: credentials gone or refused (401/403) or a dispatch
// Gandi no longer reports (404) release it at once, and the grace's end
// releases an apply without a dispatch, each with a Warning event saying it
// went without seeing the apply end; a transient failure to read a
// dispatch (5xx, timeout) is retried with backoff
// (templateapplication_delete.go).
type TemplateApplicationReconciler struct {
	Base
	// APIReader reads from the API server, not the cache: the check for
	// another application on the domain, made after an apply's record is
	// written and before it is sent, must see one the cache has not caught
	// up with yet (applyingOn).
	APIReader client.Reader
	// Namespaces are the namespaces the manager watches (all when empty):
	// that check reads only there.
	Namespaces []string
	// reachSeen keeps what Gandi answered other namespaces' applications'
	// credentials of a domain (reachNow).
	reachSeen reachCache
}

// Reconcile runs one pass: load, resolve the template, credentials and
// domain, follow the running dispatch or apply when due, write status once,
// requeue.
func (r *TemplateApplicationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return runPass(ctx, r.Client, req.NamespacedName, &hostingv1alpha1.TemplateApplication{}, r)
}

// live applies or follows the apply. A pass that failed before it observed
// anything (credentials, a failed read of the template or the domain)
// describes no generation: the last one described stays.
func (r *TemplateApplicationReconciler) live(ctx context.Context, ta *hostingv1alpha1.TemplateApplication) result {
	res, observed := r.reconcileLive(ctx, ta)
	res.observed = observed
	return res
}

// applyTarget is what an application applies, and where.
type applyTarget struct {
	templateID  string
	payloadHash string
	payload     gandi.TemplatePayload
	domainID    string
	// domain is the domain as Gandi reported it this pass; nil when it is
	// given by ID, which the domain route does not take.
	domain      *gandi.Domain
	credentials *hostingv1alpha1.CredentialsReference
	// standing is the application's place on the domain as it was before
	// this pass wrote anything: what the other applications saw of it
	// until its apply's record, and what the check made before the POST
	// weighs against them (heldBackNow).
	standing applicationView
}

// reconcileLive runs a pass on an object that is not paused. observed
// reports that the pass came to a conclusion about this generation (it
// read the template and the domain, or found what the user must fix),
// rather than failing or waiting before it could.
func (r *TemplateApplicationReconciler) reconcileLive(ctx context.Context, ta *hostingv1alpha1.TemplateApplication) (result, bool) {
	if ta.Status.ObservedGeneration != ta.Generation {
		// The spec may name another domain now: the ID resolved for the
		// former one must not place this object there (domainOf) until
		// this spec is resolved.
		ta.Status.DomainID = ""
	}
	// A pass that stops before sync still follows the open dispatch of
	// the last apply (followOpen): Gandi runs it whatever became of the
	// template.
	target, res, observed := r.resolveTemplateRef(ctx, ta)
	if res != nil {
		return r.followOpen(ctx, nil, ta, *res), observed
	}
	api, err := r.Credentials.ClientFor(ctx, ta.Namespace, target.credentials)
	if err != nil {
		return failed(ta, r.Timing, "resolve credentials", err), false
	}
	if ta.Spec.TemplateRef == nil {
		if res, observed := r.resolveTemplateID(ctx, api, ta, &target); res != nil {
			return r.followOpen(ctx, api, ta, *res), observed
		}
	}
	ta.Status.TemplateID, ta.Status.Namespaces = target.templateID, target.payload.Namespaces()
	if res, observed := r.resolveDomain(ctx, api, ta, &target); res != nil {
		return r.followOpen(ctx, api, ta, *res), observed
	}
	ta.Status.DomainID = target.domainID
	target.standing = newApplicationView(ta, target.templateID, target.payload.Namespaces(), target.domainID)
	if res, observed := r.holdBack(ctx, ta, target); res != nil {
		return *res, observed
	}
	return r.sync(ctx, api, ta, target), true
}

// resolveTemplateRef finds the template of spec.templateRef: a Template
// that is Ready with its latest spec, so that an edit in progress is not
// applied half-way. With spec.templateID it only picks the credentials. A
// non-nil result means the application has to wait, or cannot apply;
// observed says the latter, a conclusion about this generation. Waiting
// for the Template reads nothing at Gandi: like a Vhost waiting for its
// instance, it neither moves observedGeneration nor answers requested-at.
func (r *TemplateApplicationReconciler) resolveTemplateRef(ctx context.Context, ta *hostingv1alpha1.TemplateApplication) (_ applyTarget, _ *result, observed bool) {
	if ta.Spec.TemplateRef == nil {
		return applyTarget{templateID: ta.Spec.TemplateID, credentials: ta.Spec.CredentialsRef}, nil, false
	}
	name := ta.Spec.TemplateRef.Name
	tpl := &hostingv1alpha1.Template{}
	err := r.Get(ctx, types.NamespacedName{Namespace: ta.Namespace, Name: name}, tpl)
	switch {
	case err != nil && !apierrors.IsNotFound(err):
		return applyTarget{}, halt(retry(err)), false
	case (err != nil || !tpl.DeletionTimestamp.IsZero()) && hadTemplate(ta):
		msg := "Template " + name + " no longer exists in this namespace (or is being deleted): nothing is applied; the domain keeps what was last applied"
		return applyTarget{}, r.cannotApply(ta, hostingv1alpha1.ReasonTemplateNotFound, msg), true
	}
	if err != nil || !templateCurrent(tpl) {
		msg := "waiting for Template " + name + " to be Ready with its latest spec"
		if err != nil {
			msg = "waiting for Template " + name + " to be created in this namespace"
		}
		setCondition(ta, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonWaitingForTemplate, msg)
		setCondition(ta, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonWaitingForTemplate, msg)
		// The Template watch brings the application back as soon as it changes.
		return applyTarget{}, halt(waitFor(jittered(r.Timing.Poll))), false
	}
	t := applyTarget{
		templateID: templateID(tpl), payloadHash: tpl.Status.PayloadHash,
		payload: desiredPayload(tpl.Spec.Payload), credentials: applicationCredentials(ta, tpl),
	}
	return t, nil, false
}

// applicationCredentials are the credentials ta applies tpl with: its own
// spec.credentialsRef, else the Template's.
func applicationCredentials(ta *hostingv1alpha1.TemplateApplication, tpl *hostingv1alpha1.Template) *hostingv1alpha1.CredentialsReference {
	if ta.Spec.CredentialsRef != nil {
		return ta.Spec.CredentialsRef
	}
	return tpl.Spec.CredentialsRef
}

// templateCurrent reports a Template that is Ready with its latest spec at
// Gandi: applying one whose edit is still on its way would apply the old
// payload, then the new one.
func templateCurrent(tpl *hostingv1alpha1.Template) bool {
	ready := meta.FindStatusCondition(tpl.Status.Conditions, hostingv1alpha1.ConditionReady)
	return tpl.DeletionTimestamp.IsZero() && templateID(tpl) != "" && tpl.Status.PayloadHash != "" &&
		ready != nil && ready.Status == metav1.ConditionTrue &&
		ready.ObservedGeneration == tpl.Generation && tpl.Status.ObservedGeneration == tpl.Generation
}

// hadTemplate tells a Template that is gone from one that is not there yet:
// an application that resolved or applied its template before has lost it
// (TemplateNotFound); one that never did is waiting for it.
func hadTemplate(ta *hostingv1alpha1.TemplateApplication) bool {
	_, applied := currentRecord(ta)
	return applied || ta.Status.TemplateID != ""
}

// resolveTemplateID reads a template given by Gandi ID (public ones
// included) for its payload hash: a change of that template at Gandi is a
// change of what this object applies. A template these credentials cannot
// see (404, or a 403 while they are answered otherwise: another account's)
// is TemplateNotFound; a refused token stays a token problem (notVisible).
// observed is false when the read failed.
func (r *TemplateApplicationReconciler) resolveTemplateID(ctx context.Context, api templateApplicationAPI, ta *hostingv1alpha1.TemplateApplication, t *applyTarget) (*result, bool) {
	tpl, err := api.GetTemplate(ctx, t.templateID)
	err = notVisible(ctx, err, templatesProbe(api))
	if gandi.IsNotFound(err) || errors.Is(err, errNotVisible) {
		return r.cannotApply(ta, hostingv1alpha1.ReasonTemplateNotFound, "template "+t.templateID+" does not exist at Gandi (or is not visible to this credential)"), true
	}
	if err != nil {
		res := failed(ta, r.Timing, "read the template to apply", err)
		return &res, false
	}
	t.payloadHash, t.payload = payloadHash(tpl.Payload), tpl.Payload
	return nil, true
}

// resolveDomain finds the domain's Gandi ID from spec.domain, or takes
// spec.domainID. The domain read is also what an apply without a dispatch
// to follow is resolved from. observed is false when the read failed.
func (r *TemplateApplicationReconciler) resolveDomain(ctx context.Context, api templateApplicationAPI, ta *hostingv1alpha1.TemplateApplication, t *applyTarget) (*result, bool) {
	if ta.Spec.Domain == "" {
		t.domainID = ta.Spec.DomainID
		return nil, true
	}
	fqdn, err := toASCII(ta.Spec.Domain)
	if err != nil {
		return r.cannotApply(ta, hostingv1alpha1.ReasonInvalidSpec, "spec.domain: "+err.Error()), true
	}
	d, err := api.GetDomain(ctx, fqdn)
	if gandi.IsNotFound(err) {
		return r.cannotApply(ta, hostingv1alpha1.ReasonDomainNotFound, "domain "+fqdn+" is not in the Gandi organization of this credential"), true
	}
	if err != nil {
		res := failed(ta, r.Timing, "resolve the domain", err)
		return &res, false
	}
	t.domainID, t.domain = d.ID, d
	return nil, true
}

// cannotApply reports something the user has to fix before anything can be
// applied; the poll (or a watch) comes back.
func (r *TemplateApplicationReconciler) cannotApply(ta *hostingv1alpha1.TemplateApplication, reason, msg string) *result {
	return stopped(ta, r.Timing, reason, msg)
}

// SetupWithManager registers the reconciler. Applications are reconciled
// again as soon as their Template changes (it becomes Ready, its payload
// hash moves, it is deleted), and when their credentials Secret does.
func (r *TemplateApplicationReconciler) SetupWithManager(mgr ctrl.Manager, opts KindOptions, secrets *SecretWatch) error {
	if err := indexByRef(mgr, &hostingv1alpha1.TemplateApplication{}, templateRefIndex, func(ta *hostingv1alpha1.TemplateApplication) *hostingv1alpha1.LocalObjectReference {
		return ta.Spec.TemplateRef
	}); err != nil {
		return err
	}
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &hostingv1alpha1.TemplateApplication{}, applicationDomainIndex, func(o client.Object) []string {
		if ta, ok := o.(*hostingv1alpha1.TemplateApplication); ok {
			return applicationDomainKeys(ta)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("index TemplateApplications by %s: %w", applicationDomainIndex, err)
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&hostingv1alpha1.TemplateApplication{}, builder.WithPredicates(notOwnBookkeeping())).
		Named("templateapplication").
		WithOptions(opts.controller()).
		Watches(&hostingv1alpha1.Template{}, handler.EnqueueRequestsFromMapFunc(r.applicationsOfTemplate)).
		Watches(&hostingv1alpha1.TemplateApplication{}, handler.EnqueueRequestsFromMapFunc(r.applicationsOnDomainOf), builder.WithPredicates(releasesRivals())).
		Watches(&corev1.Secret{}, secrets.handlerFor(&hostingv1alpha1.TemplateApplicationList{}), secrets.metadataOnly()).
		Complete(r)
}

// applicationsOfTemplate are the TemplateApplications of the template's
// namespace whose templateRef names it, found through templateRefIndex.
func (r *TemplateApplicationReconciler) applicationsOfTemplate(ctx context.Context, tpl client.Object) []reconcile.Request {
	return requestsByIndex(ctx, r, &hostingv1alpha1.TemplateApplicationList{}, templateRefIndex, tpl)
}
