package controller

import (
	"slices"
	"testing"
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
	for _, tc := range []struct {
		name                 string
		recorded, confirmed  string
		fields               []paidField
		send                 []string
		record, confirmation string // before the answer
		waiting, unconfirmed []string
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
		{name: "the spec went back to what Gandi shows: the record stays for when it shows",
			recorded: "size=l", confirmed: "size=l",
			fields: []paidField{size("", "m")},
			record: "size=l", confirmation: "size=l"},
		{name: "a person removed the record: sent again",
			confirmed: "size=l",
			fields:    []paidField{size("l", "m")},
			send:      []string{"size"}, record: "size=l"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := decidePaidChange(tc.recorded, tc.confirmed, tc.fields)
			if !slices.Equal(p.send, tc.send) || p.record != tc.record || p.confirmed != tc.confirmation ||
				!equalKeys(keys(p.waiting), tc.waiting) || !equalKeys(keys(p.unconfirmed), tc.unconfirmed) {
				t.Errorf("got send %v record %q confirmed %q waiting %v unconfirmed %v", p.send, p.record, p.confirmed, keys(p.waiting), keys(p.unconfirmed))
			}
		})
	}
}

// equalKeys compares key lists, nil and empty alike.
func equalKeys(a, b []string) bool { return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b)) }

func TestPaidPlanWithAccepted(t *testing.T) {
	p := decidePaidChange("size=l;booster=true", "size=l", []paidField{
		{key: "size", want: "l", shown: "m"}, {key: "storage", want: "50", shown: "0"}, {key: "booster", want: "true", shown: "false"},
	})
	if got := p.withAccepted(); got != "size=l;storage=50" {
		t.Errorf("confirmation after the answer = %q: the sent field only is added, the unconfirmed booster is not", got)
	}
}
