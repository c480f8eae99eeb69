package controller

import (
	"encoding/json"
	"strings"
	"testing"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

func TestPayloadHashIsSemantic(t *testing.T) {
	a := gandi.TemplatePayload{
		DNSRecords: &gandi.DNSRecordsNS{Records: []gandi.DNSRecord{
			{Name: "@", Type: "MX", Values: []string{"50 fb.mail.gandi.net.", "10 spool.mail.gandi.net."}},
			{Name: "www", Type: "cname", TTL: 300, Values: []string{"example.net."}},
		}},
		Mailboxes:   &gandi.MailboxesNS{Values: []gandi.Mailbox{{Login: "contact"}, {Login: "alice"}}},
		Nameservers: &gandi.NameserversNS{Service: "custom", Addresses: []string{"NS2.example.net.", "ns1.example.net"}},
	}
	b := gandi.TemplatePayload{
		DNSRecords: &gandi.DNSRecordsNS{Records: []gandi.DNSRecord{
			{Name: "www", Type: "CNAME", TTL: 300, Values: []string{"example.net."}},
			{Name: "@", Type: "MX", TTL: defaultRecordTTL, Values: []string{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."}},
		}},
		Mailboxes:   &gandi.MailboxesNS{Values: []gandi.Mailbox{{Login: "alice"}, {Login: "contact"}}},
		Nameservers: &gandi.NameserversNS{Service: "custom", Addresses: []string{"ns1.example.net", "ns2.example.net"}},
	}
	if payloadHash(a) != payloadHash(b) {
		t.Fatalf("same payload in another order hashes differently:\n%v\n%v", normalizePayload(a), normalizePayload(b))
	}
	if d := payloadDifferences(a, b); len(d) != 0 {
		t.Fatalf("differences %v between equal payloads", d)
	}
	b.DNSRecords.Records[0].TTL = 600
	if payloadHash(a) == payloadHash(b) {
		t.Fatal("a changed ttl does not change the hash")
	}
	if d := payloadDifferences(a, b); len(d) != 1 || d[0] != gandi.NamespaceDNSRecords {
		t.Fatalf("differences = %v, want [dns:records]", d)
	}
	if !strings.HasPrefix(payloadHash(a), "sha256:") {
		t.Fatalf("hash %q", payloadHash(a))
	}
}

func TestDesiredPayloadLiveDNSSendsEmptyAddresses(t *testing.T) {
	p := desiredPayload(hostingv1alpha1.TemplatePayload{
		Nameservers: &hostingv1alpha1.NameserversPayload{Service: "livedns"},
		DNSRecords:  &hostingv1alpha1.DNSRecordsPayload{Default: ptrTo(true)},
	})
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"dns:records":{"default":true},"domain:nameservers":{"addresses":[],"service":"livedns"}}`
	if string(data) != want {
		t.Fatalf("payload = %s, want %s", data, want)
	}
}

func TestDispatchOutcome(t *testing.T) {
	d := &gandi.Dispatch{
		Payload: gandi.TemplatePayload{DNSRecords: &gandi.DNSRecordsNS{Default: true}, Mailboxes: &gandi.MailboxesNS{}},
		TaskStatus: map[string]gandi.TaskStatus{
			gandi.NamespaceDNSRecords: {Status: gandi.DispatchDone},
		},
	}
	if got := overallState(d); got != hostingv1alpha1.DispatchRunning {
		t.Fatalf("a namespace without a task status yet: state %s, want Running", got)
	}
	d.TaskStatus[gandi.NamespaceMailboxes] = gandi.TaskStatus{Status: gandi.DispatchError}
	d.TaskHistory = []gandi.TaskHistoryEntry{
		{Namespace: gandi.NamespaceMailboxes, Status: gandi.DispatchRunning},
		{Namespace: gandi.NamespaceMailboxes, Status: gandi.DispatchError, Message: "quota reached"},
	}
	ta := &hostingv1alpha1.TemplateApplication{}
	dispatchToStatus(ta, "d1", d)
	if ta.Status.Dispatch.State != hostingv1alpha1.DispatchError {
		t.Fatalf("state %s, want Error", ta.Status.Dispatch.State)
	}
	msg := dispatchFailures(ta.Status.Dispatch)
	if !strings.Contains(msg, "domain:mailboxes: quota reached") || strings.Contains(msg, "dns:records") {
		t.Fatalf("failures %q", msg)
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestAddressProblem(t *testing.T) {
	for _, c := range []struct {
		name, typ string
		values    []string
		bad       bool
	}{
		{"IPv4 in an A record", "A", []string{"203.0.113.1", "198.51.100.7"}, false},
		{"a host name in an A record", "A", []string{"203.0.113.1", "shop.example.com"}, true},
		{"IPv6 in an A record", "A", []string{"2001:db8::1"}, true},
		{"a CIDR in an A record", "A", []string{"203.0.113.0/24"}, true},
		{"IPv6 in an AAAA record", "AAAA", []string{"2001:db8::1"}, false},
		{"IPv4 in an AAAA record", "AAAA", []string{"203.0.113.1"}, true},
		{"a zoned address in an AAAA record", "AAAA", []string{"fe80::1%eth0"}, true},
		{"anything in a CNAME", "CNAME", []string{"webredir.vip.gandi.net."}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := hostingv1alpha1.TemplatePayload{DNSRecords: &hostingv1alpha1.DNSRecordsPayload{
				Records: []hostingv1alpha1.DNSRecord{{Name: "@", Type: c.typ, Values: c.values}}}}
			if err := addressProblem(p); (err != nil) != c.bad {
				t.Fatalf("addressProblem(%s %v) = %v, want a problem: %v", c.typ, c.values, err, c.bad)
			}
		})
	}
}
