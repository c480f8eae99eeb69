package controller

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// templateExternal is the Template's adapter to the shared lifecycle: an
// editable template, found by its exact name in the organization.
//
// Gandi's template list carries no creation date, so an intent cannot be
// matched by time as instances are. It needs none: names are unique in an
// organization, and the intent is only recorded after a lookup found no
// template of that name, so a same-named template that appears afterwards is
// the one this object's create made (unless another object of the cluster
// claims the name, which the lifecycle checks first).
type templateExternal struct {
	r   *TemplateReconciler
	api templateAPI
	t   *hostingv1alpha1.Template
}

func (e *templateExternal) describe() string { return fmt.Sprintf("template %q", templateName(e.t)) }

// uniqueKey: a name is unique in an organization.
func (e *templateExternal) uniqueKey() bool  { return true }
func (e *templateExternal) handedOver() bool { return false }

func (e *templateExternal) intentKey() string { return templateKey(e.t) }

func (e *templateExternal) rivals(ctx context.Context, id string) ([]client.Object, error) {
	return rivalsNaming(ctx, e.r, id, &hostingv1alpha1.TemplateList{}, templateKeyIndex, templateKey(e.t))
}

func (e *templateExternal) intents(ctx context.Context) ([]client.Object, error) {
	return intentsNaming(ctx, e.r, &hostingv1alpha1.TemplateList{}, templateKey(e.t))
}

// find lists the editable templates whose name is exactly the spec's.
// Public templates are listed too but are nobody's to manage, and their
// names do not take an organization's: they never count as a match. With a
// sharingID, templates of other organizations do not count either.
func (e *templateExternal) find(ctx context.Context) ([]candidate, error) {
	found, err := e.api.ListTemplates(ctx, gandi.ListTemplatesOptions{})
	if err != nil {
		return nil, err
	}
	name, sharingID := templateName(e.t), e.t.Spec.SharingID
	var exact []candidate
	for _, s := range found {
		if s.Name != name || !s.Editable {
			continue
		}
		if sharingID != "" && s.SharingSpace != nil && s.SharingSpace.ID != "" && s.SharingSpace.ID != sharingID {
			continue
		}
		exact = append(exact, candidate{id: s.ID})
	}
	return exact, nil
}

// prepare refuses a payload Gandi should never see (addressProblem).
func (e *templateExternal) prepare(context.Context) (map[string]string, error) {
	return nil, addressProblem(e.t.Spec.Payload)
}

func (e *templateExternal) create(ctx context.Context) (string, error) {
	req := gandi.CreateTemplateRequest{Name: templateName(e.t), Payload: desiredPayload(e.t.Spec.Payload)}
	if e.t.Spec.Description != nil {
		req.Description = *e.t.Spec.Description
	}
	return e.api.CreateTemplate(ctx, req, gandi.CreateOptions{SharingID: e.t.Spec.SharingID})
}

// deleting: Gandi deletes a template at once; a public one is never
// deleted, so it counts as gone for this object.
func (e *templateExternal) deleting(ctx context.Context, id string) (bool, error) {
	observed, err := e.api.GetTemplate(ctx, id)
	if err != nil {
		return false, err
	}
	if !observed.Editable {
		e.r.Events.normal(e.t, hostingv1alpha1.ReasonNotEditable, "Delete", "template "+id+" is a public Gandi template: it is left as it is")
		return false, errLeaveAtGandi
	}
	return false, nil
}

func (e *templateExternal) remove(ctx context.Context, id string) (bool, error) {
	return true, e.api.DeleteTemplate(ctx, id)
}

// templateKey is what makes two Templates name the same Gandi template:
// the same account, organization and name.
func templateKey(t *hostingv1alpha1.Template) string {
	return credentialScope(t.Namespace, t.Spec.CredentialsRef) + "|" + t.Spec.SharingID + "|" + templateName(t)
}
