package controller

import (
	"context"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// templateAPI is what the Template reconciler needs of Gandi.
type templateAPI interface {
	ListTemplates(ctx context.Context, opts gandi.ListTemplatesOptions) ([]gandi.TemplateSummary, error)
	CreateTemplate(ctx context.Context, req gandi.CreateTemplateRequest, opts gandi.CreateOptions) (string, error)
	GetTemplate(ctx context.Context, id string) (*gandi.Template, error)
	UpdateTemplate(ctx context.Context, id string, req gandi.UpdateTemplateRequest) error
	DeleteTemplate(ctx context.Context, id string) error
}

// TemplateReconciler keeps a Gandi configuration template as its Template
// declares.
type TemplateReconciler struct {
	client.Client
	Credentials *Credentials
	Events      eventRecorder
	Timing      Timing
	// Now is the clock; tests may move it.
	Now func() time.Time
}

// Reconcile runs one pass: load, delete or ensure the finalizer, resolve
// credentials, observe (or create), update, write status once, requeue.
func (r *TemplateReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	t := &hostingv1alpha1.Template{}
	if err := r.Get(ctx, req.NamespacedName, t); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	base := t.DeepCopy()
	var res result
	switch {
	case isPaused(t):
		reportPaused(&t.Status.Conditions, t.Generation)
	case !t.DeletionTimestamp.IsZero():
		return r.finalize(ctx, t)
	default:
		res = r.reconcileLive(ctx, t)
	}
	t.Status.ObservedGeneration = t.Generation
	if err := writeStatus(ctx, r.Client, t, &base.Status, &t.Status); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: res.requeue}, res.err
}

func (r *TemplateReconciler) reconcileLive(ctx context.Context, t *hostingv1alpha1.Template) result {
	if err := ensureFinalizer(ctx, r.Client, t); err != nil {
		return result{err: err}
	}
	api, err := r.Credentials.ClientFor(ctx, t.Namespace, t.Spec.CredentialsRef)
	if err != nil {
		return failed(&t.Status.Conditions, t.Generation, r.Timing, "resolve credentials", err)
	}
	return r.sync(ctx, api, t)
}

// sync observes the template (finding or creating it first when its ID is
// unknown), then brings it to the spec.
func (r *TemplateReconciler) sync(ctx context.Context, api templateAPI, t *hostingv1alpha1.Template) result {
	id := templateID(t)
	if id == "" {
		var res *result
		if id, res = r.findOrCreate(ctx, api, t); res != nil {
			return *res
		}
	}
	observed, err := api.GetTemplate(ctx, id)
	if gandi.IsNotFound(err) {
		return r.vanished(t, id)
	}
	if err != nil {
		return failed(&t.Status.Conditions, t.Generation, r.Timing, "get template "+id, err)
	}
	if _, pending := createPendingSince(t); pending {
		// A person resolved an interrupted create by naming the template.
		if err := patchAnnotations(ctx, r.Client, t, annotationPatch{remove: []string{hostingv1alpha1.AnnotationCreatePending}}); err != nil {
			return result{err: err}
		}
	}
	templateToStatus(t, id, observed)
	switch {
	case !observed.Editable:
		return r.notEditable(t, observed)
	case t.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve:
		return r.observeOnly(t, observed)
	}
	return r.update(ctx, api, t, observed)
}

// reportPaused says that nothing is sent to Gandi while the paused
// annotation is set.
func reportPaused(conds *[]metav1.Condition, generation int64) {
	setCondition(conds, generation, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonReconcilePaused,
		"reconciliation is paused by the annotation "+hostingv1alpha1.AnnotationPaused+": nothing is sent to Gandi")
}

// templateToStatus writes what Gandi reported of template id into the
// status.
func templateToStatus(t *hostingv1alpha1.Template, id string, observed *gandi.Template) {
	st := &t.Status
	st.ID, st.Name = id, observed.Name
	st.Editable = gandi.Ptr(observed.Editable)
	st.Namespaces = slices.Clone(observed.Namespaces)
	st.Variables = slices.Clone(observed.Variables)
	if len(st.Variables) == 0 {
		st.Variables = nil
	}
	st.PayloadHash = payloadHash(observed.Payload)
}

// setPayloadReady sets Ready from whether Gandi holds the spec's payload.
func setPayloadReady(t *hostingv1alpha1.Template, observed *gandi.Template, otherwise, why string) bool {
	diff := payloadDifferences(desiredPayload(t.Spec.Payload), observed.Payload)
	if len(diff) == 0 {
		setCondition(&t.Status.Conditions, t.Generation, hostingv1alpha1.ConditionReady, true, hostingv1alpha1.ReasonAvailable, "Gandi holds the payload of the spec")
		return true
	}
	setCondition(&t.Status.Conditions, t.Generation, hostingv1alpha1.ConditionReady, false, otherwise,
		why+" (differs in "+orNone(diff)+")")
	return false
}

// notEditable reports a public template: it is read, never written.
func (r *TemplateReconciler) notEditable(t *hostingv1alpha1.Template, observed *gandi.Template) result {
	msg := "template " + t.Status.ID + " (" + observed.Name + ") is one of Gandi's public templates: it is never modified or deleted; " +
		"apply it with a TemplateApplication's spec.templateID, or remove the annotation " + hostingv1alpha1.AnnotationExternalID + " to manage a template of your own"
	setCondition(&t.Status.Conditions, t.Generation, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonNotEditable, msg)
	setPayloadReady(t, observed, hostingv1alpha1.ReasonNotEditable, "the public template's payload is not the spec's and cannot be changed")
	return result{requeue: jittered(r.Timing.Poll)}
}

// observeOnly reports drift without writing (managementPolicy Observe).
func (r *TemplateReconciler) observeOnly(t *hostingv1alpha1.Template, observed *gandi.Template) result {
	conds, gen := &t.Status.Conditions, t.Generation
	if setPayloadReady(t, observed, hostingv1alpha1.ReasonDriftDetected, "Gandi's payload is not the spec's") {
		setCondition(conds, gen, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonObserved, "managementPolicy is Observe: the template matches the spec, nothing is written")
	} else {
		setCondition(conds, gen, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonDriftDetected,
			"managementPolicy is Observe: Gandi's payload differs from the spec in "+orNone(payloadDifferences(desiredPayload(t.Spec.Payload), observed.Payload))+"; nothing is written")
	}
	return result{requeue: jittered(r.Timing.Poll)}
}

// vanished reports a known template that Gandi no longer has. Nothing is
// created again on its own: someone deleted it at Gandi, maybe on purpose.
func (r *TemplateReconciler) vanished(t *hostingv1alpha1.Template, id string) result {
	msg := "template " + id + " no longer exists at Gandi; nothing was created again (delete and re-create this object to create a new template)"
	t.Status.PayloadHash = ""
	r.Events.warn(t, hostingv1alpha1.ReasonExternalNotFound, "Observe", msg)
	return *stopped(&t.Status.Conditions, t.Generation, r.Timing, hostingv1alpha1.ReasonExternalNotFound, msg)
}

// templateID is the Gandi ID this object manages: the annotation (which
// survives a backup and restore) first, then the status.
func templateID(t *hostingv1alpha1.Template) string {
	if id := externalIDAnnotation(t); id != "" {
		return id
	}
	return t.Status.ID
}

func templateName(t *hostingv1alpha1.Template) string {
	if t.Spec.Name != "" {
		return t.Spec.Name
	}
	return t.Name
}

// finalize runs the deletion policy, then lets the object go. Deleting a
// template is immediate at Gandi (204), so there is nothing to wait for.
func (r *TemplateReconciler) finalize(ctx context.Context, t *hostingv1alpha1.Template) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(t, Finalizer) {
		return ctrl.Result{}, nil
	}
	_, pending := createPendingSince(t)
	id := templateID(t)
	if t.Spec.DeletionPolicy == hostingv1alpha1.DeletionPolicyOrphan ||
		t.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve || (id == "" && !pending) {
		return ctrl.Result{}, removeFinalizer(ctx, r.Client, t)
	}
	base := t.DeepCopy()
	if res := r.deleteAtGandi(ctx, t, id); res != nil {
		if err := writeStatus(ctx, r.Client, t, &base.Status, &t.Status); err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{RequeueAfter: res.requeue}, res.err
	}
	return ctrl.Result{}, removeFinalizer(ctx, r.Client, t)
}

// deleteAtGandi deletes the template; nil means it is gone (or was never
// this object's to delete).
func (r *TemplateReconciler) deleteAtGandi(ctx context.Context, t *hostingv1alpha1.Template, id string) *result {
	conds, gen := &t.Status.Conditions, t.Generation
	api, err := r.Credentials.ClientFor(ctx, t.Namespace, t.Spec.CredentialsRef)
	if err != nil {
		res := failed(conds, gen, r.Timing, "delete needs credentials (restore them, or set spec.deletionPolicy: Orphan)", err)
		return &res
	}
	if id == "" {
		// A create whose answer was lost may still have made a template:
		// find it so that deleting the object does not leave it behind.
		var res *result
		if id, res = r.resolvePendingForDelete(ctx, api, t); res != nil || id == "" {
			return res
		}
	}
	observed, err := api.GetTemplate(ctx, id)
	switch {
	case gandi.IsNotFound(err):
		return nil
	case err != nil:
		res := failed(conds, gen, r.Timing, "get template "+id+" to delete it", err)
		return &res
	case !observed.Editable:
		r.Events.normal(t, hostingv1alpha1.ReasonNotEditable, "Delete", "template "+id+" is a public Gandi template: it is left as it is")
		return nil
	}
	if err := api.DeleteTemplate(ctx, id); err != nil && !gandi.IsNotFound(err) {
		r.Events.warn(t, classify(err).reason, "Delete", "delete template "+id+": "+err.Error())
		res := failed(conds, gen, r.Timing, "delete template "+id, err)
		return &res
	}
	r.Events.normal(t, "Deleted", "Delete", "deleted template "+id+" at Gandi")
	return nil
}

// SetupWithManager registers the reconciler: it watches Templates and the
// Secrets they reference (through the shared Secret watch).
func (r *TemplateReconciler) SetupWithManager(mgr ctrl.Manager, opts KindOptions, secrets *SecretWatch) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&hostingv1alpha1.Template{}).
		Named("template").
		WithOptions(opts.controller()).
		Watches(&corev1.Secret{}, secrets.handlerFor(&hostingv1alpha1.TemplateList{}), secrets.metadataOnly()).
		Complete(r)
}
