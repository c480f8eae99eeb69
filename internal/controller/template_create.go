package controller

import (
	"context"
	"fmt"
	"strings"

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
	// found are the matches of the last find by ID, for the messages that
	// name their organizations.
	found map[string]gandi.TemplateSummary
}

var _ undatedCreate = &templateExternal{}

func (e *templateExternal) describe() string { return fmt.Sprintf("template %q", templateName(e.t)) }

// uniqueKey: a name is unique in an organization.
func (e *templateExternal) uniqueKey() bool             { return true }
func (e *templateExternal) handedOver([]candidate) bool { return false }

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
// Without one, Gandi makes the template in "the authenticated user"'s own
// organization, and the template API documents no way to learn which of
// the organizations the token sees that is: the list takes no sharing_id
// filter, and its sharing_space names a template's organization, not
// whether it is the user's own. So a same-named template in any of them
// counts (AlreadyExists: nothing is created beside it, nothing claimed),
// and the message names each one's organization (alreadyExistsMessage).
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
	e.found = map[string]gandi.TemplateSummary{}
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
		e.found[s.ID] = s
		exact = append(exact, c)
	}
	return exact, nil
}

// alreadyExistsMessage names the organization of each match. The advice to
// adopt is given only for a match in the organization the create would
// use, known only from spec.sharingID (see find): a template of another
// organization does not compete with it, and adopting one would manage
// something the spec did not describe.
func (e *templateExternal) alreadyExistsMessage(which []candidate) string {
	sharingID := e.t.Spec.SharingID
	where := make([]string, 0, len(which))
	var there []string
	for _, c := range which {
		s, ok := e.found[c.id]
		where = append(where, c.id+" in "+organizationOf(s, ok))
		if ok && sharingID != "" && s.SharingSpace != nil && s.SharingSpace.ID == sharingID {
			there = append(there, c.id)
		}
	}
	msg := fmt.Sprintf("%s already exists at Gandi (%s) and this object did not create it", e.describe(), strings.Join(where, "; "))
	switch {
	case len(there) > 0:
		return msg + ": " + adoptAdvice(strings.Join(there, ", ")+", in the organization spec.sharingID names") + "; otherwise change the name"
	case sharingID == "":
		return msg + ". Without spec.sharingID Gandi makes the template in the token's own organization, which the template API does not name, " +
			"so nothing is created while an organization the token sees has the name (a name is unique only within one): change the name, " +
			"or re-create this object with spec.sharingID (create-only) naming the organization to make it in; to manage one of these, name its organization there"
	}
	return msg + ": Gandi does not say which organization holds it, so this object does not offer to adopt it: change the name, or set the annotation " +
		hostingv1alpha1.AnnotationExternalID + " to its ID if it is the one to manage"
}

// organizationOf names for people the organization Gandi lists s in.
func organizationOf(s gandi.TemplateSummary, listed bool) string {
	switch {
	case listed && s.SharingSpace != nil && s.SharingSpace.ID != "":
		return fmt.Sprintf("organization %q (%s)", s.SharingSpace.Name, s.SharingSpace.ID)
	case listed && s.OrgName != "":
		return fmt.Sprintf("organization %q", s.OrgName)
	}
	return "an organization Gandi does not name"
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
	return jsonDigest([]string{name, description, payloadHash(payload)}) // strings always encode
}

// deleting: Gandi deletes a template at once; a public one is never
// deleted, so it counts as gone for this object. One refused to working
// credentials is errNotVisible, which deleteAtGandi neither deletes nor
// takes for gone.
func (e *templateExternal) deleting(ctx context.Context, id string) (bool, error) {
	observed, err := e.api.GetTemplate(ctx, id)
	if err = notVisible(ctx, err, templatesProbe(e.api)); err != nil {
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
