package controller

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

func TestDecideRefusedVhostRecordsOnlyWhatThisObjectMayHaveCreated(t *testing.T) {
	cases := []struct {
		name string
		// earlier: an earlier create of this object, whose answer was
		// lost, recorded the name.
		earlier bool
		// now is where paas.vhost.info shows the vhost after the refusal.
		now      vhostPlace
		recorded bool
		conflict bool
	}{
		{name: "refused, first attempt: someone else's, not recorded", now: vhostNowhere, conflict: true},
		{name: "refused, first attempt, now listed here: still not this object's (it never sent a create before)", now: vhostOnThisInstance, conflict: true},
		{name: "refused, first attempt, not looked up: someone else's", now: vhostNotRead, conflict: true},
		{name: "refused after an earlier attempt, now listed here: that attempt made it", earlier: true, now: vhostOnThisInstance, recorded: true},
		{name: "refused after an earlier attempt, seen nowhere: elsewhere, the record goes", earlier: true, now: vhostNowhere, conflict: true},
		{name: "refused after an earlier attempt, on another instance: the record goes", earlier: true, now: vhostOnAnotherInstance, conflict: true},
		{name: "refused after an earlier attempt, where it is unreadable: the record stays until a pass can tell", earlier: true, now: vhostUnknown, recorded: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := decideRefusedVhost(tc.earlier, tc.now)
			if d.record != tc.recorded {
				t.Fatalf("recorded = %v, want %v", d.record, tc.recorded)
			}
			if d.conflict != tc.conflict {
				t.Fatalf("conflict reported = %v, want %v", d.conflict, tc.conflict)
			}
		})
	}
}

func TestRefusedUnseen(t *testing.T) {
	at := &metav1.Time{Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	conflicts := []hostingv1alpha1.PaaSVhostConflict{
		{FQDN: "seen.example.org", InstanceID: "42"},
		{FQDN: "unseen.example.org", RefusedAt: at},
		{FQDN: "old.example.org"},
	}
	for _, tc := range []struct {
		fqdn    string
		at      *metav1.Time
		refused bool
	}{
		{"seen.example.org", nil, false},
		{"unseen.example.org", at, true},
		{"old.example.org", nil, true},
		{"other.example.org", nil, false},
	} {
		got, refused := refusedUnseen(conflicts, tc.fqdn)
		if refused != tc.refused || got != tc.at {
			t.Errorf("refusedUnseen(%s) = %v, %v; want %v, %v", tc.fqdn, got, refused, tc.at, tc.refused)
		}
	}
}

// status.vhostConflicts keeps what this pass found, what earlier passes
// found for listed vhosts it did not get to, and nothing for a vhost no
// longer listed.
func TestKeepConflicts(t *testing.T) {
	unseen := func(fqdn string) hostingv1alpha1.PaaSVhostConflict {
		return hostingv1alpha1.PaaSVhostConflict{FQDN: fqdn}
	}
	pi := &hostingv1alpha1.PaaSInstance{
		Spec: hostingv1alpha1.PaaSInstanceSpec{Vhosts: []hostingv1alpha1.PaaSVhostSpec{{FQDN: "a.example.org"}, {FQDN: "b.example.org"}, {FQDN: "c.example.org"}}},
		Status: hostingv1alpha1.PaaSInstanceStatus{VhostConflicts: []hostingv1alpha1.PaaSVhostConflict{
			unseen("a.example.org"), unseen("c.example.org"), unseen("gone.example.org")}},
	}
	p := &paasPass{r: &PaaSInstanceReconciler{}, pi: pi}
	p.conflict(hostingv1alpha1.PaaSVhostConflict{FQDN: "b.example.org", InstanceID: "42"}, "served by 42")
	// a was handled (now served here), b found in conflict, c not reached.
	p.keepConflicts(map[string]bool{"a.example.org": true, "b.example.org": true})
	want := []hostingv1alpha1.PaaSVhostConflict{{FQDN: "b.example.org", InstanceID: "42"}, unseen("c.example.org")}
	if !slices.Equal(pi.Status.VhostConflicts, want) {
		t.Fatalf("vhostConflicts = %+v, want %+v", pi.Status.VhostConflicts, want)
	}
	if len(p.problems) != 1 || p.problems[0].reason != hostingv1alpha1.ReasonVhostConflict {
		t.Fatalf("problems = %+v, want one VhostConflict", p.problems)
	}
}

// A refused create and a look-up record the conflict of a name by where
// Gandi shows it, the same way: a name visible on another instance is that
// instance's conflict whichever found it (so the next pass's look-up knows
// it, and sends no second event); only a name this key cannot see is a
// refusal, with its time.
func TestVhostConflictAt(t *testing.T) {
	at := &metav1.Time{Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	elsewhere := vhostWhere{place: vhostOnAnotherInstance, paasID: 42}
	cases := []struct {
		name      string
		where     vhostWhere
		refusedAt *metav1.Time
		want      hostingv1alpha1.PaaSVhostConflict
	}{
		{name: "seen elsewhere by the look-up", where: elsewhere, want: hostingv1alpha1.PaaSVhostConflict{FQDN: "www.example.org", InstanceID: "42"}},
		{name: "seen elsewhere after a refusal: the look-up's conflict", where: elsewhere, refusedAt: at,
			want: hostingv1alpha1.PaaSVhostConflict{FQDN: "www.example.org", InstanceID: "42"}},
		{name: "refused, seen nowhere", where: vhostWhere{place: vhostNowhere}, refusedAt: at, want: hostingv1alpha1.PaaSVhostConflict{FQDN: "www.example.org", RefusedAt: at}},
		{name: "refused, where it is unreadable", where: vhostWhere{place: vhostUnknown}, refusedAt: at, want: hostingv1alpha1.PaaSVhostConflict{FQDN: "www.example.org", RefusedAt: at}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := vhostConflictAt("www.example.org", tc.where, tc.refusedAt)
			if got.FQDN != tc.want.FQDN || got.InstanceID != tc.want.InstanceID || got.RefusedAt != tc.want.RefusedAt {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
