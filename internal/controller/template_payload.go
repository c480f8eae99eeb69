package controller

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// defaultRecordTTL stands for an absent ttl when payloads are compared. The
// template doc gives the ttl no default; 10800 s (3 h) is LiveDNS's default
// and the value of the doc's own MX example, so a Gandi that fills the
// default in must not look like drift.
const defaultRecordTTL = 10800

// addressProblem refuses an A value that is no IPv4 address and an AAAA
// value that is no IPv6 one, before anything is sent. The CRD cannot: an
// isIP rule over 500 records of 100 values exceeds the API server's cost
// budget. Gandi's template docs do not say what it does with such a value;
// at best the dispatch fails on the domain, long after the template was
// accepted.
func addressProblem(p hostingv1alpha1.TemplatePayload) error {
	if p.DNSRecords == nil {
		return nil
	}
	for _, rec := range p.DNSRecords.Records {
		want := map[string]func(netip.Addr) bool{"A": netip.Addr.Is4, "AAAA": netip.Addr.Is6}[rec.Type]
		if want == nil {
			continue
		}
		for i, v := range rec.Values {
			if a, err := netip.ParseAddr(strings.TrimSpace(v)); err != nil || !want(a) || a.Zone() != "" {
				return &specError{msg: fmt.Sprintf("spec.payload.dnsRecords.records (%s %s).values[%d] %q is not an %s address",
					rec.Name, rec.Type, i, v, map[string]string{"A": "IPv4", "AAAA": "IPv6"}[rec.Type])}
			}
		}
	}
	return nil
}

// desiredPayload maps spec.payload to Gandi's namespaces. Only the parts the
// user set are sent: an absent namespace is left out of the template.
func desiredPayload(p hostingv1alpha1.TemplatePayload) gandi.TemplatePayload {
	var out gandi.TemplatePayload
	if r := p.DNSRecords; r != nil {
		ns := &gandi.DNSRecordsNS{}
		if r.Default != nil && *r.Default {
			ns.Default = true
		} else {
			for _, rec := range r.Records {
				ns.Records = append(ns.Records, gandi.DNSRecord{
					Name: rec.Name, Type: rec.Type, Values: slices.Clone(rec.Values), TTL: int(rec.TTL),
				})
			}
		}
		out.DNSRecords = ns
	}
	if len(p.Mailboxes) > 0 {
		ns := &gandi.MailboxesNS{}
		for _, m := range p.Mailboxes {
			ns.Values = append(ns.Values, gandi.Mailbox{Login: m.Login})
		}
		out.Mailboxes = ns
	}
	if n := p.Nameservers; n != nil {
		ns := &gandi.NameserversNS{Service: n.Service}
		// livedns takes no addresses: the doc says to leave them empty,
		// and the client sends [] rather than null.
		if n.Service != "livedns" {
			ns.Addresses = slices.Clone(n.Addresses)
		}
		out.Nameservers = ns
	}
	if len(p.WebRedirects) > 0 {
		ns := &gandi.WebRedirsNS{}
		for _, w := range p.WebRedirects {
			ns.Values = append(ns.Values, gandi.WebRedirect{Type: w.Type, URL: w.URL, Host: w.Host, Override: w.Override, Protocol: w.Protocol})
		}
		out.WebRedirects = ns
	}
	return out
}

// normalizePayload returns a copy of p in a canonical form, so that two
// payloads that do the same to a domain compare equal: records, values,
// mailboxes, nameservers and redirections are sets (their order carries no
// meaning at Gandi), an absent ttl is the default one, and livedns has no
// addresses.
func normalizePayload(p gandi.TemplatePayload) gandi.TemplatePayload {
	var out gandi.TemplatePayload
	if r := p.DNSRecords; r != nil {
		out.DNSRecords = normalizeRecords(r)
	}
	if m := p.Mailboxes; m != nil {
		values := slices.Clone(m.Values)
		slices.SortFunc(values, func(a, b gandi.Mailbox) int { return cmp.Compare(a.Login, b.Login) })
		out.Mailboxes = &gandi.MailboxesNS{Values: values}
	}
	if n := p.Nameservers; n != nil {
		ns := &gandi.NameserversNS{Service: n.Service}
		if n.Service != "livedns" {
			for _, a := range n.Addresses {
				ns.Addresses = append(ns.Addresses, strings.ToLower(strings.TrimSuffix(a, ".")))
			}
			slices.Sort(ns.Addresses)
		}
		out.Nameservers = ns
	}
	if w := p.WebRedirects; w != nil {
		values := make([]gandi.WebRedirect, 0, len(w.Values))
		for _, v := range w.Values {
			v.Host = strings.ToLower(strings.TrimSuffix(v.Host, "."))
			values = append(values, v)
		}
		slices.SortFunc(values, func(a, b gandi.WebRedirect) int {
			return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.Type, b.Type), cmp.Compare(a.URL, b.URL), cmp.Compare(a.Protocol, b.Protocol))
		})
		out.WebRedirects = &gandi.WebRedirsNS{Values: values}
	}
	return out
}

func normalizeRecords(r *gandi.DNSRecordsNS) *gandi.DNSRecordsNS {
	if r.Default {
		// default and records are exclusive: default wins, as Gandi's
		// default records replace whatever records would say.
		return &gandi.DNSRecordsNS{Default: true}
	}
	records := make([]gandi.DNSRecord, 0, len(r.Records))
	for _, rec := range r.Records {
		rec.Type = strings.ToUpper(rec.Type)
		rec.Values = slices.Clone(rec.Values)
		slices.Sort(rec.Values)
		if rec.TTL == 0 {
			rec.TTL = defaultRecordTTL
		}
		records = append(records, rec)
	}
	slices.SortFunc(records, func(a, b gandi.DNSRecord) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type),
			slices.Compare(a.Values, b.Values), cmp.Compare(a.TTL, b.TTL))
	})
	return &gandi.DNSRecordsNS{Records: records}
}

// payloadHash identifies what a payload does to a domain: the sha256 of its
// normalized JSON. Comparing hashes is comparing payloads semantically, and
// a TemplateApplication applies again when the hash of its template changes.
func payloadHash(p gandi.TemplatePayload) string {
	// The payload is plain strings, numbers and booleans: it always
	// encodes, and an empty hash would only cause one extra apply.
	return jsonDigest(normalizePayload(p))
}

// jsonDigest is the sha256 of v's JSON, "sha256:<hex>"; "" when v does not
// encode, which each caller says it cannot.
func jsonDigest(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// payloadDifferences names the namespaces in which two payloads differ, for
// messages that say what drifted.
func payloadDifferences(want, have gandi.TemplatePayload) []string {
	w, h := normalizePayload(want), normalizePayload(have)
	var out []string
	for _, ns := range []struct {
		name string
		a, b any
	}{
		{gandi.NamespaceDNSRecords, w.DNSRecords, h.DNSRecords},
		{gandi.NamespaceMailboxes, w.Mailboxes, h.Mailboxes},
		{gandi.NamespaceNameservers, w.Nameservers, h.Nameservers},
		{gandi.NamespaceWebRedirects, w.WebRedirects, h.WebRedirects},
	} {
		a, _ := json.Marshal(ns.a)
		b, _ := json.Marshal(ns.b)
		if string(a) != string(b) {
			out = append(out, ns.name)
		}
	}
	return out
}
