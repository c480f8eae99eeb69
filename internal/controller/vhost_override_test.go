package controller

import (
	"strings"
	"testing"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// The override is sent for a conflict Gandi reports, once, and its record
// settles from what Gandi shows; Gandi never shows the override itself.
func TestDecideDNSOverride(t *testing.T) {
	sent := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	rec := overrideRecord("i1", sent)
	on := &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true, AllowAlterationOverride: true}
	zone := func(status string, checked time.Time) *gandi.LinkedDNSZone {
		z := &gandi.LinkedDNSZone{AllowAlteration: true, LastCheckedStatus: status, Domain: "example.com", Key: "www"}
		if !checked.IsZero() {
			z.LastCheckedAt = &gandi.Time{Time: checked}
		}
		return z
	}
	before, after := sent.Add(-time.Hour), sent.Add(5*time.Second)
	for _, c := range []struct {
		name                string
		spec                *hostingv1alpha1.LinkedDNSZone
		shown               *gandi.LinkedDNSZone
		recorded, confirmed string
		send, settled       bool
		reason, says        string
	}{
		{name: "a conflict, the override asked: sent", spec: on, shown: zone(dnsConflict, before), send: true},
		{name: "no override asked: nothing", spec: &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}, shown: zone(dnsConflict, before)},
		{name: "the override without allowAlteration has no effect at Gandi: nothing",
			spec: &hostingv1alpha1.LinkedDNSZone{AllowAlterationOverride: true}, shown: zone(dnsConflict, before)},
		{name: "no conflict: nothing to replace", spec: on, shown: zone("livedns_done", before)},
		{name: "the zone not linked at Gandi: nothing (allow_alteration is sent with it)", spec: on, shown: nil},
		{name: "sent, accepted, Gandi not checked since: waits, not sent again",
			spec: on, shown: zone(dnsConflict, before), recorded: rec, confirmed: rec,
			reason: hostingv1alpha1.ReasonUpdating, says: "has not checked the zone since"},
		{name: "sent, accepted, Gandi checked since and still finds the conflict: reported, not sent again",
			spec: on, shown: zone(dnsConflict, after), recorded: rec, confirmed: rec,
			reason: hostingv1alpha1.ReasonConflict, says: "still reports livedns_conflict: the record at www was not replaced"},
		{name: "its answer lost: unconfirmed, not sent again",
			spec: on, shown: zone(dnsConflict, after), recorded: rec,
			reason: hostingv1alpha1.ReasonActionUnconfirmed, says: "set linkedDNSZone.allowAlterationOverride to false, then back to true"},
		{name: "Gandi shows the zone fixed: settled", spec: on, shown: zone("livedns_done", after), recorded: rec, confirmed: rec, settled: true},
		{name: "the override no longer asked: settled, so that asking again sends it",
			spec: &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}, shown: zone(dnsConflict, after), recorded: rec, confirmed: rec, settled: true},
		{name: "a record made on another instance holds nothing back here: sent",
			spec: on, shown: zone(dnsConflict, after), recorded: overrideRecord("i0", sent), confirmed: overrideRecord("i0", sent), send: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := decideDNSOverride(c.spec, c.shown, "i1", c.recorded, c.confirmed)
			if d.send != c.send || d.settled != c.settled {
				t.Fatalf("send %v settled %v, want %v %v", d.send, d.settled, c.send, c.settled)
			}
			switch {
			case c.reason == "" && d.problem != nil:
				t.Fatalf("problem %+v, want none", *d.problem)
			case c.reason != "" && (d.problem == nil || d.problem.reason != c.reason || !strings.Contains(d.problem.message, c.says)):
				t.Fatalf("problem %+v, want %s saying %q", d.problem, c.reason, c.says)
			}
		})
	}
}

// Only a PATCH that asks Gandi to replace a record goes as the override.
func TestCarriesOverride(t *testing.T) {
	for _, c := range []struct {
		z    *hostingv1alpha1.LinkedDNSZone
		want bool
	}{
		{nil, false},
		{&hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}, false},
		{&hostingv1alpha1.LinkedDNSZone{AllowAlterationOverride: true}, false},
		{&hostingv1alpha1.LinkedDNSZone{AllowAlteration: true, AllowAlterationOverride: true}, true},
	} {
		if got := carriesOverride(gandi.UpdateVhostRequest{LinkedDNSZone: linkedZone(c.z)}); got != c.want {
			t.Errorf("%+v: carries the override %v, want %v", c.z, got, c.want)
		}
	}
}
