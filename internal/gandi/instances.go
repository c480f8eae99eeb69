package gandi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
)

// Instance actions accepted by InstanceAction.
const (
	ActionRestart               = "restart"
	ActionConsole               = "console"
	ActionResetDatabasePassword = "reset_database_password"
)

// ListInstancesOptions are the documented filters; empty ones are not sent.
// Name and FQDN accept patterns ("examp*"); FQDN must be ASCII (punycode).
type ListInstancesOptions struct {
	Name      string
	FQDN      string
	Size      string
	Status    string
	SharingID string
	SortBy    string
	// PerPage is the page size asked for; 0 leaves Gandi's default. Every
	// page is fetched either way.
	PerPage int
}

func (o ListInstancesOptions) values() url.Values {
	q := url.Values{}
	setIf(q, "name", o.Name)
	setIf(q, "fqdn", o.FQDN)
	setIf(q, "size", o.Size)
	setIf(q, "status", o.Status)
	setIf(q, "sharing_id", o.SharingID)
	setIf(q, "sort_by", o.SortBy)
	setPerPage(q, o.PerPage)
	return q
}

// CreateOptions are the query options of create routes.
type CreateOptions struct {
	// SharingID is the organization that owns, and for instances pays for,
	// the new object; empty: the token's own user.
	SharingID string
}

func (o CreateOptions) values() url.Values {
	q := url.Values{}
	setIf(q, "sharing_id", o.SharingID)
	return q
}

// ListInstances lists every instance the token can see, all pages.
func (c *Client) ListInstances(ctx context.Context, opts ListInstancesOptions) ([]Instance, error) {
	items, err := listAll[Instance](ctx, c, RouteInstances, RouteInstances, opts.values())
	if err != nil {
		return nil, fmt.Errorf("list instances: %w", err)
	}
	return items, nil
}

// PeekInstances asks for the first page of the instance list, one
// instance long, under the token's own organizations (no sharing_id), and
// drops the answer: whether Gandi answers this token for a read of no
// particular instance, at one request however many instances it has.
// ListInstances would fetch every page.
func (c *Client) PeekInstances(ctx context.Context) error {
	q := url.Values{}
	setPerPage(q, 1)
	if _, err := c.do(ctx, &call{method: http.MethodGet, route: RouteInstances, path: RouteInstances, query: q}); err != nil {
		return fmt.Errorf("list instances: %w", err)
	}
	return nil
}

// CreateInstance buys an instance and returns its ID, read from the
// answer's Content-Location. It is never retried: when the answer is lost
// the error is transient and the instance may exist, so look it up by name
// before calling again. An ErrNoID error also means the instance was created.
func (c *Client) CreateInstance(ctx context.Context, req CreateInstanceRequest, opts CreateOptions) (string, error) {
	res, err := c.do(ctx, &call{
		method: http.MethodPost, route: RouteInstances, path: RouteInstances,
		query: opts.values(), body: req, secrets: req.secrets(),
	})
	if err != nil {
		return "", fmt.Errorf("create instance %q: %w", req.Name, err)
	}
	if res.status == http.StatusOK {
		// 200 is the documented Dry-Run answer; nothing was created.
		return "", fmt.Errorf("create instance %q: gandi answered 200 as to a dry run: %w", req.Name, ErrNoID)
	}
	id, err := createdID(res.header, RouteInstances)
	if err != nil {
		return "", fmt.Errorf("create instance %q: %w", req.Name, err)
	}
	return id, nil
}

// dryRunAnswer is the documented 200 body of a Dry-Run.
type dryRunAnswer struct {
	Status string       `json:"status"`
	Errors []FieldError `json:"errors"`
}

// DryRunCreateInstance asks Gandi to validate req without buying anything.
// Gandi answers 200 even when it refuses: {"status": "error", "errors":
// [...]} becomes a *ValidationError. Only an explicit "success" is nil.
func (c *Client) DryRunCreateInstance(ctx context.Context, req CreateInstanceRequest, opts CreateOptions) error {
	res, err := c.do(ctx, &call{
		method: http.MethodPost, route: RouteInstances, path: RouteInstances,
		query: opts.values(), body: req, dryRun: true, secrets: req.secrets(),
	})
	if err != nil {
		return fmt.Errorf("dry-run create instance %q: %w", req.Name, err)
	}
	if res.status != http.StatusOK {
		// Gandi ignored the header: this was a real, paid create.
		loc := res.header.Get("Content-Location")
		return fmt.Errorf("dry-run create instance %q: gandi answered %d (location %q), the instance may have been created",
			req.Name, res.status, loc)
	}
	if w := res.header.Get("Warning"); w != "" {
		c.log.LogAttrs(ctx, slog.LevelInfo, "gandi dry-run warning",
			slog.String("route", RouteInstances), slog.String("warning", clean(w)))
	}
	var ans dryRunAnswer
	if err := decodeJSON(res.body, &ans); err != nil {
		return fmt.Errorf("dry-run create instance %q: decode answer: %w", req.Name, err)
	}
	redact := c.redactFunc(req.secrets())
	for i := range ans.Errors {
		ans.Errors[i].Name = redact(clean(ans.Errors[i].Name))
		ans.Errors[i].Location = redact(clean(ans.Errors[i].Location))
		ans.Errors[i].Description = redact(clean(ans.Errors[i].Description))
	}
	switch {
	case ans.Status == "success" && len(ans.Errors) == 0:
		return nil
	case ans.Status == "error" || len(ans.Errors) > 0:
		return &ValidationError{Errors: ans.Errors, Method: http.MethodPost, Route: RouteInstances}
	default:
		return fmt.Errorf("dry-run create instance %q: unexpected dry-run status %q", req.Name, clean(ans.Status))
	}
}

// GetInstance returns an instance with its detail fields.
func (c *Client) GetInstance(ctx context.Context, id string) (*Instance, error) {
	var inst Instance
	if err := c.getJSON(ctx, &inst, RouteInstance, id); err != nil {
		return nil, fmt.Errorf("get instance %s: %w", id, err)
	}
	return &inst, nil
}

// UpdateInstance PATCHes the fields set in req (Gandi answers 202 and
// applies them asynchronously). An empty req sends nothing: a reconcile that
// changes nothing writes nothing. Size and storage changes are paid.
func (c *Client) UpdateInstance(ctx context.Context, id string, req UpdateInstanceRequest) error {
	if req.IsEmpty() {
		return nil
	}
	path, err := expand(RouteInstance, id)
	if err != nil {
		return fmt.Errorf("update instance: %w", err)
	}
	var secrets []string
	if req.Password != "" {
		secrets = []string{string(req.Password)}
	}
	if _, err := c.do(ctx, &call{method: http.MethodPatch, route: RouteInstance, path: path, body: req, secrets: secrets}); err != nil {
		return fmt.Errorf("update instance %s: %w", id, err)
	}
	return nil
}

// DeleteInstance deletes an instance (it goes through being_deleted). A
// retried DELETE whose first answer was lost may come back 404: callers
// deleting an object treat IsNotFound as done.
func (c *Client) DeleteInstance(ctx context.Context, id string) error {
	if err := c.deletePath(ctx, RouteInstance, id); err != nil {
		return fmt.Errorf("delete instance %s: %w", id, err)
	}
	return nil
}

// InstanceAction performs restart, console or reset_database_password.
// Gandi's 202 is success; its 204 means "the action cannot be performed",
// returned as an *APIError matching errors.Is(err, ErrActionNotPerformed).
// Not retried (POST).
func (c *Client) InstanceAction(ctx context.Context, id, action string) error {
	path, err := expand(RouteAction, id)
	if err != nil {
		return fmt.Errorf("instance action %s: %w", action, err)
	}
	body := struct {
		Action string `json:"action"`
	}{action}
	res, err := c.do(ctx, &call{method: http.MethodPost, route: RouteAction, path: path, body: body})
	if err != nil {
		return fmt.Errorf("instance %s action %s: %w", id, action, err)
	}
	if res.status == http.StatusNoContent {
		return fmt.Errorf("instance %s action %s: %w", id, action, &APIError{
			StatusCode: res.status,
			Message:    "an internal error has occurred and the action cannot be performed",
			Method:     http.MethodPost,
			Route:      RouteAction,
		})
	}
	return nil
}

// GetInstanceUsage returns an instance's disk usage.
func (c *Client) GetInstanceUsage(ctx context.Context, id string) (*Usage, error) {
	var u Usage
	if err := c.getJSON(ctx, &u, RouteUsage, id); err != nil {
		return nil, fmt.Errorf("get instance %s usage: %w", id, err)
	}
	return &u, nil
}

// deletePath sends a DELETE to route filled with args.
func (c *Client) deletePath(ctx context.Context, route string, args ...string) error {
	path, err := expand(route, args...)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, &call{method: http.MethodDelete, route: route, path: path})
	return err
}
