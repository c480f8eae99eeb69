package gandi

import "encoding/json"

// Template payload namespaces, the keys of TemplatePayload.
const (
	NamespaceDNSRecords   = "dns:records"
	NamespaceMailboxes    = "domain:mailboxes"
	NamespaceNameservers  = "domain:nameservers"
	NamespaceWebRedirects = "domain:webredirs"
)

// TemplatePayload is a template's "recipe"; every namespace is optional.
type TemplatePayload struct {
	DNSRecords   *DNSRecordsNS  `json:"dns:records,omitempty"`
	Mailboxes    *MailboxesNS   `json:"domain:mailboxes,omitempty"`
	Nameservers  *NameserversNS `json:"domain:nameservers,omitempty"`
	WebRedirects *WebRedirsNS   `json:"domain:webredirs,omitempty"`
}

// Namespaces lists the namespaces the payload sets, in documented order.
func (p TemplatePayload) Namespaces() []string {
	var ns []string
	if p.DNSRecords != nil {
		ns = append(ns, NamespaceDNSRecords)
	}
	if p.Mailboxes != nil {
		ns = append(ns, NamespaceMailboxes)
	}
	if p.Nameservers != nil {
		ns = append(ns, NamespaceNameservers)
	}
	if p.WebRedirects != nil {
		ns = append(ns, NamespaceWebRedirects)
	}
	return ns
}

// DNSRecordsNS sets a domain's LiveDNS records. Default and Records are
// mutually exclusive: set exactly one. A false Default is not sent, since
// sending it next to Records could read as setting both.
type DNSRecordsNS struct {
	Default bool        `json:"default,omitempty"`
	Records []DNSRecord `json:"records,omitempty"`
}

// DNSRecord is one record set.
type DNSRecord struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Values []string `json:"values"`
	// TTL in seconds, 300..2592000; 0 is not sent (Gandi's default).
	TTL int `json:"ttl,omitempty"`
}

// MailboxesNS adds at most two mailboxes that do not exist yet.
type MailboxesNS struct {
	Values []Mailbox `json:"values"`
}

// Mailbox is a mailbox login.
type Mailbox struct {
	Login string `json:"login"`
}

// NameserversNS sets a domain's nameservers: Service "livedns" (Addresses
// empty) or "custom" (Addresses required).
type NameserversNS struct {
	Addresses []string `json:"addresses"`
	Service   string   `json:"service"`
}

// MarshalJSON sends empty addresses as [] rather than null: the documented
// livedns example has "addresses": [], and the field is required.
func (n NameserversNS) MarshalJSON() ([]byte, error) {
	type plain NameserversNS
	p := plain(n)
	if p.Addresses == nil {
		p.Addresses = []string{}
	}
	return json.Marshal(p)
}

// WebRedirsNS adds web redirections.
type WebRedirsNS struct {
	Values []WebRedirect `json:"values"`
}

// WebRedirect is one redirection.
type WebRedirect struct {
	Type string `json:"type"` // cloak, http301, http302
	URL  string `json:"url"`
	// Host is the source hostname, domain name included.
	Host string `json:"host,omitempty"`
	// Override replaces an existing DNS record instead of failing.
	Override bool   `json:"override,omitempty"`
	Protocol string `json:"protocol,omitempty"` // http, https, httpsonly
}
