package controller

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"

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
	Base
}

// Reconcile runs one pass: load, delete or ensure the finalizer, resolve
// credentials, observe (or create), update, write status once, requeue.
func (r *TemplateReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return runPass(ctx, r.Client, req.NamespacedName, &hostingv1alpha1.Template{}, r)
}

func (r *TemplateReconciler) live(ctx context.Context, t *hostingv1alpha1.Template) result {
	api, src, res := r.lifecycle().connect(ctx, t, t.Spec.CredentialsRef)
	if res != nil {
		return *res
	}
	return r.sync(ctx, api, t, src)
}

// sync observes the template (finding or creating it first when its ID is
// unknown) under the credentials from src, then brings it to the spec.
func (r *TemplateReconciler) sync(ctx context.Context, api templateAPI, t *hostingv1alpha1.Template, src credentialSource) result {
	ext := &templateExternal{r: r, api: api, t: t}
	r.releasePublic(t)
	id, stop := r.lifecycle().ensureID(ctx, t, ext, templateID(t), &t.Spec.ManagedFields)
	if stop != nil {
		return *stop
	}
	t.Status.ID = id
	observed, err := api.GetTemplate(ctx, id)
	err = notVisible(ctx, err, templatesProbe(api))
	if gandi.IsNotFound(err) {
		return r.vanished(t, id, src)
	}
	if errors.Is(err, errNotVisible) {
		return r.refused(t, id, src)
	}
	if err != nil {
		return failed(t, r.Timing, "observe the template", err)
	}
	sawUnder(t, id, src)
	if err := clearIntent(ctx, r.Client, t); err != nil {
		return retry(err)
	}
	templateToStatus(t, id, observed)
	var res result
	switch {
	case !observed.Editable:
		res = r.notEditable(t, observed)
	case t.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve:
		res = r.observeOnly(t, observed)
	default:
		res = r.update(ctx, api, t, observed)
	}
	res.observed = true
	return res
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
		setCondition(t, hostingv1alpha1.ConditionReady, true, hostingv1alpha1.ReasonAvailable, "Gandi holds the payload of the spec")
		return true
	}
	setCondition(t, hostingv1alpha1.ConditionReady, false, otherwise,
		why+" (differs in "+orNone(diff)+")")
	return false
}

// notEditable reports a public template: it is read, never written.
func (r *TemplateReconciler) notEditable(t *hostingv1alpha1.Template, observed *gandi.Template) result {
	msg := "template " + t.Status.ID + " (" + observed.Name + ") is one of Gandi's public templates: it is never modified or deleted; " +
		"apply it with a TemplateApplication's spec.templateID, or remove the annotation " + hostingv1alpha1.AnnotationExternalID +
		" to manage a template of your own, named " + strconv.Quote(templateName(t)) + " (created unless one of that name exists)"
	setCondition(t, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonNotEditable, msg)
	setPayloadReady(t, observed, hostingv1alpha1.ReasonNotEditable, "the public template's payload is not the spec's and cannot be changed")
	return waitFor(jittered(r.Timing.Poll)).stalling(hostingv1alpha1.ReasonNotEditable, msg)
}

// releasePublic forgets a public template whose external-id annotation a
// person removed. Such a template is never this object's to manage: it
// named it only through the annotation, the user's word, and without it
// the status alone would keep the object on the template for good, while
// NotEditable tells the user that removing the annotation makes it manage
// a template of its own. So the object then finds (or creates) its own by
// name, as a new one would; applications of it wait until it is Ready.
func (r *TemplateReconciler) releasePublic(t *hostingv1alpha1.Template) {
	if !publicReleased(t) {
		return
	}
	st := &t.Status
	r.Events.normal(t, "Released", "Observe", "the annotation "+hostingv1alpha1.AnnotationExternalID+" no longer names public template "+st.ID+
		": this object manages a template of its own, named "+strconv.Quote(templateName(t)))
	st.ID, st.Name, st.Editable, st.PayloadHash, st.Namespaces, st.Variables = "", "", nil, "", nil, nil
}

// publicReleased reports a status that names a public template while no
// annotation does any longer.
func publicReleased(t *hostingv1alpha1.Template) bool {
	st := t.Status
	return externalIDAnnotation(t) == "" && st.ID != "" && st.Editable != nil && !*st.Editable
}

// observeOnly reports drift without writing (managementPolicy Observe):
// whatever Manage would send (the payload, the name, a description the
// spec sets). Ready says whether Gandi holds the payload.
func (r *TemplateReconciler) observeOnly(t *hostingv1alpha1.Template, observed *gandi.Template) result {
	setPayloadReady(t, observed, hostingv1alpha1.ReasonDriftDetected, "Gandi's payload is not the spec's")
	if drift := templateDrift(t, observed); drift != "" {
		setCondition(t, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonDriftDetected,
			"managementPolicy is Observe: Gandi's template differs from the spec in "+drift+"; nothing is written")
	} else {
		setCondition(t, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonObserved, "managementPolicy is Observe: the template matches the spec, nothing is written")
	}
	return waitFor(jittered(r.Timing.Poll))
}

// templateDrift names what Manage would change at Gandi, the payload by
// namespace; "" when nothing.
func templateDrift(t *hostingv1alpha1.Template, observed *gandi.Template) string {
	_, fields := templateChanges(t, observed)
	for i, f := range fields {
		if f == "payload" {
			fields[i] = "the payload (" + orNone(payloadDifferences(desiredPayload(t.Spec.Payload), observed.Payload)) + ")"
		}
	}
	return strings.Join(fields, ", ")
}

// vanished reports a known template that Gandi does not show under src.
// Nothing is created again on its own: someone deleted it at Gandi, maybe
// on purpose; and under other credentials than it was last seen under, it
// may not be deleted at all (notFoundElsewhere).
func (r *TemplateReconciler) vanished(t *hostingv1alpha1.Template, id string, src credentialSource) result {
	t.Status.PayloadHash = ""
	if res := r.lifecycle().notFoundElsewhere(t, "template "+id, id, src, "if it is gone, "+confirmGone); res != nil {
		return *res
	}
	msg := "template " + id + " no longer exists at Gandi; nothing was created again (delete and re-create this object to create a new template)"
	r.Events.warn(t, hostingv1alpha1.ReasonExternalNotFound, "Observe", msg)
	return *concluded(t, r.Timing, hostingv1alpha1.ReasonExternalNotFound, msg)
}

// refused reports a known template that Gandi refuses to src although it
// answers them for other reads (lifecycle.refused).
func (r *TemplateReconciler) refused(t *hostingv1alpha1.Template, id string, src credentialSource) result {
	t.Status.PayloadHash = ""
	return r.lifecycle().refused(t, "template "+id, id, src, "if it is gone, "+confirmGone)
}

func templateID(t *hostingv1alpha1.Template) string { return knownID(t, t.Status.ID) }

func templateName(t *hostingv1alpha1.Template) string { return cmp.Or(t.Spec.Name, t.Name) }

// finalize runs the deletion policy through the shared lifecycle.
func (r *TemplateReconciler) finalize(ctx context.Context, t *hostingv1alpha1.Template) (bool, result) {
	return r.lifecycle().finalize(ctx, t, deletionRequest{id: templateID(t), policy: &t.Spec.ManagedFields,
		connect: withCredentials(r.Credentials, t.Namespace, t.Spec.CredentialsRef, func(api *gandi.Client) external {
			return &templateExternal{r: r, api: api, t: t}
		})})
}

// SetupWithManager registers the reconciler: it watches Templates and the
// Secrets they reference (through the shared Secret watch).
func (r *TemplateReconciler) SetupWithManager(mgr ctrl.Manager, opts KindOptions, secrets *SecretWatch) error {
	if err := indexNaming(mgr, &hostingv1alpha1.Template{}, templateKeyIndex, templateKey); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&hostingv1alpha1.Template{}, builder.WithPredicates(notOwnBookkeeping())).
		Named("template").
		WithOptions(opts.controller()).
		Watches(&hostingv1alpha1.Template{}, wakeRivals(mgr.GetClient(), namedBy(
			func() client.ObjectList { return &hostingv1alpha1.TemplateList{} }, templateKey)), builder.WithPredicates(releasesClaim())).
		Watches(&corev1.Secret{}, secrets.handlerFor(&hostingv1alpha1.TemplateList{}), secrets.metadataOnly()).
		Complete(r)
}
