package controller

import (
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

func TestDecideFree(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	const patience = 15 * time.Minute
	recent, old := now.Add(-time.Minute), now.Add(-patience)
	name := freeField{"name", "renamed"}
	snap := freeField{"snapshot_enabled", "true"}
	for _, tc := range []struct {
		name           string
		want           []freeField
		sent           map[string]freeSent
		send, onItsWay string
		keep           string
	}{
		{name: "nothing sent before: sent", want: []freeField{name, snap}, send: "name,snapshot_enabled"},
		{name: "accepted within the patience, not shown yet: on its way, not sent again",
			want: []freeField{name, snap}, sent: map[string]freeSent{"name": {"renamed", recent}},
			send: "snapshot_enabled", onItsWay: "name", keep: "name"},
		{name: "the patience ran out: sent again",
			want: []freeField{name}, sent: map[string]freeSent{"name": {"renamed", old}}, send: "name"},
		{name: "the spec asks for another value since: the new one is sent",
			want: []freeField{name}, sent: map[string]freeSent{"name": {"earlier", recent}}, send: "name"},
		{name: "Gandi shows it (no longer a difference): forgotten, so a later drift is sent",
			sent: map[string]freeSent{"name": {"renamed", recent}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := decideFree(tc.want, freeView{sent: tc.sent, now: now, patience: patience})
			var kept []string
			for k := range d.keep {
				kept = append(kept, k)
			}
			if got := strings.Join(freeKeys(d.send), ","); got != tc.send {
				t.Errorf("send %q, want %q", got, tc.send)
			}
			if got := strings.Join(freeKeys(d.onItsWay), ","); got != tc.onItsWay {
				t.Errorf("on its way %q, want %q", got, tc.onItsWay)
			}
			if got := strings.Join(kept, ","); got != tc.keep {
				t.Errorf("kept %q, want %q", got, tc.keep)
			}
		})
	}
}

func TestFreeChangesMemory(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	const patience = time.Minute
	f := newFreeChanges()
	f.keep("a", nil, []freeField{{"name", "x"}}, now, patience)
	f.keep("b", nil, []freeField{{"console", "true"}}, now.Add(30*time.Second), patience)
	if !f.onItsWay("a", now.Add(time.Second), patience) || f.onItsWay("c", now, patience) {
		t.Fatal("a has a value on its way, c none")
	}
	v := f.view("a", now, patience)
	v.sent["name"] = freeSent{value: "changed"}
	if f.view("a", now, patience).sent["name"].value != "x" {
		t.Fatal("a view is a copy")
	}
	// b's pass, past a's patience: a's value, whose object may be gone, is
	// forgotten with it.
	f.keep("b", map[string]freeSent{"console": {"true", now.Add(30 * time.Second)}}, nil, now.Add(61*time.Second), patience)
	if _, ok := f.byObject[types.UID("a")]; ok || len(f.byObject["b"]) != 1 {
		t.Fatalf("memory %+v", f.byObject)
	}
	var none *freeChanges
	none.keep("a", nil, []freeField{{"name", "x"}}, now, patience)
	if none.onItsWay("a", now, patience) {
		t.Fatal("a nil memory remembers nothing")
	}
}

// A free value Gandi accepted and does not show yet is left out of the
// PATCH, and Synced says it is on its way.
func TestPlanInstanceFreeOnItsWay(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	hi, _ := planned(t, planCase{spec: func(hi *hostingv1alpha1.HostingInstance) {
		hi.Spec.Name = "renamed"
		hi.Spec.SnapshotEnabled = ptrTo(true)
	}}, hostingv1alpha1.ManagementPolicyManage)
	inst := &gandi.Instance{ID: "i", Name: "site", Status: gandi.InstanceActive, Size: "starter"}
	v := freeView{sent: map[string]freeSent{"name": {"renamed", now.Add(-time.Minute)}}, now: now, patience: 15 * time.Minute}
	plan := planInstance(hi, inst, v, paidHold{})
	if plan.patch.Name != "" || plan.patch.SnapshotEnabled == nil || strings.Join(plan.freeFields, ",") != "snapshot_enabled" {
		t.Fatalf("patch %+v, fields %v", plan.patch, plan.freeFields)
	}
	if len(plan.freeWaits) != 1 || plan.freeWaits[0].reason != hostingv1alpha1.ReasonUpdating ||
		!strings.Contains(plan.freeWaits[0].message, "Gandi accepted name renamed at 2026-12-02T09:59:00Z; waiting for the instance to show it (sent again if it does not by 2026-12-02T10:14:00Z)") {
		t.Fatalf("waits %+v", plan.freeWaits)
	}
	inst.Status = gandi.InstanceLocked
	reportInstanceHeld(hi, inst.Status, planInstance(hi, inst, v, paidHold{}))
	checkSynced(t, hi, planCase{reason: hostingv1alpha1.ReasonWaitingForState, says: "Gandi accepted name renamed"})
}
