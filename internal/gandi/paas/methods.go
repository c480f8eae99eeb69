package paas

import (
	"context"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// Count is paas.count.
func (c *Client) Count(ctx context.Context, opts *PaasCountOptions) (int, error) {
	var n int
	return n, c.call(ctx, "paas.count", nil, &n, optional(opts)...)
}

// Create is paas.create, a paid call: it is never resent. After an error
// that NotApplied does not clear, look the instance up with List by name
// before creating again.
func (c *Client) Create(ctx context.Context, p PaasCreateParams) ([]Operation, error) {
	var ops []Operation
	return ops, c.call(ctx, "paas.create", []string{string(p.Password)}, &ops, p)
}

// Delete is paas.delete; the instance goes through being_deleted.
func (c *Client) Delete(ctx context.Context, paasID int) ([]Operation, error) {
	var ops []Operation
	return ops, c.call(ctx, "paas.delete", nil, &ops, paasID)
}

// Info is paas.info.
func (c *Client) Info(ctx context.Context, paasID int) (*PaasReturn, error) {
	var r PaasReturn
	if err := c.call(ctx, "paas.info", nil, &r, paasID); err != nil {
		return nil, err
	}
	return &r, nil
}

// List is paas.list.
func (c *Client) List(ctx context.Context, opts *PaasListOptions) ([]PaasListReturn, error) {
	var r []PaasListReturn
	return r, c.call(ctx, "paas.list", nil, &r, optional(opts)...)
}

// listPage is the page size ListAll asks for: Gandi's default.
const listPage = 100

// maxListPages bounds a list whose pages never end.
const maxListPages = 1000

// ListAll is paas.list of every instance opts selects, as one whole list
// or an error wrapping gandi.ErrIncompleteList: callers take an
// instance's absence from it (the lookup before a paid paas.create). One
// answer of fewer than a page is the whole list at one moment. A longer
// one is read again between two paas.count calls, which stand for the v5
// Total-Count (paas.list carries none), under the v5 lists' rule
// (gandi.ReadWhole): both counts the same and the items read exactly that
// many, else the list changed while it was read and is read again.
func (c *Client) ListAll(ctx context.Context, opts PaasCountOptions) ([]PaasListReturn, error) {
	first, err := c.List(ctx, &PaasListOptions{PaasCountOptions: opts, Paging: Paging{ItemsPerPage: listPage}})
	if err != nil || len(first) < listPage {
		return first, err
	}
	return gandi.ReadWhole(ctx, c.log, "paas.list", func(tally *gandi.PageTally) ([]PaasListReturn, error) {
		count := func() error {
			n, err := c.Count(ctx, &opts)
			if err != nil {
				return err
			}
			return tally.Total(n, true)
		}
		if err := count(); err != nil {
			return nil, err
		}
		var all []PaasListReturn
		for page := range maxListPages {
			got, err := c.List(ctx, &PaasListOptions{PaasCountOptions: opts, Paging: Paging{ItemsPerPage: listPage, Page: page}})
			if err != nil {
				return nil, err
			}
			tally.Page(len(got))
			all = append(all, got...)
			if !tally.More(len(got)) {
				break
			}
		}
		if err := count(); err != nil {
			return nil, err
		}
		return all, tally.Whole()
	})
}

// Renew is paas.renew, a paid call: it is never resent. After an error that
// NotApplied does not clear, compare paas.info's date_end with the value
// before the call to know whether it happened.
func (c *Client) Renew(ctx context.Context, paasID int, o RenewOptions) ([]Operation, error) {
	var ops []Operation
	return ops, c.call(ctx, "paas.renew", nil, &ops, paasID, o)
}

// Restart is paas.restart.
func (c *Client) Restart(ctx context.Context, paasID int) (*Operation, error) {
	var op Operation
	if err := c.call(ctx, "paas.restart", nil, &op, paasID); err != nil {
		return nil, err
	}
	return &op, nil
}

// Update is paas.update (billed when it resizes or adds disk).
func (c *Client) Update(ctx context.Context, paasID int, p PaasUpdateParams) ([]Operation, error) {
	var ops []Operation
	return ops, c.call(ctx, "paas.update", []string{string(p.Password)}, &ops, paasID, p)
}

// VhostCount is paas.vhost.count.
func (c *Client) VhostCount(ctx context.Context, opts *VhostListOptions) (int, error) {
	var n int
	return n, c.call(ctx, "paas.vhost.count", nil, &n, optional(opts)...)
}

// VhostCreate is paas.vhost.create; the vhost runs once its rproxy_update
// is done (paas.vhost.info's state).
func (c *Client) VhostCreate(ctx context.Context, p PaasVhost) (*Operation, error) {
	var op Operation
	if err := c.call(ctx, "paas.vhost.create", nil, &op, p); err != nil {
		return nil, err
	}
	return &op, nil
}

// VhostDelete is paas.vhost.delete; fqdn is in punycode.
func (c *Client) VhostDelete(ctx context.Context, fqdn string) (*Operation, error) {
	var op Operation
	if err := c.call(ctx, "paas.vhost.delete", nil, &op, fqdn); err != nil {
		return nil, err
	}
	return &op, nil
}

// VhostDNSEntries is paas.vhost.get_dns_entries.
func (c *Client) VhostDNSEntries(ctx context.Context, p PaasDnsEntry) (DNSEntries, error) {
	var r DNSEntries
	return r, c.call(ctx, "paas.vhost.get_dns_entries", nil, &r, p)
}

// VhostInfo is paas.vhost.info; fqdn is in punycode.
func (c *Client) VhostInfo(ctx context.Context, fqdn string) (*PaasVHostReturn, error) {
	var r PaasVHostReturn
	if err := c.call(ctx, "paas.vhost.info", nil, &r, fqdn); err != nil {
		return nil, err
	}
	return &r, nil
}

// VhostList is paas.vhost.list. The doc says it returns "struct" but names
// PaasVHostReturn as its return: it is read as a list of them.
func (c *Client) VhostList(ctx context.Context, opts *VhostListOptions) ([]PaasVHostReturn, error) {
	var r []PaasVHostReturn
	return r, c.call(ctx, "paas.vhost.list", nil, &r, optional(opts)...)
}

// SnapshotCount is paas.snapshot.count.
func (c *Client) SnapshotCount(ctx context.Context, opts *PaasSnapshotListOptions) (int, error) {
	var n int
	return n, c.call(ctx, "paas.snapshot.count", nil, &n, optional(opts)...)
}

// SnapshotInfo is paas.snapshot.info.
func (c *Client) SnapshotInfo(ctx context.Context, snapshotID int) (*PaasSnapshotReturn, error) {
	var r PaasSnapshotReturn
	if err := c.call(ctx, "paas.snapshot.info", nil, &r, snapshotID); err != nil {
		return nil, err
	}
	return &r, nil
}

// SnapshotList is paas.snapshot.list.
func (c *Client) SnapshotList(ctx context.Context, opts *PaasSnapshotListOptions) ([]PaasSnapshotReturn, error) {
	var r []PaasSnapshotReturn
	return r, c.call(ctx, "paas.snapshot.list", nil, &r, optional(opts)...)
}

// TypeCount is paas.type.count.
func (c *Client) TypeCount(ctx context.Context, opts *PaasTypeListOptions) (int, error) {
	var n int
	return n, c.call(ctx, "paas.type.count", nil, &n, optional(opts)...)
}

// TypeList is paas.type.list.
func (c *Client) TypeList(ctx context.Context, opts *PaasTypeListOptions) ([]PaasTypeReturn, error) {
	var r []PaasTypeReturn
	return r, c.call(ctx, "paas.type.list", nil, &r, optional(opts)...)
}

// optional leaves out a nil options struct: the parameter is optional
// (opts=nil), and kolo would send a nil pointer as an empty <value/>.
func optional[T any](opts *T) []any {
	if opts == nil {
		return nil
	}
	return []any{opts}
}
