package gandi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Vhost states, as documented.
const (
	VhostBeingCreated       = "being_created"
	VhostRunning            = "running"
	VhostBeingDeleted       = "being_deleted"
	VhostLocked             = "locked"
	VhostWaitingOwnership   = "waiting_ownership"
	VhostOwnershipValidated = "ownership_validated"
	VhostValidationFailed   = "validation_failed"
)

// HTTPS strategies, as documented.
const (
	HTTPOnly            = "HTTP_only"
	AllowHTTPAndHTTPS   = "allow_HTTP_and_HTTPS"
	RedirectHTTPToHTTPS = "redirect_HTTP_to_HTTPS"
)

// Vhost is a virtual host: the list item and, for GetVhost, the DNS details.
type Vhost struct {
	CreatedAt Time `json:"created_at"`
	// FQDN is ASCII (punycode).
	FQDN          string         `json:"fqdn"`
	IsATestVhost  bool           `json:"is_a_test_vhost"`
	LinkedDNSZone *LinkedDNSZone `json:"linked_dns_zone,omitempty"`
	Status        string         `json:"status"`
	Application   *VhostAppState `json:"application,omitempty"`
	Certificates  []Certificate  `json:"certificates,omitempty"`
	// HTTPSStrategy is only present when the vhost has a certificate.
	HTTPSStrategy string `json:"https_strategy,omitempty"`
}

// LinkedDNSZone is the DNS zone a vhost is linked to and, in details, the
// records a user must publish when Gandi may not alter the zone.
type LinkedDNSZone struct {
	AllowAlteration bool `json:"allow_alteration"`
	// LastCheckedStatus: altered, livedns_conflict, livedns_done,
	// livedns_error or unknown.
	LastCheckedStatus string `json:"last_checked_status"`
	LastCheckedAt     *Time  `json:"last_checked_at,omitempty"`

	// Detail fields.
	Cname       string `json:"cname,omitempty"`
	Domain      string `json:"domain,omitempty"`
	IPv4        string `json:"ipv4,omitempty"`
	IPv6        string `json:"ipv6,omitempty"`
	IsAlterable bool   `json:"is_alterable,omitempty"`
	IsRoot      bool   `json:"is_root,omitempty"`
	Key         string `json:"key,omitempty"`
	TXT         string `json:"txt,omitempty"`
}

// VhostAppState is the application installed on a vhost.
type VhostAppState struct {
	Name       string         `json:"name"`
	Status     string         `json:"status,omitempty"` // error, running, being_created, cancelled
	Parameters map[string]any `json:"parameters,omitempty"`
}

// Certificate is a TLS certificate of a vhost.
type Certificate struct {
	Href    string `json:"href"`
	ID      string `json:"id"`
	Pending bool   `json:"pending"`
}

// VhostApplication asks for an application on a vhost.
type VhostApplication struct {
	Name       string         `json:"name"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

// LinkedDNSZoneRequest links a vhost to its DNS zone. AllowAlteration is
// required whenever the object is sent, so it is always sent with it
// (false is a real answer).
type LinkedDNSZoneRequest struct {
	AllowAlteration         bool  `json:"allow_alteration"`
	AllowAlterationOverride *bool `json:"allow_alteration_override,omitempty"`
}

// CreateVhostRequest is the body of POST .../vhosts.
type CreateVhostRequest struct {
	// FQDN is ASCII (punycode): the client does not convert IDNs.
	FQDN          string                `json:"fqdn"`
	Application   *VhostApplication     `json:"application,omitempty"`
	LinkedDNSZone *LinkedDNSZoneRequest `json:"linked_dns_zone,omitempty"`
}

// UpdateVhostRequest is the body of PATCH .../vhosts/{fqdn}; only set fields
// are sent and an empty request sends nothing.
type UpdateVhostRequest struct {
	Application   *VhostApplication     `json:"application,omitempty"`
	HTTPSStrategy string                `json:"https_strategy,omitempty"`
	LinkedDNSZone *LinkedDNSZoneRequest `json:"linked_dns_zone,omitempty"`
}

// IsEmpty reports whether the request would change nothing.
func (r UpdateVhostRequest) IsEmpty() bool {
	return r.Application == nil && r.HTTPSStrategy == "" && r.LinkedDNSZone == nil
}

// ListVhostsOptions are the documented filters; empty ones are not sent.
// FQDN accepts patterns and must be ASCII (punycode).
type ListVhostsOptions struct {
	FQDN   string
	Status string
	SortBy string
	// PerPage is the page size asked for; 0 leaves Gandi's default. Every
	// page is fetched either way.
	PerPage int
}

func (o ListVhostsOptions) values() url.Values {
	q := url.Values{}
	setIf(q, "fqdn", o.FQDN)
	setIf(q, "status", o.Status)
	setIf(q, "sort_by", o.SortBy)
	setPerPage(q, o.PerPage)
	return q
}

// ListVhosts lists an instance's vhosts, all pages.
func (c *Client) ListVhosts(ctx context.Context, instanceID string, opts ListVhostsOptions) ([]Vhost, error) {
	path, err := expand(RouteVhosts, instanceID)
	if err != nil {
		return nil, fmt.Errorf("list vhosts: %w", err)
	}
	items, err := listAll[Vhost](ctx, c, RouteVhosts, path, opts.values())
	if err != nil {
		return nil, fmt.Errorf("list vhosts of instance %s: %w", instanceID, err)
	}
	return items, nil
}

// CreateVhost creates a vhost (202, asynchronous). A vhost that already
// exists on the instance is Gandi's 422, for which IsAlreadyExists is true;
// after a lost answer that may be this very create. Not retried (POST).
func (c *Client) CreateVhost(ctx context.Context, instanceID string, req CreateVhostRequest) error {
	path, err := expand(RouteVhosts, instanceID)
	if err != nil {
		return fmt.Errorf("create vhost %s: %w", req.FQDN, err)
	}
	if _, err := c.do(ctx, &call{method: http.MethodPost, route: RouteVhosts, path: path, body: req}); err != nil {
		return fmt.Errorf("create vhost %s on instance %s: %w", req.FQDN, instanceID, err)
	}
	return nil
}

// GetVhost returns a vhost with its DNS details.
func (c *Client) GetVhost(ctx context.Context, instanceID, fqdn string) (*Vhost, error) {
	var v Vhost
	if err := c.getJSON(ctx, &v, RouteVhost, instanceID, fqdn); err != nil {
		return nil, fmt.Errorf("get vhost %s of instance %s: %w", fqdn, instanceID, err)
	}
	return &v, nil
}

// UpdateVhost PATCHes the fields set in req; an empty req sends nothing.
func (c *Client) UpdateVhost(ctx context.Context, instanceID, fqdn string, req UpdateVhostRequest) error {
	if req.IsEmpty() {
		return nil
	}
	path, err := expand(RouteVhost, instanceID, fqdn)
	if err != nil {
		return fmt.Errorf("update vhost: %w", err)
	}
	if _, err := c.do(ctx, &call{method: http.MethodPatch, route: RouteVhost, path: path, body: req}); err != nil {
		return fmt.Errorf("update vhost %s of instance %s: %w", fqdn, instanceID, err)
	}
	return nil
}

// DeleteVhost deletes a vhost. As with instances, a retried DELETE may end
// in 404 after the first one succeeded: treat IsNotFound as done.
func (c *Client) DeleteVhost(ctx context.Context, instanceID, fqdn string) error {
	if err := c.deletePath(ctx, RouteVhost, instanceID, fqdn); err != nil {
		return fmt.Errorf("delete vhost %s of instance %s: %w", fqdn, instanceID, err)
	}
	return nil
}

// PurgeVhostCache empties a vhost's web accelerator cache. A purge is an
// action, not a DELETE of something that stays deleted: it is sent once
// (WithoutResend), never again by the client when its answer is lost, or
// the cache would be purged twice.
func (c *Client) PurgeVhostCache(ctx context.Context, instanceID, fqdn string) error {
	if err := c.deletePath(WithoutResend(ctx), RouteVhostCache, instanceID, fqdn); err != nil {
		return fmt.Errorf("purge cache of vhost %s of instance %s: %w", fqdn, instanceID, err)
	}
	return nil
}
