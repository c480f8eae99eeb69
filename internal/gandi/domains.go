package gandi

import (
	"context"
	"fmt"
)

// Domain is the part of Gandi's domain API the operator needs: the ID that
// template application takes as object_id. The route is outside the two
// reference docs (GET /v5/domain/domains/{domain}).
type Domain struct {
	ID          string   `json:"id"`
	FQDN        string   `json:"fqdn"`
	FQDNUnicode string   `json:"fqdn_unicode,omitempty"`
	Nameservers []string `json:"nameservers,omitempty"`
}

// GetDomain looks a domain up by its ASCII (punycode) name.
func (c *Client) GetDomain(ctx context.Context, fqdn string) (*Domain, error) {
	var d Domain
	if err := c.getJSON(ctx, &d, RouteDomain, fqdn); err != nil {
		return nil, fmt.Errorf("get domain %s: %w", fqdn, err)
	}
	return &d, nil
}
