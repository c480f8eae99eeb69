package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// templateExternal is the Template's adapter to the shared lifecycle: an
// editable template, found by its exact name in the organization.
//
// Gandi's template list carries no creation date, so an intent cannot be
// matched by time as instances are. That a same-named template appeared
// after a lookup found none does not make it this object's either: a
// create whose answer was lost may never have reached Gandi, and someone
// may have made the name meanwhile. So the intent records a digest of what
// each create sent (undatedCreate), and a match counts as this object's
// create's only when Gandi shows it with exactly that name, description and
// payload; another one is someone else's (AlreadyExists, never written or
// deleted).
type templateExternal struct {
	r   *TemplateReconciler
	api templateAPI
	t   *hostingv1alpha1.Template
	// req is the create this pass sends, built once so that its digest
	// recorded with the intent is of the very request sent.
	req *gandi.CreateTemplateRequest
}

var _ undatedCreate = &templateExternal{}

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
//
// While obj has a create intent of its own, each match is read (its
// payload is not listed) for its content digest (undatedCreate).
func (e *templateExternal) find(ctx context.Context) ([]candidate, error) {
	found, err := e.api.ListTemplates(ctx, gandi.ListTemplatesOptions{})
	if err != nil {
		return nil, err
	}
	name, sharingID := templateName(e.t), e.t.Spec.SharingID
	_, pending := ownIntent(e.t)
	var exact []candidate
	for _, s := range found {
		if s.Name != name || !s.Editable {
			continue
		}
		if sharingID != "" && s.SharingSpace != nil && s.SharingSpace.ID != "" && s.SharingSpace.ID != sharingID {
			continue
		}
		c := candidate{id: s.ID}
		if pending {
			observed, err := e.api.GetTemplate(ctx, s.ID)
			if gandi.IsNotFound(err) {
				continue // deleted since the list
			}
			if err != nil {
				return nil, err
			}
			c.content = templateDigest(observed.Name, observed.Description, observed.Payload)
		}
		exact = append(exact, c)
	}
	return exact, nil
}

// prepare refuses a payload Gandi should never see (addressProblem).
func (e *templateExternal) prepare(context.Context) (map[string]string, error) {
	return nil, addressProblem(e.t.Spec.Payload)
}

// request is the create this pass sends, as the spec stands now.
func (e *templateExternal) request() gandi.CreateTemplateRequest {
	if e.req == nil {
		req := gandi.CreateTemplateRequest{Name: templateName(e.t), Payload: desiredPayload(e.t.Spec.Payload)}
		if e.t.Spec.Description != nil {
			req.Description = *e.t.Spec.Description
		}
		e.req = &req
	}
	return *e.req
}

func (e *templateExternal) sentDigest() string {
	req := e.request()
	return templateDigest(req.Name, req.Description, req.Payload)
}

func (e *templateExternal) create(ctx context.Context) (string, error) {
	return e.api.CreateTemplate(ctx, e.request(), gandi.CreateOptions{SharingID: e.t.Spec.SharingID})
}

// templateDigest identifies a template's content: its name, its
// description (a create without one makes it empty) and what its payload
// does (payloadHash, which reads a payload as Gandi may give it back).
func templateDigest(name, description string, payload gandi.TemplatePayload) string {
	data, _ := json.Marshal([]string{name, description, payloadHash(payload)}) // strings always encode
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
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
