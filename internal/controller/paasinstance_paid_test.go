package controller

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// TestDecidePaaSPaidChange runs the shared decision (decidePaid) on what
// splitPaaSPaid takes out of a PaaS comparison: size, quantity and the
// snapshot profile (its disk counts in the billed disk) are paid,
// recorded in that order, and sent in a paas.update of their own; the
// free members stay in the other one.
func TestDecidePaaSPaidChange(t *testing.T) {
	info := &paas.PaasReturn{Name: "site", Size: "s", DataDiskAdditionalSize: 10, SnapshotProfile: &paas.SnapshotProfile{ID: 1}}
	for _, tc := range []struct {
		name                string
		up                  paas.PaasUpdateParams
		fields              []string
		recorded, confirmed string
		hold                paidHold
		free                string // the free fields still sent
		send                string // the paid update's members
		record              string // before the answer
		waiting, unconfirm  string
		held                string
		withdrawn           string // key=recorded value
	}{
		{name: "a rename is free: nothing paid",
			up: paas.PaasUpdateParams{Name: "new"}, fields: []string{"name"}, free: "name"},
		{name: "a resize and a bigger disk are recorded, in the record's order, and sent apart from the name",
			up: paas.PaasUpdateParams{Name: "new", Size: "l", Quantity: gandi.Ptr(20)}, fields: []string{"name", "size", "quantity"},
			free: "name", send: "size=l;quantity=20", record: "size=l;quantity=20"},
		{name: "accepted and not shown yet: waits, sends nothing",
			up: paas.PaasUpdateParams{Size: "l"}, fields: []string{"size"}, recorded: "size=l", confirmed: "size=l",
			record: "size=l", waiting: "size"},
		{name: "its answer lost: unconfirmed, sends nothing",
			up: paas.PaasUpdateParams{Quantity: gandi.Ptr(20)}, fields: []string{"quantity"}, recorded: "quantity=20",
			record: "quantity=20", unconfirm: "quantity"},
		{name: "Gandi shows the disk: settled",
			recorded: "quantity=10", confirmed: "quantity=10"},
		{name: "a resize accepted, then the spec back to the size Gandi still shows: on its way, withdrawn, not sent",
			recorded: "size=l", confirmed: "size=l",
			record: "size=l", withdrawn: "size=l"},
		{name: "a bigger disk while a resize waits: only the disk is sent",
			up: paas.PaasUpdateParams{Size: "l", Quantity: gandi.Ptr(20)}, fields: []string{"size", "quantity"},
			recorded: "size=l", confirmed: "size=l",
			send: "quantity=20", record: "size=l;quantity=20", waiting: "size"},
		{name: "taken hold of again with no record: a resize and a bigger disk are held, not recorded; the name still goes",
			up: paas.PaasUpdateParams{Name: "new", Size: "l", Quantity: gandi.Ptr(20)}, fields: []string{"name", "size", "quantity"},
			hold: paidHold{recorded: true, held: true, until: time.Now().Add(time.Minute)},
			free: "name", held: "size,quantity"},
		{name: "a snapshot profile is paid: recorded and sent apart from the console",
			up: paas.PaasUpdateParams{SnapshotProfile: paas.SetSnapshotProfile(3), Console: gandi.Ptr(true)}, fields: []string{"snapshot_profile", "console"},
			free: "console", send: "snapshot_profile=3", record: "snapshot_profile=3"},
		{name: "removing the snapshot profile is paid too, recorded as profile 0",
			up: paas.PaasUpdateParams{SnapshotProfile: paas.UnsetSnapshotProfile()}, fields: []string{"snapshot_profile"},
			send: "snapshot_profile=0", record: "snapshot_profile=0"},
		{name: "a snapshot profile whose answer was lost: unconfirmed, not sent again",
			up: paas.PaasUpdateParams{SnapshotProfile: paas.SetSnapshotProfile(3)}, fields: []string{"snapshot_profile"}, recorded: "snapshot_profile=3",
			record: "snapshot_profile=3", unconfirm: "snapshot_profile"},
		{name: "taken hold of again with no record: a snapshot profile is held",
			up: paas.PaasUpdateParams{SnapshotProfile: paas.SetSnapshotProfile(3)}, fields: []string{"snapshot_profile"},
			hold: paidHold{recorded: true, held: true, until: time.Now().Add(time.Minute)}, held: "snapshot_profile"},
		{name: "the grace over: the resize is sent",
			up: paas.PaasUpdateParams{Size: "l"}, fields: []string{"size"},
			hold: paidHold{recorded: true, until: time.Now()},
			send: "size=l", record: "size=l"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := tc.up
			paid, free := splitPaaSPaid(&up, tc.fields, info)
			if up.Size != "" || up.Quantity != nil || up.SnapshotProfile != nil || strings.Join(free, ",") != tc.free {
				t.Fatalf("free update %+v fields %v, want only %q", up, free, tc.free)
			}
			plan := decidePaid(paasPaidKeys, tc.recorded, tc.confirmed, tc.hold, paid)
			sent := paasPaidUpdate(plan, paid)
			var members []string
			if sent.Size != "" {
				members = append(members, "size="+sent.Size)
			}
			if sent.Quantity != nil {
				members = append(members, "quantity="+strconv.Itoa(*sent.Quantity))
			}
			switch p := sent.SnapshotProfile.(type) {
			case int:
				members = append(members, "snapshot_profile="+strconv.Itoa(p))
			case string:
				members = append(members, "snapshot_profile=0")
			}
			keys := func(fs []paidField) string {
				out := make([]string, 0, len(fs))
				for _, f := range fs {
					out = append(out, f.key)
				}
				return strings.Join(out, ",")
			}
			withdrawn := func(fs []paidField) string {
				out := make([]string, 0, len(fs))
				for _, f := range fs {
					out = append(out, f.key+"="+f.want)
				}
				return strings.Join(out, ",")
			}
			if got := strings.Join(members, ";"); got != tc.send || plan.record != tc.record ||
				keys(plan.waiting) != tc.waiting || keys(plan.unconfirmed) != tc.unconfirm || keys(plan.held) != tc.held ||
				withdrawn(plan.withdrawn) != tc.withdrawn {
				t.Errorf("sent %q record %q waiting %q unconfirmed %q held %q withdrawn %q", got, plan.record, keys(plan.waiting), keys(plan.unconfirmed), keys(plan.held), withdrawn(plan.withdrawn))
			}
			if !slices.Equal(plan.keys, paasPaidKeys) {
				t.Errorf("keys %v", plan.keys)
			}
		})
	}
}
