package controller

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// TestReadPaidHold: the grace counts from the recorded time; a record that
// is not a time holds until a person removes it.
func TestReadPaidHold(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	grace := 2 * time.Minute
	for _, c := range []struct {
		name   string
		ann    map[string]string
		want   paidHold
		waitOf time.Duration // holdWait with a field held
	}{
		{name: "no record: no hold"},
		{name: "taken hold a minute ago: held for one more",
			ann:  map[string]string{paidHoldKey: now.Add(-time.Minute).Format(time.RFC3339Nano)},
			want: paidHold{recorded: true, held: true, until: now.Add(time.Minute)}, waitOf: time.Minute},
		{name: "taken hold longer ago than the grace: over, the record still there",
			ann:  map[string]string{paidHoldKey: now.Add(-3 * time.Minute).Format(time.RFC3339Nano)},
			want: paidHold{recorded: true, until: now.Add(-time.Minute)}},
		{name: "the grace ends now: over",
			ann:  map[string]string{paidHoldKey: now.Add(-grace).Format(time.RFC3339Nano)},
			want: paidHold{recorded: true, until: now}},
		{name: "a record edited into something else: held, with no end",
			ann:  map[string]string{paidHoldKey: "yesterday"},
			want: paidHold{recorded: true, held: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pi := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Annotations: c.ann}}
			got := readPaidHold(pi, now, grace)
			if got.recorded != c.want.recorded || got.held != c.want.held || !got.until.Equal(c.want.until) {
				t.Fatalf("readPaidHold = %+v, want %+v", got, c.want)
			}
			plan := paidPlan{hold: got, held: []paidField{{key: paasPaidSize, want: "l", shown: "s"}}}
			if w := plan.holdWait(now); got.held && w != c.waitOf {
				t.Errorf("holdWait = %v, want %v", w, c.waitOf)
			}
			if w := (paidPlan{hold: got}).holdWait(now); w != 0 {
				t.Errorf("holdWait with nothing held = %v, want 0", w)
			}
		})
	}
}

// TestPaidHoldTakingHold: the write by which an object takes hold of an
// instance whose past it has no record of starts its paid hold; one
// whose own create made the instance, or a kind without paid changes,
// records none.
func TestPaidHoldTakingHold(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	const uid, other = types.UID("u-now"), "u-backup"
	held := hostingv1alpha1.AnnotationHeldByUID
	hi := func(ann map[string]string) (client.Object, external) {
		o := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{UID: uid, Annotations: ann}}
		return o, &instanceExternal{hi: o}
	}
	pi := func(ann map[string]string) (client.Object, external) {
		o := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{UID: uid, Annotations: ann}}
		return o, &paasExternal{pi: o}
	}
	vh := func(ann map[string]string) (client.Object, external) {
		o := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{UID: uid, Annotations: ann}}
		return o, &vhostExternal{vh: o}
	}
	for _, c := range []struct {
		name    string
		obj     func(map[string]string) (client.Object, external)
		ann     map[string]string
		created bool
		remove  []string
		hold    bool
	}{
		{name: "an instance its own create made: it knows its past, sends at once",
			obj: hi, ann: map[string]string{held: string(uid)}, created: true},
		{name: "an instance adopted (or named in the external-id): held",
			obj: hi, hold: true},
		{name: "an instance its create made, taken hold of again (a backup's UID): held",
			obj: hi, ann: map[string]string{held: other}, created: true, hold: true},
		{name: "a PaaS instance taken hold of again: held",
			obj: pi, ann: map[string]string{held: other}, created: true, hold: true},
		{name: "a stale hold the write drops (records for another instance) is written afresh",
			obj: pi, remove: []string{paidHoldKey}, hold: true},
		{name: "a Vhost has no paid changes: nothing",
			obj: vh},
	} {
		t.Run(c.name, func(t *testing.T) {
			obj, ext := c.obj(c.ann)
			p, _ := withHeldRequests(obj, ext, annotationPatch{remove: c.remove}, "42", c.created, now)
			v, ok := p.set[paidHoldKey]
			if ok != c.hold || (ok && v != "2026-12-02T10:00:00Z") {
				t.Fatalf("set = %v, want a hold from now: %v", p.set, c.hold)
			}
			for _, k := range p.remove {
				if k == paidHoldKey && c.hold {
					t.Errorf("remove = %v beside the hold it sets", p.remove)
				}
			}
		})
	}
}

// TestHeldProblem: Synced names the fields held and until when, or, for a
// record that is not a time, how to release them.
func TestHeldProblem(t *testing.T) {
	until := time.Date(2026, 12, 2, 10, 2, 0, 0, time.UTC)
	fields := []paidField{{key: paasPaidSize, want: "l"}, {key: paasPaidQuantity, want: "20"}}
	p := heldProblem(paidPlan{held: fields, hold: paidHold{recorded: true, held: true, until: until}}, describePaaSPaid)
	if p.reason != hostingv1alpha1.ReasonPaidChangeHeld {
		t.Errorf("reason %s", p.reason)
	}
	checkMentions(t, p.message, []string{"the paid change to size l, additional disk 20 GB waits until 2026-12-02T10:02:00Z",
		"no record of the paid changes sent to it before", "it is sent then unless the instance shows it by then"}, nil)
	p = heldProblem(paidPlan{held: fields[:1], hold: paidHold{recorded: true, held: true}}, describePaaSPaid)
	checkMentions(t, p.message, []string{"size l is held", paidHoldKey + " is not an RFC 3339 time", "remove it"}, []string{"waits until"})

	ok, reason, _ := syncedVerdict("instance", nil, []problem{p, {hostingv1alpha1.ReasonUnsupportedChange, "x"}})
	if ok || reason != hostingv1alpha1.ReasonUnsupportedChange {
		t.Errorf("Synced reason %s: what needs the user comes before a held change", reason)
	}
}
