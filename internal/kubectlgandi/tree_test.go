package kubectlgandi

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

func TestNeededRecords(t *testing.T) {
	tests := []struct {
		name string
		dns  *hostingv1alpha1.VhostDNSStatus
		want []dnsRecord
	}{
		{name: "nothing reported", dns: nil},
		{name: "found by Gandi", dns: &hostingv1alpha1.VhostDNSStatus{Domain: "example.com", Key: "www", CNAME: "x.", LastCheckedStatus: "livedns_done"}},
		{name: "published by hand", dns: &hostingv1alpha1.VhostDNSStatus{Domain: "example.com", Key: "www", CNAME: "x.", LastCheckedStatus: "altered"}},
		{
			name: "below the root: a CNAME and the ownership TXT",
			dns:  &hostingv1alpha1.VhostDNSStatus{Domain: "example.com", Key: "www", CNAME: "x.", TXT: "proof", LastCheckedStatus: "unknown"},
			want: []dnsRecord{{"www.example.com", "CNAME x."}, {"www.example.com", `TXT "proof"`}},
		},
		{
			name: "at the root: A and AAAA",
			dns:  &hostingv1alpha1.VhostDNSStatus{Domain: "example.com", Key: "@", IsRoot: true, IPv4: "192.0.2.1", IPv6: "2001:db8::1", LastCheckedStatus: "livedns_error"},
			want: []dnsRecord{{"example.com", "A 192.0.2.1"}, {"example.com", "AAAA 2001:db8::1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, neededRecords(tt.dns), cmp.AllowUnexported(dnsRecord{})); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestInstanceTreeFindsItsVhostsOnly(t *testing.T) {
	ready := []metav1.Condition{{Type: hostingv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Available"}}
	hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "web"}}
	hi.Status.ID, hi.Status.Conditions = "inst-1", ready
	vh := func(ns, name, ref, id string) hostingv1alpha1.Vhost {
		v := hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
		if ref != "" {
			v.Spec.InstanceRef = &hostingv1alpha1.LocalObjectReference{Name: ref}
		}
		v.Spec.InstanceID = id
		return v
	}
	byID := vh("web", "a-by-id", "", "inst-1")
	byID.Status.Conditions = []metav1.Condition{
		{Type: hostingv1alpha1.ConditionSynced, Status: metav1.ConditionTrue, Reason: "UpToDate"},
		{Type: hostingv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: "WaitingForOwnership", Message: "publish the TXT record"},
	}
	byID.Status.DNS = &hostingv1alpha1.VhostDNSStatus{Domain: "example.com", Key: "a", CNAME: "edge.", LastCheckedStatus: "unknown"}
	tree := InstanceTree(hi, []hostingv1alpha1.Vhost{
		vh("web", "z-by-ref", "shop", ""),
		byID,
		vh("web", "other", "blog", ""),
		vh("elsewhere", "same-name", "shop", ""),
	})
	var b strings.Builder
	if err := PrintTrees(&b, []Node{tree}, false); err != nil {
		t.Fatal(err)
	}
	want := `NAME                           SYNCED           READY                        STATUS
HostingInstance/shop           Unknown          True (Available)
├─ Vhost/a-by-id               True (UpToDate)  False (WaitingForOwnership)  publish the TXT record
│  └─ DNSRecord/a.example.com  -                -                            needed: CNAME edge.
└─ Vhost/z-by-ref              Unknown          Unknown
`
	if d := cmp.Diff(want, b.String()); d != "" {
		t.Errorf("(-want +got):\n%s\ngot:\n%s", d, b.String())
	}
}
