package controller

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

func TestDecidePaidChange(t *testing.T) {
	size := func(want, shown string) paidField { return paidField{key: "size", want: want, shown: shown} }
	storage := func(want, shown string) paidField { return paidField{key: "storage", want: want, shown: shown} }
	booster := func(want, shown string) paidField { return paidField{key: "booster", want: want, shown: shown} }
	keys := func(fs []paidField) []string {
		out := make([]string, 0, len(fs))
		for _, f := range fs {
			out = append(out, f.key)
		}
		return out
	}
	values := func(fs []paidField) []string {
		out := make([]string, 0, len(fs))
		for _, f := range fs {
			out = append(out, f.key+"="+f.want)
		}
		return out
	}
	// held: the object took hold of its instance with no record of its
	// past, and the grace is not over; over: it is.
	until := time.Date(2026, 12, 2, 10, 2, 0, 0, time.UTC)
	held, over := paidHold{recorded: true, held: true, until: until}, paidHold{recorded: true, until: until}
	for _, tc := range []struct {
		name                 string
		recorded, confirmed  string
		hold                 paidHold
		fields               []paidField
		send                 []string
		record, confirmation string // before the answer
		waiting, unconfirmed []string
		held                 []string
		// withdrawn are records still on its way that the spec no longer
		// asks for, each at its recorded value: "size=l".
		withdrawn, withdrawnUnconfirmed []string
	}{
		{name: "nothing asked, nothing recorded",
			fields: []paidField{size("", "m"), storage("", "0"), booster("", "false")}},
		{name: "a new resize is recorded and sent",
			fields: []paidField{size("l", "m"), storage("", "0")},
			send:   []string{"size"}, record: "size=l"},
		{name: "accepted and not shown yet: waits, sends nothing",
			recorded: "size=l", confirmed: "size=l",
			fields: []paidField{size("l", "m")},
			record: "size=l", confirmation: "size=l", waiting: []string{"size"}},
		{name: "its acceptance never seen: unconfirmed, sends nothing",
			recorded: "size=l",
			fields:   []paidField{size("l", "m")},
			record:   "size=l", unconfirmed: []string{"size"}},
		{name: "Gandi shows it: the record is dropped",
			recorded: "size=l;storage=50", confirmed: "size=l;storage=50",
			fields: []paidField{size("", "l"), storage("", "50")}},
		{name: "shown (the record dropped), then drifted back: a new change, sent again",
			fields: []paidField{booster("true", "false")},
			send:   []string{"booster"}, record: "booster=true"},
		{name: "another field asked while a resize waits: only that field is sent",
			recorded: "size=l", confirmed: "size=l",
			fields: []paidField{size("l", "m"), storage("50", "0")},
			send:   []string{"storage"}, record: "size=l;storage=50", confirmation: "size=l", waiting: []string{"size"}},
		{name: "a partly applied change: the shown field settles, the other waits",
			recorded: "size=l;storage=50", confirmed: "size=l;storage=50",
			fields: []paidField{size("", "l"), storage("50", "20")},
			record: "storage=50", confirmation: "storage=50", waiting: []string{"storage"}},
		{name: "a new target for a waiting field is a new change",
			recorded: "size=l", confirmed: "size=l",
			fields: []paidField{size("xxl", "m")},
			send:   []string{"size"}, record: "size=xxl"},
		{name: "an unconfirmed field stays unconfirmed beside a new send",
			recorded: "booster=true",
			fields:   []paidField{booster("true", "false"), size("l", "m")},
			send:     []string{"size"}, record: "size=l;booster=true", unconfirmed: []string{"booster"}},
		{name: "the spec went back to what Gandi shows: the record stays for when it shows, reported withdrawn, not sent",
			recorded: "size=l", confirmed: "size=l",
			fields: []paidField{size("", "m")},
			record: "size=l", confirmation: "size=l", withdrawn: []string{"size=l"}},
		{name: "the spec went back while the answer was lost: withdrawn, unconfirmed",
			recorded: "size=l",
			fields:   []paidField{size("", "m")},
			record:   "size=l", withdrawnUnconfirmed: []string{"size=l"}},
		{name: "the spec no longer sets a field whose change waits (storage unset): withdrawn",
			recorded: "storage=50", confirmed: "storage=50",
			fields: []paidField{size("", "m"), storage("", "0")},
			record: "storage=50", confirmation: "storage=50", withdrawn: []string{"storage=50"}},
		{name: "withdrawn beside a new send of another field: both",
			recorded: "booster=true", confirmed: "booster=true",
			fields: []paidField{size("l", "m"), booster("", "false")},
			send:   []string{"size"}, record: "size=l;booster=true", confirmation: "booster=true", withdrawn: []string{"booster=true"}},
		{name: "a withdrawn change Gandi now shows settles: nothing reported",
			recorded: "size=l", confirmed: "size=l",
			fields: []paidField{size("", "l")}},
		{name: "the spec back on the withdrawn value: waiting again",
			recorded: "size=l", confirmed: "size=l",
			fields: []paidField{size("l", "m")},
			record: "size=l", confirmation: "size=l", waiting: []string{"size"}},
		{name: "a person removed the record: sent again",
			confirmed: "size=l",
			fields:    []paidField{size("l", "m")},
			send:      []string{"size"}, record: "size=l"},
		{name: "taken hold of again, a resize with no record that Gandi does not show: held, nothing recorded (one sent before the backup may still be under way)",
			hold:   held,
			fields: []paidField{size("l", "m"), storage("50", "0")},
			held:   []string{"size", "storage"}},
		{name: "held, and Gandi shows what the spec asks: nothing held, nothing sent",
			hold:   held,
			fields: []paidField{size("", "l"), storage("", "50")}},
		{name: "held beside this object's own change on its way: that one waits as before",
			hold: held, recorded: "size=l", confirmed: "size=l",
			fields: []paidField{size("l", "m")},
			record: "size=l", confirmation: "size=l", waiting: []string{"size"}},
		{name: "held beside an unconfirmed change: it stays unconfirmed",
			hold: held, recorded: "size=l",
			fields: []paidField{size("l", "m")},
			record: "size=l", unconfirmed: []string{"size"}},
		{name: "held: a record Gandi shows still settles",
			hold: held, recorded: "storage=50", confirmed: "storage=50",
			fields: []paidField{size("l", "m"), storage("", "50")},
			held:   []string{"size"}},
		{name: "the grace over and Gandi does not show it: sent, once, as the spec declares it",
			hold:   over,
			fields: []paidField{size("l", "m")},
			send:   []string{"size"}, record: "size=l"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := decidePaidChange(tc.recorded, tc.confirmed, tc.hold, tc.fields)
			if !slices.Equal(p.send, tc.send) || p.record != tc.record || p.confirmed != tc.confirmation ||
				!equalKeys(keys(p.waiting), tc.waiting) || !equalKeys(keys(p.unconfirmed), tc.unconfirmed) || !equalKeys(keys(p.held), tc.held) ||
				!equalKeys(values(p.withdrawn), tc.withdrawn) || !equalKeys(values(p.withdrawnUnconfirmed), tc.withdrawnUnconfirmed) {
				t.Errorf("got send %v record %q confirmed %q waiting %v unconfirmed %v held %v withdrawn %v withdrawn unconfirmed %v",
					p.send, p.record, p.confirmed, keys(p.waiting), keys(p.unconfirmed), keys(p.held), values(p.withdrawn), values(p.withdrawnUnconfirmed))
			}
		})
	}
}

// equalKeys compares key lists, nil and empty alike.
func equalKeys(a, b []string) bool { return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b)) }

func TestPaidPlanWithAccepted(t *testing.T) {
	p := decidePaidChange("size=l;booster=true", "size=l", paidHold{}, []paidField{
		{key: "size", want: "l", shown: "m"}, {key: "storage", want: "50", shown: "0"}, {key: "booster", want: "true", shown: "false"},
	})
	if got := p.withAccepted(); got != "size=l;storage=50" {
		t.Errorf("confirmation after the answer = %q: the sent field only is added, the unconfirmed booster is not", got)
	}
}

// TestPaidProblemsWithdrawn: a change on its way that the spec no longer
// asks for keeps Synced False and says what comes of it; one whose
// acceptance was never seen says how to drop its record.
func TestPaidProblemsWithdrawn(t *testing.T) {
	plan := decidePaidChange("size=l;storage=50", "size=l", paidHold{}, []paidField{
		{key: "size", shown: "m"}, {key: "storage", shown: "0"}, {key: "booster", shown: "false"}})
	got := paidProblems(plan, describePaid)
	if len(got) != 2 {
		t.Fatalf("problems %+v, want two", got)
	}
	byReason := map[string]string{}
	for _, p := range got {
		byReason[p.reason] = p.message
	}
	checkMentions(t, byReason[hostingv1alpha1.ReasonUpdating], []string{
		"Gandi accepted the paid change to size l, which the spec no longer asks for", "cannot be taken back",
		"waiting for the instance to show it, then the spec is compared with it again (a change back is a new paid change)"}, nil)
	checkMentions(t, byReason[hostingv1alpha1.ReasonActionUnconfirmed], []string{
		"the paid change to additional storage 50 GB, which the spec no longer asks for, may not have happened",
		"remove the annotation effects.hosting.gandi-operator.dev/paid-change to drop its record"}, []string{"to send it again"})
	if ok, _, _ := syncedVerdict("instance", nil, got); ok {
		t.Errorf("Synced True with a paid change on its way")
	}
}

// TestPaidSentAt: each recorded value keeps the time it was recorded at
// until Gandi shows it; a value sent now is dated now.
func TestPaidSentAt(t *testing.T) {
	now := time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC)
	const before = "2026-12-01T10:00:00Z"
	hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{
		paidSentAtKey: "size=" + before + ";booster=" + before}}}
	plan := decidePaidChange("size=l;booster=true", "size=l;booster=true", paidHold{}, []paidField{
		{key: "size", shown: "l"}, {key: "storage", want: "50", shown: "0"}, {key: "booster", want: "true", shown: "false"}})
	if got, want := plan.sentAt(hi, now), "storage=2026-12-07T22:00:00Z;booster="+before; got != want {
		t.Errorf("sentAt = %q, want %q: the shown size loses its time, the sent storage is dated now", got, want)
	}
	if got := paidSentAt(hi)[paidBooster]; !got.Equal(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("paidSentAt booster = %v", got)
	}
	hi.Annotations[paidSentAtKey] = "booster=yesterday"
	if got, ok := paidSentAt(hi)[paidBooster]; ok {
		t.Errorf("a time that does not parse is read as %v", got)
	}
}
