package controller

import (
	"maps"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// TestConfirmedRotation: what status reports as the password Gandi last
// accepted, from the annotations a pass finds.
func TestConfirmedRotation(t *testing.T) {
	record, confirmed := effectAnnotationPrefix+effectPassword, confirmedKey(effectPassword)
	cases := []struct {
		name string
		ann  map[string]string
		want string
	}{
		{"never sent", nil, ""},
		{"an earlier build's record, which it reported applied", map[string]string{record: "u/1"}, "u/1"},
		{"sent with the create", acceptedRecord(effectPassword, "u/1"), "u/1"},
		{"a rotation accepted", map[string]string{record: "u/2", confirmed: "u/2"}, "u/2"},
		{"a rotation whose acceptance was never seen", map[string]string{record: "u/2", confirmed: "u/1"}, "u/1"},
		{"the first rotation ever, unconfirmed", map[string]string{record: "u/1", confirmed: ""}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Annotations: c.ann}}
			if got := confirmedRotation(hi, effectPassword); got != c.want {
				t.Fatalf("confirmedRotation = %q, want %q", got, c.want)
			}
		})
	}
}

// TestDecideRotation: what a pass does about the value a rotation wants (a
// password Secret revision, an SSH key list's version), one rule for both.
func TestDecideRotation(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		want, confirmed, recorded string
		same                      bool
		expect                    rotationDecision
	}{
		{"the value Gandi accepted", "u/2", "u/2", "u/2", false, rotationAccepted},
		{"a new value", "u/3", "u/2", "u/2", false, rotationSend},
		{"a new password revision with the value Gandi has (a label, a recreate): the record moves", "u/3", "u/2", "u/2", true, rotationSameValue},
		{"a value recorded as maybe sent: never sent again", "u/3", "u/2", "u/3", true, rotationUnconfirmed},
		{"the first value ever, maybe sent: never sent again", "u/1", "", "u/1", false, rotationUnconfirmed},
		{"after one maybe sent, a password revision with the value of the accepted one: sent, Gandi may have the other", "u/4", "u/2", "u/3", true, rotationSend},
		{"after one maybe sent, set back to the value Gandi accepted (an SSH key list): sent, Gandi may have the other", "u/2", "u/2", "u/3", false, rotationSend},
		{"an earlier build's record, with no confirmation (confirmedRotation gives the record)", "u/2", "u/2", "u/2", false, rotationAccepted},
		{"no record (re-pointed to another instance)", "u/2", "", "", false, rotationSend},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decideRotation(tc.want, tc.confirmed, tc.recorded, tc.same); got != tc.expect {
				t.Fatalf("decideRotation = %d, want %d", got, tc.expect)
			}
		})
	}
}

// TestBaselineRecords: which request values an object's spec holds when it
// takes hold of a Gandi object it did not create are not performed there.
func TestBaselineRecords(t *testing.T) {
	restart := effectAnnotationPrefix + effectRestart
	boost := func(on bool) *hostingv1alpha1.BoosterSpec { return &hostingv1alpha1.BoosterSpec{Enabled: on} }
	booster := effectAnnotationPrefix + effectBooster
	cases := []struct {
		name   string
		spec   hostingv1alpha1.HostingInstanceSpec
		ann    map[string]string
		last   *hostingv1alpha1.LastActions
		want   map[string]string
		fields []string
	}{
		{name: "no request", want: nil},
		{name: "performed by an earlier version, whose record is the status: an upgrade reports nothing",
			spec: hostingv1alpha1.HostingInstanceSpec{RestartRequest: "r1", ConsoleRequest: "c2"},
			last: &hostingv1alpha1.LastActions{Restart: "r1", Console: "c1"},
			want: map[string]string{baselineKey(effectConsole): "c2"}, fields: []string{"spec.consoleRequest"}},
		{name: "a restart and a database reset from a manifest re-applied without its records",
			spec:   hostingv1alpha1.HostingInstanceSpec{RestartRequest: "r1", ResetDatabasePasswordRequest: "d1"},
			want:   map[string]string{baselineKey(effectRestart): "r1", baselineKey(effectResetDatabasePassword): "d1"},
			fields: []string{"spec.restartRequest", "spec.resetDatabasePasswordRequest"}},
		{name: "performed on the former object: its record stays and keeps it from repeating",
			spec: hostingv1alpha1.HostingInstanceSpec{RestartRequest: "r1"},
			ann:  map[string]string{restart: "r1", confirmedKey(effectRestart): "r1"}},
		{name: "maybe sent to the former object: never sent again anyway",
			spec: hostingv1alpha1.HostingInstanceSpec{RestartRequest: "r1"},
			ann:  map[string]string{restart: "r1"}},
		{name: "a value asked after the former object's",
			spec:   hostingv1alpha1.HostingInstanceSpec{ConsoleRequest: "c2"},
			ann:    map[string]string{effectAnnotationPrefix + effectConsole: "c1", confirmedKey(effectConsole): "c1"},
			want:   map[string]string{baselineKey(effectConsole): "c2"},
			fields: []string{"spec.consoleRequest"}},
		{name: "booster enabled with no record (a manifest re-applied): held in the booster record itself, not bought",
			spec: hostingv1alpha1.HostingInstanceSpec{Booster: boost(true)},
			want: map[string]string{booster: boosterBaseline}, fields: []string{"spec.booster.enabled"}},
		{name: "booster enabled, recorded off (a backup from before the last turn-on): held",
			spec: hostingv1alpha1.HostingInstanceSpec{Booster: boost(true), RestartRequest: "r1"},
			ann:  map[string]string{booster: boosterOff},
			want: map[string]string{booster: boosterBaseline, baselineKey(effectRestart): "r1"}, fields: []string{"spec.restartRequest", "spec.booster.enabled"}},
		{name: "booster enabled, its boost delivered: never bought again anyway",
			spec: hostingv1alpha1.HostingInstanceSpec{Booster: boost(true)},
			ann:  map[string]string{booster: "delivered:2026-12-14T03:00:00Z"}},
		{name: "booster enabled, already held",
			spec: hostingv1alpha1.HostingInstanceSpec{Booster: boost(true)},
			ann:  map[string]string{booster: boosterBaseline}},
		{name: "booster asked off, or left alone: nothing to hold",
			spec: hostingv1alpha1.HostingInstanceSpec{Booster: boost(false)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Annotations: c.ann}, Spec: c.spec}
			hi.Status.LastActions = c.last
			got, held := baselineRecords(hi, &instanceExternal{hi: hi})
			if !maps.Equal(got, c.want) {
				t.Errorf("records = %v, want %v", got, c.want)
			}
			var fields []string
			for _, q := range held {
				fields = append(fields, q.field)
			}
			if !slices.Equal(fields, c.fields) {
				t.Errorf("held = %v, want %v", fields, c.fields)
			}
		})
	}
	renew := func(request string) string {
		return `{"request":"` + request + `","dateEnd":"2027-01-01T00:00:00Z","sentAt":"2026-01-01T00:00:00Z"}`
	}
	paasCases := []struct {
		name string
		spec hostingv1alpha1.PaaSInstanceSpec
		ann  map[string]string
		last *hostingv1alpha1.PaaSLastRequests
		want map[string]string
	}{
		{name: "a restart and a renewal the status shows performed (an earlier version's record)",
			spec: hostingv1alpha1.PaaSInstanceSpec{RestartRequest: "r1", Renew: &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "12m"}},
			last: &hostingv1alpha1.PaaSLastRequests{Restart: "r1", Renew: "2028"}},
		{name: "a renewal and a restart from a manifest re-applied without its records",
			spec: hostingv1alpha1.PaaSInstanceSpec{RestartRequest: "r1", Renew: &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "12m"}},
			want: map[string]string{baselineKey(effectRestart): "r1", baselineKey(effectRenew): "2028"}},
		{name: "a renewal recorded (a JSON record naming it): never sent again anyway",
			spec: hostingv1alpha1.PaaSInstanceSpec{Renew: &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "12m"}},
			ann:  map[string]string{effectAnnotationPrefix + effectRenew: renew("2028")}},
		{name: "a renewal confirmed",
			spec: hostingv1alpha1.PaaSInstanceSpec{Renew: &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "12m"}},
			ann:  map[string]string{effectAnnotationPrefix + effectRenew: renew("2029"), confirmedKey(effectRenew): renew("2028")}},
		{name: "a renewal asked after the recorded one",
			spec: hostingv1alpha1.PaaSInstanceSpec{Renew: &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "12m"}},
			ann:  map[string]string{effectAnnotationPrefix + effectRenew: renew("2027"), confirmedKey(effectRenew): renew("2027")},
			want: map[string]string{baselineKey(effectRenew): "2028"}},
		{name: "a renewal asked before the recorded one (set back to it): never sent again anyway, not held as another's",
			spec: hostingv1alpha1.PaaSInstanceSpec{Renew: &hostingv1alpha1.PaaSRenewRequest{Request: "2027", Duration: "12m"}},
			ann: map[string]string{effectAnnotationPrefix + effectRenew: `{"request":"2028","dateEnd":"2027-01-01T00:00:00Z","sentAt":"2026-01-01T00:00:00Z","earlier":["2027"]}`,
				confirmedKey(effectRenew): `{"request":"2028","dateEnd":"2027-01-01T00:00:00Z","sentAt":"2026-01-01T00:00:00Z","earlier":["2027"]}`}},
	}
	for _, c := range paasCases {
		t.Run("PaaSInstance: "+c.name, func(t *testing.T) {
			pi := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Annotations: c.ann}, Spec: c.spec}
			pi.Status.LastRequests = c.last
			if got, _ := baselineRecords(pi, &paasExternal{pi: pi}); !maps.Equal(got, c.want) {
				t.Errorf("records = %v, want %v", got, c.want)
			}
		})
	}
	t.Run("Vhost: a cache purge the status shows performed (an earlier version's record) is not reported", func(t *testing.T) {
		vh := &hostingv1alpha1.Vhost{}
		vh.Spec.CachePurgeRequest, vh.Status.LastCachePurge = "p1", "p1"
		if got, held := baselineRecords(vh, &vhostExternal{vh: vh}); got != nil || held != nil {
			t.Errorf("records = %v, held = %v, want none", got, held)
		}
		vh.Spec.CachePurgeRequest = "p2"
		if got, _ := baselineRecords(vh, &vhostExternal{vh: vh}); got[baselineKey(effectCachePurge)] != "p2" {
			t.Errorf("a new value: records = %v, want it held", got)
		}
	})
	if _, held := baselineRecords(&hostingv1alpha1.Template{}, &templateExternal{}); held != nil {
		t.Errorf("a kind without requests holds %v", held)
	}
}

// TestTakesHoldAgain: whether an object holding an ID took hold of it
// again (restored, created again, copied, or recorded by an earlier
// operator version), and so baselines the requests its spec holds without
// a record (recordHold, or followEffects when it writes anyway); and
// whether ensureID records the hold (holdToRecord).
func TestTakesHoldAgain(t *testing.T) {
	const uid, other = "uid-now", "uid-before"
	held := hostingv1alpha1.AnnotationHeldByUID
	created := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	pending := func(at time.Time) string { return at.Format(time.RFC3339Nano) }
	for _, c := range []struct {
		name string
		uid  types.UID
		id   string
		ann  map[string]string
		// observed is status.id: the ID the operator observed as the
		// object's own (a restore or a copy has no status).
		observed string
		// again: takesHoldAgain; here: ensureID writes the hold (the
		// UID, and the baseline when again) for a kind with requests
		// and records on the object (HostingInstance).
		again, here bool
	}{
		{name: "no UID recorded, its own create intent open (a create in flight across the upgrade): its own create's result", uid: uid, id: "42",
			ann: map[string]string{hostingv1alpha1.AnnotationCreatePending: pending(created.Add(time.Minute))}},
		{name: "no UID recorded, an intent older than the object (restored from a backup taken mid-create) and no status", uid: uid, id: "42",
			ann: map[string]string{hostingv1alpha1.AnnotationCreatePending: pending(created.Add(-time.Hour))}, again: true},
		{name: "no ID held yet: the create or the adoption records the UID", uid: uid, ann: map[string]string{held: other}},
		{name: "held under its own UID (created or adopted here): settled", uid: uid, id: "42",
			ann: map[string]string{held: uid, hostingv1alpha1.AnnotationEffectsFor: "42"}},
		{name: "held under another UID: restored, created again or copied", uid: uid, id: "42",
			ann: map[string]string{held: other, hostingv1alpha1.AnnotationEffectsFor: "42"}, again: true, here: true},
		{name: "no UID recorded and no status: a restore of an earlier version's object", uid: uid, id: "42",
			ann: map[string]string{hostingv1alpha1.AnnotationExternalID: "42", hostingv1alpha1.AnnotationEffectsFor: "42"}, again: true, here: true},
		{name: "no UID recorded, its status observed the ID as its own: an earlier version's object upgraded in place records its UID once", uid: uid, id: "42",
			ann: map[string]string{hostingv1alpha1.AnnotationExternalID: "42", hostingv1alpha1.AnnotationEffectsFor: "42"}, observed: "42", here: true},
		{name: "no UID recorded, its status observed another ID: not the status of this hold", uid: uid, id: "42",
			ann: map[string]string{hostingv1alpha1.AnnotationExternalID: "42", hostingv1alpha1.AnnotationEffectsFor: "42"}, observed: "7", again: true, here: true},
		{name: "another UID recorded, whatever the status says: restored with its status, or copied", uid: uid, id: "42",
			ann: map[string]string{held: other, hostingv1alpha1.AnnotationExternalID: "42", hostingv1alpha1.AnnotationEffectsFor: "42"}, observed: "42", again: true, here: true},
		{name: "another UID, and records for another object: followEffects' write takes hold again", uid: uid, id: "42",
			ann: map[string]string{held: other, hostingv1alpha1.AnnotationEffectsFor: "7"}, again: true},
		{name: "no UID recorded, no effects-for: followEffects' write takes hold again", uid: uid, id: "42", again: true},
		{name: "an object without a UID (never stored): nothing to compare", id: "42"},
	} {
		t.Run(c.name, func(t *testing.T) {
			hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{UID: c.uid, Annotations: c.ann, CreationTimestamp: metav1.NewTime(created)}}
			hi.Status.ID = c.observed
			if got := takesHoldAgain(hi, c.id); got != c.again {
				t.Errorf("takesHoldAgain = %v, want %v", got, c.again)
			}
			if got := holdToRecord(hi, &instanceExternal{hi: hi}, c.id); got != c.here {
				t.Errorf("holdToRecord = %v, want %v", got, c.here)
			}
		})
	}
	t.Run("a kind without requests never writes it", func(t *testing.T) {
		tp := &hostingv1alpha1.Template{ObjectMeta: metav1.ObjectMeta{UID: uid}}
		if holdToRecord(tp, &templateExternal{}, "42") {
			t.Error("holdToRecord = true for a Template")
		}
	})
	t.Run("a Vhost (no records on the object) takes hold again in ensureID", func(t *testing.T) {
		vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{UID: uid, Annotations: map[string]string{held: other}}}
		if !holdToRecord(vh, &vhostExternal{vh: vh}, "www.example.com") {
			t.Error("holdToRecord = false for a restored Vhost")
		}
	})
}

// TestBaselineRecordsHeldOnce: a value already held is not held (nor
// reported) again when the object takes hold once more.
func TestBaselineRecordsHeldOnce(t *testing.T) {
	hi := &hostingv1alpha1.HostingInstance{
		ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{baselineKey(effectRestart): "r1"}},
		Spec:       hostingv1alpha1.HostingInstanceSpec{RestartRequest: "r1", ConsoleRequest: "c1"},
	}
	got, held := baselineRecords(hi, &instanceExternal{hi: hi})
	if want := map[string]string{baselineKey(effectConsole): "c1"}; !maps.Equal(got, want) || len(held) != 1 {
		t.Fatalf("records = %v (held %d), want %v", got, len(held), want)
	}
}

// TestWithBaseline: the baseline joins the write that takes hold, judged
// on the records as that write leaves them.
func TestWithBaseline(t *testing.T) {
	booster := effectAnnotationPrefix + effectBooster
	on := &hostingv1alpha1.BoosterSpec{Enabled: true}
	stale := effectKeys(&instanceExternal{})
	t.Run("a record the write drops (made on another instance) does not keep the turn-on from being held", func(t *testing.T) {
		hi := &hostingv1alpha1.HostingInstance{
			ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{booster: "delivered:2026-12-14T03:00:00Z", hostingv1alpha1.AnnotationEffectsFor: "7"}},
			Spec:       hostingv1alpha1.HostingInstanceSpec{Booster: on},
		}
		p, held := withBaseline(hi, &instanceExternal{hi: hi}, annotationPatch{set: map[string]string{hostingv1alpha1.AnnotationEffectsFor: "42"}, remove: stale})
		if len(held) != 1 || held[0].field != "spec.booster.enabled" {
			t.Fatalf("held = %v, want spec.booster.enabled", held)
		}
		if p.set[booster] != boosterBaseline || p.set[hostingv1alpha1.AnnotationEffectsFor] != "42" {
			t.Errorf("set = %v, want the booster held beside the write's own", p.set)
		}
		if slices.Contains(p.remove, booster) || !slices.Contains(p.remove, effectAnnotationPrefix+effectPassword) {
			t.Errorf("remove = %v, want the other stale records without the booster's", p.remove)
		}
	})
	t.Run("nothing to hold: the write is as it was", func(t *testing.T) {
		hi := &hostingv1alpha1.HostingInstance{}
		in := annotationPatch{set: map[string]string{hostingv1alpha1.AnnotationHeldByUID: "u"}, finalizer: true}
		p, held := withBaseline(hi, &instanceExternal{hi: hi}, in)
		if held != nil || !maps.Equal(p.set, in.set) || !p.finalizer {
			t.Errorf("got %+v held %v", p, held)
		}
	})
}

// TestBaselineNote: the event names each request held and how to ask for
// it: a new value, or for the booster, false then true.
func TestBaselineNote(t *testing.T) {
	restart := oneOffRequest{effect: effectRestart, field: "spec.restartRequest", value: "r1"}
	for _, c := range []struct {
		name      string
		held      []oneOffRequest
		has, hasn []string
	}{
		{name: "a request", held: []oneOffRequest{restart},
			has: []string{"spec.restartRequest (r1) already set when this object took hold of 42", "not performed there; set a new value to ask for it"}},
		{name: "the booster", held: []oneOffRequest{boosterRequest},
			has:  []string{"spec.booster.enabled (true)", "not performed there; for spec.booster.enabled, set it to false, then back to true, to buy a boost"},
			hasn: []string{"set a new value"}},
		{name: "both", held: []oneOffRequest{restart, boosterRequest},
			has: []string{"set a new value to ask for it; for spec.booster.enabled, set it to false, then back to true"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkMentions(t, baselineNote(c.held, "42", false), c.has, c.hasn)
		})
	}
}
