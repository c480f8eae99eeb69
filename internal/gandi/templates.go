package gandi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// TemplateSummary is a template as listed.
type TemplateSummary struct {
	Description string `json:"description"`
	// Editable is false for Gandi's public templates (with an empty OrgName).
	Editable     bool                  `json:"editable"`
	Href         string                `json:"href"`
	ID           string                `json:"id"`
	Name         string                `json:"name"`
	Namespaces   []string              `json:"namespaces"`
	OrgName      string                `json:"orgname"`
	SharingSpace *TemplateSharingSpace `json:"sharing_space,omitempty"`
}

// TemplateSharingSpace is the organization owning a template.
type TemplateSharingSpace struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Reseller     *bool         `json:"reseller,omitempty"`
	SharingSpace *SharingSpace `json:"sharing_space,omitempty"`
	Type         string        `json:"type,omitempty"`
}

// Template is a template's details.
type Template struct {
	TemplateSummary
	Payload   TemplatePayload `json:"payload"`
	Variables []string        `json:"variables"`
}

// ListTemplatesOptions pages the template list.
type ListTemplatesOptions struct {
	// PerPage is the page size asked for; 0 leaves Gandi's default. Every
	// page is fetched either way.
	PerPage int
}

// CreateTemplateRequest is the body of POST /templates. Name must be unique
// in the organization.
type CreateTemplateRequest struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Payload     TemplatePayload `json:"payload"`
}

// UpdateTemplateRequest is the body of PATCH /templates/{id}. Gandi replaces
// the whole payload: send it complete, never just the changed namespace.
type UpdateTemplateRequest struct {
	// Description is a pointer so that it can be cleared.
	Description *string          `json:"description,omitempty"`
	Name        string           `json:"name,omitempty"`
	Payload     *TemplatePayload `json:"payload,omitempty"`
}

// IsEmpty reports whether the request would change nothing.
func (r UpdateTemplateRequest) IsEmpty() bool {
	return r.Description == nil && r.Name == "" && r.Payload == nil
}

// ApplyTemplateRequest names the object a template is applied to.
type ApplyTemplateRequest struct {
	// ObjectType is "domain", the only documented type; empty means domain.
	ObjectType string `json:"object_type"`
	// ObjectID is the domain's ID (see GetDomain), not its name.
	ObjectID string `json:"object_id"`
}

// ApplyResult is the 202 answer of an apply.
type ApplyResult struct {
	// DispatchID is read from DispatchHref, or the Location header.
	DispatchID   string          `json:"-"`
	DispatchHref string          `json:"dispatch_href"`
	TargetID     string          `json:"target_id"`
	TargetType   string          `json:"target_type"`
	Message      string          `json:"message"`
	Payload      TemplatePayload `json:"payload"`
}

// ListTemplates lists every template the token can use, public ones too.
func (c *Client) ListTemplates(ctx context.Context, opts ListTemplatesOptions) ([]TemplateSummary, error) {
	q := url.Values{}
	setPerPage(q, opts.PerPage)
	items, err := listAll[TemplateSummary](ctx, c, RouteTemplates, RouteTemplates, q)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	return items, nil
}

// CreateTemplate creates a template (201) and returns its ID from the
// Location header. Not retried (POST): after a lost answer, look for the
// name before creating again; ErrNoID also means it was created.
func (c *Client) CreateTemplate(ctx context.Context, req CreateTemplateRequest, opts CreateOptions) (string, error) {
	res, err := c.do(ctx, &call{
		method: http.MethodPost, route: RouteTemplates, path: RouteTemplates,
		query: opts.values(), body: req,
	})
	if err != nil {
		return "", fmt.Errorf("create template %q: %w", req.Name, err)
	}
	id, err := createdID(res.header, RouteTemplates)
	if err != nil {
		return "", fmt.Errorf("create template %q: %w", req.Name, err)
	}
	return id, nil
}

// GetTemplate returns a template with its payload.
func (c *Client) GetTemplate(ctx context.Context, id string) (*Template, error) {
	var t Template
	if err := c.getJSON(ctx, &t, RouteTemplate, id); err != nil {
		return nil, fmt.Errorf("get template %s: %w", id, err)
	}
	return &t, nil
}

// UpdateTemplate PATCHes a template (204); an empty req sends nothing.
func (c *Client) UpdateTemplate(ctx context.Context, id string, req UpdateTemplateRequest) error {
	if req.IsEmpty() {
		return nil
	}
	path, err := expand(RouteTemplate, id)
	if err != nil {
		return fmt.Errorf("update template: %w", err)
	}
	if _, err := c.do(ctx, &call{method: http.MethodPatch, route: RouteTemplate, path: path, body: req}); err != nil {
		return fmt.Errorf("update template %s: %w", id, err)
	}
	return nil
}

// DeleteTemplate deletes a template; a retried DELETE may end in 404 after
// the first succeeded, so treat IsNotFound as done.
func (c *Client) DeleteTemplate(ctx context.Context, id string) error {
	if err := c.deletePath(ctx, RouteTemplate, id); err != nil {
		return fmt.Errorf("delete template %s: %w", id, err)
	}
	return nil
}

// ApplyTemplate applies a template to a domain (202) and returns the
// dispatch to follow with GetDispatch. Not retried (POST): a second apply
// would be a second dispatch.
func (c *Client) ApplyTemplate(ctx context.Context, templateID string, req ApplyTemplateRequest) (*ApplyResult, error) {
	if req.ObjectType == "" {
		req.ObjectType = "domain"
	}
	path, err := expand(RouteTemplate, templateID)
	if err != nil {
		return nil, fmt.Errorf("apply template: %w", err)
	}
	res, err := c.do(ctx, &call{method: http.MethodPost, route: RouteTemplate, path: path, body: req})
	if err != nil {
		return nil, fmt.Errorf("apply template %s to %s %s: %w", templateID, req.ObjectType, req.ObjectID, err)
	}
	var out ApplyResult
	if err := decodeJSON(res.body, &out); err != nil {
		// Applied all the same; the dispatch may still be in Location.
		out = ApplyResult{}
	}
	id, err := IDFromLocation(out.DispatchHref, dispatchCollection)
	if err != nil {
		id, err = IDFromLocation(res.header.Get("Location"), dispatchCollection)
	}
	if err != nil {
		return &out, fmt.Errorf("apply template %s to %s %s: %w", templateID, req.ObjectType, req.ObjectID, err)
	}
	out.DispatchID = id
	return &out, nil
}
