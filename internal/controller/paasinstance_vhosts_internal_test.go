package controller

import (
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
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

// zoneAlter and override count only in a vhost's create: the spec asking
// for others than what this object sent, or for any on a vhost it did not
// create, is reported, never UpToDate; nothing else is.
func TestVhostOptionProblems(t *testing.T) {
	const fqdn = "www.example.org"
	zoneAlter := hostingv1alpha1.PaaSVhostSpec{FQDN: fqdn, ZoneAlter: true}
	plain := hostingv1alpha1.PaaSVhostSpec{FQDN: fqdn}
	for _, tc := range []struct {
		name string
		spec hostingv1alpha1.PaaSVhostSpec
		// vhosts and options are this object's records.
		vhosts, options string
		state           string // "": Gandi does not list the vhost
		says            string // "": no problem
	}{
		{name: "created as the spec asks", spec: zoneAlter, vhosts: fqdn, options: fqdn + "=zoneAlter", state: paas.StateRunning},
		{name: "created without options, the spec unchanged", spec: plain, vhosts: fqdn, options: fqdn + "=none", state: paas.StateRunning},
		{name: "zoneAlter turned on after the create", spec: zoneAlter, vhosts: fqdn, options: fqdn + "=none", state: paas.StateRunning,
			says: "spec.vhosts www.example.org asks for zoneAlter but the vhost was created with none"},
		{name: "override turned off after the create", spec: zoneAlter, vhosts: fqdn, options: fqdn + "=zoneAlter+override", state: paas.StateRunning,
			says: "remove the vhost from spec.vhosts, wait until status.vhosts no longer lists it, then add it again"},
		{name: "changed while Gandi creates it: reported too", spec: zoneAlter, vhosts: fqdn, options: fqdn + "=none", state: paas.StateBeingCreated,
			says: "was created with none"},
		{name: "on its way out: created again with the spec's once gone", spec: zoneAlter, vhosts: fqdn, options: fqdn + "=none", state: paas.StateBeingDeleted},
		{name: "not at Gandi yet: created with the spec's", spec: zoneAlter, vhosts: fqdn, options: fqdn + "=none"},
		{name: "created by an earlier build, which recorded no options: unknown, not reported", spec: zoneAlter, vhosts: fqdn, state: paas.StateRunning},
		{name: "not created by this object, zoneAlter set: never sent", spec: zoneAlter, state: paas.StateRunning,
			says: "this object did not create the vhost"},
		{name: "not created by this object, nothing asked", spec: plain, state: paas.StateRunning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pi := &hostingv1alpha1.PaaSInstance{Spec: hostingv1alpha1.PaaSInstanceSpec{Vhosts: []hostingv1alpha1.PaaSVhostSpec{tc.spec}}}
			pi.Annotations = map[string]string{}
			if tc.vhosts != "" {
				pi.Annotations[effectAnnotationPrefix+effectPaaSVhosts] = tc.vhosts
			}
			if tc.options != "" {
				pi.Annotations[effectAnnotationPrefix+effectPaaSVhostOptions] = tc.options
			}
			info := &paas.PaasReturn{ID: 7}
			if tc.state != "" {
				info.Vhosts = []paas.PaasVHostShortReturn{{Name: fqdn, State: tc.state}}
			}
			got := vhostOptionProblems(pi, info)
			switch {
			case tc.says == "" && len(got) > 0:
				t.Fatalf("problems = %+v, want none", got)
			case tc.says != "" && (len(got) != 1 || got[0].reason != hostingv1alpha1.ReasonUnsupportedChange || !strings.Contains(got[0].message, tc.says)):
				t.Fatalf("problems = %+v, want one UnsupportedChange saying %q", got, tc.says)
			}
		})
	}
}

func TestVhostOptionsRecord(t *testing.T) {
	options := map[string]vhostOptions{
		"a.example.org": {},
		"b.example.org": {zoneAlter: true},
		"c.example.org": {zoneAlter: true, override: true},
		"gone.example":  {zoneAlter: true},
	}
	record := vhostOptionsRecord(options, []string{"a.example.org", "b.example.org", "c.example.org", "legacy.example.org"})
	if want := "a.example.org=none,b.example.org=zoneAlter,c.example.org=zoneAlter+override"; record != want {
		t.Fatalf("record = %q, want %q (only the listed vhosts, and only those with options)", record, want)
	}
	pi := &hostingv1alpha1.PaaSInstance{}
	pi.Annotations = map[string]string{effectAnnotationPrefix + effectPaaSVhostOptions: record}
	got := recordedVhostOptions(pi)
	delete(options, "gone.example")
	if len(got) != len(options) {
		t.Fatalf("read back %v, want %v", got, options)
	}
	for fqdn, o := range options {
		if got[fqdn] != o {
			t.Fatalf("read back %v, want %v", got, options)
		}
	}
}

func TestOptionsOfEarlierCreate(t *testing.T) {
	const fqdn = "www.example.org"
	recorded := map[string]vhostOptions{fqdn: {zoneAlter: true}, "blog.example.org": {}}
	for _, tc := range []struct {
		name  string
		had   vhostOptions
		known bool
		want  string
	}{
		{"the earlier create recorded none: its options, not the refused create's", vhostOptions{}, true,
			"blog.example.org=none,www.example.org=none"},
		{"an earlier build's record: unknown again", vhostOptions{}, false, "blog.example.org=none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := vhostOptionsRecord(optionsOfEarlierCreate(recorded, fqdn, tc.had, tc.known), []string{"blog.example.org", fqdn})
			if got != tc.want {
				t.Fatalf("record = %q, want %q", got, tc.want)
			}
			if !recorded[fqdn].zoneAlter {
				t.Fatal("the map read is left as it is")
			}
		})
	}
}

func TestDecideListedVhost(t *testing.T) {
	for _, tc := range []struct {
		state   string
		present bool
		want    listedVhostStep
	}{
		{"", false, listedCreate},
		{paas.StateRunning, true, listedOn},
		{paas.StateBeingCreated, true, listedOn},
		{paas.StateBeingDeleted, true, listedRecreate},
	} {
		if got := decideListedVhost(tc.state, tc.present); got != tc.want {
			t.Errorf("decideListedVhost(%q, %v) = %d, want %d", tc.state, tc.present, got, tc.want)
		}
	}
}

// Gandi deletes only a running vhost (paas.vhost.delete on another is
// CAUSE_BADSTATE): a dropped vhost in any other state waits.
func TestDecideDroppedVhost(t *testing.T) {
	for _, tc := range []struct {
		state   string
		present bool
		want    droppedVhostStep
	}{
		{"", false, droppedGone},
		{paas.StateRunning, true, droppedDelete},
		{paas.StateBeingCreated, true, droppedWaitRun},
		{paas.StateLocked, true, droppedWaitRun},
		{paas.StateBeingDeleted, true, droppedDeleting},
	} {
		if got := decideDroppedVhost(tc.state, tc.present); got != tc.want {
			t.Errorf("decideDroppedVhost(%q, %v) = %d, want %d", tc.state, tc.present, got, tc.want)
		}
	}
}

// A running pass sends nothing to a vhost Gandi refuses a change in, and
// says what waits: a listed vhost Gandi deletes (dropped, then listed
// again before it was gone) is not served and is created again once gone;
// a dropped one Gandi still creates is deleted once it runs. Neither is
// UpToDate.
func TestPaaSVhostsInAStateGandiRefusesAreNotUpToDate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		listed []hostingv1alpha1.PaaSVhostSpec
		state  string
		says   string
	}{
		{"a listed vhost Gandi deletes", []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.example.org"}}, paas.StateBeingDeleted,
			"created again once Gandi has deleted it"},
		{"a dropped vhost Gandi creates", nil, paas.StateBeingCreated, "deleted once it runs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pi := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: "web", Generation: 3,
				Annotations: effectRecord(effectPaaSVhosts, "www.example.org")},
				Spec: hostingv1alpha1.PaaSInstanceSpec{Type: "phpmysql", Size: "s", DatacenterID: 1, Vhosts: tc.listed}}
			info := &paas.PaasReturn{ID: 7, Name: "legacy", Size: "s", Type: "phpmysql", State: paas.StateRunning, Datacenter: paas.Datacenter{ID: 1},
				Vhosts: []paas.PaasVHostShortReturn{{Name: "www.example.org", State: tc.state}}}
			// No API: nothing may be sent.
			res := (&PaaSInstanceReconciler{Base: Base{Timing: Timing{Transitional: time.Second}}}).update(t.Context(), nil, pi, info)
			c := pi.Status.Conditions
			if len(c) != 1 || c[0].Reason != hostingv1alpha1.ReasonWaitingForState || !strings.Contains(c[0].Message, "www.example.org") ||
				!strings.Contains(c[0].Message, tc.says) || res.requeue == 0 {
				t.Fatalf("Synced = %+v, requeue %v; want WaitingForState saying %q, looked at again soon", c, res.requeue, tc.says)
			}
		})
	}
}
