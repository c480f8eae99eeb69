package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// findOrCreate gives the ID of the template this object manages when none
// is known yet: adopt what this object's own create intent explains or what
// the user handed over, stop when a same-named template may be someone
// else's, and only then create one. A nil result means id is ready to
// observe.
//
// Gandi's template list carries no creation date, so an intent cannot be
// matched by time as instances are. It needs none: names are unique in an
// organization, and the intent is only recorded after a lookup found no
// template of that name, so a same-named template that appears afterwards is
// the one this object's create made.
func (r *TemplateReconciler) findOrCreate(ctx context.Context, api templateAPI, t *hostingv1alpha1.Template) (string, *result) {
	conds, gen := &t.Status.Conditions, t.Generation
	name := templateName(t)
	matches, err := templatesNamed(ctx, api, name, t.Spec.SharingID)
	if err != nil {
		res := failed(conds, gen, r.Timing, "look up templates named "+name, err)
		return "", &res
	}
	since, pending := createPendingSince(t)
	switch {
	case len(matches) > 1:
		return "", r.ambiguous(t, name, matches)
	case len(matches) == 1 && pending:
		return r.adopt(ctx, t, matches[0].ID, "found the template this object's interrupted create made")
	case len(matches) == 1 && adoptRequested(t):
		return r.adopt(ctx, t, matches[0].ID, "adopted the existing template as the adopt annotation asks")
	case len(matches) == 1:
		msg := fmt.Sprintf("a template named %q already exists at Gandi (%s) and this object did not create it: to manage it, set the annotation %s to its ID or %s: \"true\"; otherwise choose another spec.name",
			name, matches[0].ID, hostingv1alpha1.AnnotationExternalID, hostingv1alpha1.AnnotationAdopt)
		return "", stopped(conds, gen, r.Timing, hostingv1alpha1.ReasonAlreadyExists, msg)
	case pending && r.Now().Sub(since) < r.Timing.CreateGrace:
		// Gandi may list a fresh template late: look again before creating twice.
		setCondition(conds, gen, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating,
			"a create was sent at "+since.Format(time.RFC3339)+" and its answer was not recorded; waiting for Gandi to list the template before trying again")
		return "", &result{requeue: r.Timing.Transitional}
	}
	if t.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve {
		msg := fmt.Sprintf("managementPolicy is Observe and no editable template named %q exists at Gandi: nothing is created", name)
		setCondition(conds, gen, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonExternalNotFound, msg)
		setCondition(conds, gen, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonObserved, msg)
		return "", &result{requeue: jittered(r.Timing.Poll)}
	}
	return r.create(ctx, api, t, pending)
}

// templatesNamed lists the editable templates whose name is exactly name.
// Public templates are listed too but are nobody's to manage, and their
// names do not take an organization's: they never count as a match. With a
// sharingID, templates of other organizations do not count either.
func templatesNamed(ctx context.Context, api templateAPI, name, sharingID string) ([]gandi.TemplateSummary, error) {
	found, err := api.ListTemplates(ctx, gandi.ListTemplatesOptions{})
	if err != nil {
		return nil, err
	}
	var exact []gandi.TemplateSummary
	for _, s := range found {
		if s.Name != name || !s.Editable {
			continue
		}
		if sharingID != "" && s.SharingSpace != nil && s.SharingSpace.ID != "" && s.SharingSpace.ID != sharingID {
			continue
		}
		exact = append(exact, s)
	}
	return exact, nil
}

func templateIDs(ts []gandi.TemplateSummary) string {
	ids := make([]string, 0, len(ts))
	for _, s := range ts {
		ids = append(ids, s.ID)
	}
	return strings.Join(ids, ", ")
}

func (r *TemplateReconciler) ambiguous(t *hostingv1alpha1.Template, name string, matches []gandi.TemplateSummary) *result {
	msg := fmt.Sprintf("%d templates named %q could be this object's (%s), in several organizations: set spec.sharingID, or the annotation %s to the right ID",
		len(matches), name, templateIDs(matches), hostingv1alpha1.AnnotationExternalID)
	r.Events.warn(t, hostingv1alpha1.ReasonAmbiguousExternalObject, "Create", msg)
	return stopped(&t.Status.Conditions, t.Generation, r.Timing, hostingv1alpha1.ReasonAmbiguousExternalObject, msg)
}

// adopt records id as the template this object manages.
func (r *TemplateReconciler) adopt(ctx context.Context, t *hostingv1alpha1.Template, id, why string) (string, *result) {
	if err := r.recordID(ctx, t, id); err != nil {
		return "", &result{err: err}
	}
	r.Events.normal(t, "Adopted", "Adopt", why+": "+id)
	return id, nil
}

// recordID persists the template's ID (annotation first: it survives a
// backup and restore) and drops the create intent it resolves.
func (r *TemplateReconciler) recordID(ctx context.Context, t *hostingv1alpha1.Template, id string) error {
	if err := recordExternalID(ctx, r.Client, t, id); err != nil {
		return err
	}
	t.Status.ID = id
	return nil
}

// create makes the template: persist the intent, POST, persist the ID. A
// crash or a lost answer in between is resolved by findOrCreate's lookup on
// the next pass, never by a blind second POST. hadIntent says an earlier
// create of this object may have made the template already.
func (r *TemplateReconciler) create(ctx context.Context, api templateAPI, t *hostingv1alpha1.Template, hadIntent bool) (string, *result) {
	intent := r.Now().UTC().Format(time.RFC3339Nano)
	if err := patchAnnotations(ctx, r.Client, t, annotationPatch{set: map[string]string{hostingv1alpha1.AnnotationCreatePending: intent}}); err != nil {
		// Another reconciler may have recorded its own intent first: look again.
		return "", &result{err: err}
	}
	name := templateName(t)
	req := gandi.CreateTemplateRequest{Name: name, Description: t.Spec.Description, Payload: desiredPayload(t.Spec.Payload)}
	id, err := api.CreateTemplate(ctx, req, gandi.CreateOptions{SharingID: t.Spec.SharingID})
	if err != nil {
		return "", r.createFailed(ctx, t, err, hadIntent)
	}
	r.Events.normal(t, "Created", "Create", "created template "+name+" ("+id+") at Gandi")
	if err := r.recordID(ctx, t, id); err != nil {
		// The intent stays: the next pass finds the template by name and adopts it.
		return "", &result{err: err}
	}
	return id, nil
}

// createFailed decides what a failed POST means. A refusal (4xx) made
// nothing: drop the intent and report Gandi's reasons. A 409 on the name is
// this object's own earlier create only when an intent preceded this one;
// otherwise someone took the name in the meantime. Anything else (lost
// answer, 5xx, timeout, a 201 without ID) may have made the template: keep
// the intent so that the next pass looks it up.
func (r *TemplateReconciler) createFailed(ctx context.Context, t *hostingv1alpha1.Template, err error, hadIntent bool) *result {
	conds, gen := &t.Status.Conditions, t.Generation
	r.Events.warn(t, classify(err).reason, "Create", "create template: "+err.Error())
	if gandi.IsAlreadyExists(err) && hadIntent {
		setCondition(conds, gen, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating,
			"Gandi already has the name from this object's earlier create: looking it up")
		return &result{requeue: r.Timing.Transitional}
	}
	var apiErr *gandi.APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 && !gandi.IsRateLimited(err) {
		if perr := patchAnnotations(ctx, r.Client, t, annotationPatch{remove: []string{hostingv1alpha1.AnnotationCreatePending}}); perr != nil {
			return &result{err: perr}
		}
		res := failed(conds, gen, r.Timing, "create template "+templateName(t), err)
		reason := classify(err).reason
		if gandi.IsAlreadyExists(err) {
			reason = hostingv1alpha1.ReasonAlreadyExists
			setCondition(conds, gen, hostingv1alpha1.ConditionSynced, false, reason, "create template "+templateName(t)+": "+err.Error())
		}
		setCondition(conds, gen, hostingv1alpha1.ConditionReady, false, reason, "Gandi refused the template: "+err.Error())
		return &res
	}
	setCondition(conds, gen, hostingv1alpha1.ConditionSynced, false, classify(err).reason,
		"create template: "+err.Error()+"; the answer was lost, so the template is looked up by name before any new attempt")
	return &result{requeue: r.Timing.Transitional}
}

// resolvePendingForDelete finds the template a create with a lost answer
// may have made. An empty id with a nil result means nothing was made.
func (r *TemplateReconciler) resolvePendingForDelete(ctx context.Context, api templateAPI, t *hostingv1alpha1.Template) (string, *result) {
	since, _ := createPendingSince(t)
	name := templateName(t)
	matches, err := templatesNamed(ctx, api, name, t.Spec.SharingID)
	if err != nil {
		res := failed(&t.Status.Conditions, t.Generation, r.Timing, "look up templates named "+name, err)
		return "", &res
	}
	switch {
	case len(matches) == 1:
		return matches[0].ID, nil
	case len(matches) > 1:
		return "", r.ambiguous(t, name, matches)
	case r.Now().Sub(since) < r.Timing.CreateGrace:
		return "", &result{requeue: r.Timing.Transitional}
	}
	return "", nil
}
