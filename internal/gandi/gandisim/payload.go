package gandisim

import (
	"fmt"
	"slices"
	"strings"
)

var recordTypes = []string{"A", "AAAA", "ALIAS", "CAA", "CDS", "CNAME", "DNAME", "DS", "KEY", "LOC", "MX", "NAPTR", "NS", "OPENPGPKEY", "PTR", "RP", "SPF", "SRV", "SSHFP", "TLSA", "TXT", "WKS"}

// namespaceOrder is the order a dispatch runs its tasks: nameservers first so
// that records land on LiveDNS, records before web redirections so that a
// redirection sees the records it may conflict with.
var namespaceOrder = []string{"domain:nameservers", "dns:records", "domain:webredirs", "domain:mailboxes"}

var payloadSchema = []spec{
	object("dns:records",
		boolean("default"),
		array("records", object("",
			str("name").req().checked(checkRecordName),
			str("type", recordTypes...).req(),
			array("values", str("")).req(),
			integer("ttl").between(300, 2592000),
		)),
	),
	object("domain:mailboxes",
		array("values", object("", str("login").req().checked(checkNonEmpty))).maxN(2).req(),
	),
	object("domain:nameservers",
		array("addresses", str("").checked(checkNameserver)).req(),
		str("service", "custom", "livedns").req(),
	),
	object("domain:webredirs",
		array("values", object("",
			str("type", "cloak", "http301", "http302").req(),
			str("url").req().checked(checkURL),
			str("host"),
			boolean("override"),
			str("protocol", "http", "https", "httpsonly"),
		)).req(),
	),
}

// checkNameserver accepts a host name, also in absolute form with one
// trailing dot, which is how nameservers are often written.
func checkNameserver(v any) string {
	s, _ := v.(string)
	return hostnameProblem(strings.TrimSuffix(s, "."))
}

// validatePayload checks a template payload against the docs, including the
// rules stated in prose: default xor records, addresses empty for livedns and
// given for custom.
func validatePayload(v *validator, payload map[string]any, prefix string) {
	before := len(v.errs)
	v.object(payload, payloadSchema, prefix)
	if len(v.errs) > before {
		return
	}
	if rec, ok := getObj(payload, "dns:records"); ok {
		_, hasDefault := rec["default"]
		_, hasRecords := rec["records"]
		if hasDefault == hasRecords {
			v.body(join(prefix, "dns:records"), "default and records are mutually exclusive: set one and one only")
		}
	}
	if ns, ok := getObj(payload, "domain:nameservers"); ok {
		service, _ := getStr(ns, "service")
		addrs, _ := getArr(ns, "addresses")
		switch {
		case service == serviceLiveDNS && len(addrs) > 0:
			v.body(join(prefix, "domain:nameservers.addresses"), "Must be empty when service is livedns")
		case service == "custom" && len(addrs) == 0:
			v.body(join(prefix, "domain:nameservers.addresses"), "At least one nameserver is required when service is custom")
		}
	}
}

func payloadNamespaces(payload map[string]any) []string {
	out := []string{}
	for _, ns := range namespaceOrder {
		if _, ok := payload[ns]; ok {
			out = append(out, ns)
		}
	}
	return out
}

// defaultRecords stands in for "Gandi's default DNS records".
func defaultRecords() []DNSRecord {
	return []DNSRecord{
		{Name: "@", Type: "A", TTL: 10800, Values: []string{"192.0.2.38"}},
		{Name: "@", Type: "MX", TTL: 10800, Values: []string{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."}},
		{Name: "@", Type: "TXT", TTL: 10800, Values: []string{`"v=spf1 include:_mailcust.gandi.net ?all"`}},
		{Name: "www", Type: "CNAME", TTL: 10800, Values: []string{"webredir.vip.gandi.net."}},
	}
}

// applyNamespace performs one dispatch task on a domain. It returns the
// task's error message, "" on success.
func applyNamespace(d *domain, ns string, payload map[string]any) string {
	body, _ := getObj(payload, ns)
	switch ns {
	case "domain:nameservers":
		service, _ := getStr(body, "service")
		d.NameserverService = service
		if service == serviceLiveDNS {
			d.Nameservers = slices.Clone(liveDNSNameservers)
		} else {
			addrs, _ := getArr(body, "addresses")
			d.Nameservers = strList(addrs)
		}
	case "dns:records":
		if d.NameserverService != serviceLiveDNS {
			return "The domain does not use LiveDNS; its records cannot be managed."
		}
		if d.RecordsReadOnly {
			return "You may not manage the records of this domain."
		}
		if def, _ := getBool(body, "default"); def {
			d.Records, d.DefaultRecords = defaultRecords(), true
			return ""
		}
		records, _ := getArr(body, "records")
		for _, it := range records {
			r := it.(map[string]any)
			rec := DNSRecord{}
			rec.Name, _ = getStr(r, "name")
			rec.Type, _ = getStr(r, "type")
			rec.TTL, _ = getInt(r, "ttl")
			values, _ := getArr(r, "values")
			rec.Values = strList(values)
			d.upsertRecord(rec)
		}
		d.DefaultRecords = false
	case "domain:mailboxes":
		values, _ := getArr(body, "values")
		for _, it := range values {
			login, _ := getStr(it.(map[string]any), "login")
			if !slices.Contains(d.Mailboxes, login) {
				d.Mailboxes = append(d.Mailboxes, login)
			}
		}
	case "domain:webredirs":
		values, _ := getArr(body, "values")
		for _, it := range values {
			if msg := d.addWebRedirection(it.(map[string]any)); msg != "" {
				return msg
			}
		}
	}
	return ""
}

func (d *domain) upsertRecord(rec DNSRecord) {
	for i, r := range d.Records {
		if r.Name == rec.Name && r.Type == rec.Type {
			d.Records[i] = rec
			return
		}
	}
	d.Records = append(d.Records, rec)
}

// addWebRedirection follows the docs: the redirection creates a DNS record
// for its host, and an existing record is an error unless override is set.
func (d *domain) addWebRedirection(r map[string]any) string {
	w := WebRedirection{}
	w.Type, _ = getStr(r, "type")
	w.URL, _ = getStr(r, "url")
	w.Protocol, _ = getStr(r, "protocol")
	w.Override, _ = getBool(r, "override")
	host, _ := getStr(r, "host")
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	label := "@"
	switch {
	case host == "" || host == d.FQDN:
		host = d.FQDN
	case strings.HasSuffix(host, "."+d.FQDN):
		label = strings.TrimSuffix(host, "."+d.FQDN)
	default:
		// The docs' own example sends a bare label ("www").
		label, host = host, host+"."+d.FQDN
	}
	w.Host = host
	if !w.Override && slices.ContainsFunc(d.Records, func(x DNSRecord) bool { return x.Name == label }) {
		return fmt.Sprintf("A DNS record already exists for %s; set override to replace it.", host)
	}
	d.Records = slices.DeleteFunc(d.Records, func(x DNSRecord) bool { return x.Name == label })
	if label == "@" {
		d.Records = append(d.Records, DNSRecord{Name: label, Type: "A", TTL: 10800, Values: []string{"192.0.2.38"}})
	} else {
		d.Records = append(d.Records, DNSRecord{Name: label, Type: "CNAME", TTL: 10800, Values: []string{"webredir.vip.gandi.net."}})
	}
	d.WebRedirections = slices.DeleteFunc(d.WebRedirections, func(x WebRedirection) bool { return x.Host == host })
	d.WebRedirections = append(d.WebRedirections, w)
	return ""
}
