package controller

import (
	"strings"
	"testing"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

func TestDecideBooster(t *testing.T) {
	on, off := ptrTo(true), ptrTo(false)
	const ends, again = "2026-12-14T03:00:00Z", "2027-01-13T03:00:00Z"
	for _, tc := range []struct {
		name     string
		recorded string
		view     boosterView
		hold     bool
		record   string
		reason   string // of the problem, "" for none
		note     string // a part of the note, "" for none
	}{
		{name: "not managed: nothing decided, the record kept",
			recorded: "delivered", view: boosterView{available: true},
			record: "delivered"},
		{name: "asked off: the next turn-on is a new word",
			view: boosterView{asked: off, running: true}, record: "off"},
		{name: "asked off, already recorded off",
			recorded: "off", view: boosterView{asked: off, available: true}, record: "off"},
		{name: "asked on, never boosted, offered: bought",
			view: boosterView{asked: on, available: true}},
		{name: "asked on after off, offered: bought",
			recorded: "off", view: boosterView{asked: on, available: true}, record: "off"},
		{name: "asked on, sent and not shown yet: the paid change waits for it",
			recorded: "off", view: boosterView{asked: on, pending: true}, record: "off"},
		{name: "asked on, sent, and the boost ran and ended unseen (a cooldown from an end later than the record): delivered, not bought again",
			recorded: "off", view: boosterView{asked: on, availableAt: again, ended: ends},
			hold: true, record: "delivered:" + ends, note: "ran until " + ends + "; it is not bought again"},
		{name: "the boost sent ran and ended unseen, the object held on taking hold: delivered",
			recorded: "baseline", view: boosterView{asked: on, availableAt: again, ended: ends},
			hold: true, record: "delivered:" + ends, note: "ran until " + ends},
		{name: "asked off while the boost sent ran and ended unseen: off",
			recorded: "off", view: boosterView{asked: off, availableAt: again, ended: ends}, record: "off"},
		{name: "the boost bought runs: recorded delivered, with its end",
			recorded: "off", view: boosterView{asked: on, running: true, expiresAt: ends},
			record: "delivered:" + ends},
		{name: "a boost running when first seen (adopted, or before the record) is the one asked for",
			view: boosterView{asked: on, running: true, expiresAt: ends}, record: "delivered:" + ends},
		{name: "the boost delivered ended, during the cooldown: not bought, not refused",
			recorded: "delivered:" + ends, view: boosterView{asked: on, availableAt: again},
			hold: true, record: "delivered:" + ends, note: "ran until " + ends + "; it is not bought again"},
		{name: "the boost delivered ended, the cooldown over: not bought again",
			recorded: "delivered:" + ends, view: boosterView{asked: on, available: true},
			hold: true, record: "delivered:" + ends, note: "set spec.booster.enabled to false, then back to true"},
		{name: "no record and a cooldown (a boost ran before the record existed): taken as delivered",
			view: boosterView{asked: on, availableAt: again},
			hold: true, record: "delivered", note: "a boost already ran at Gandi for spec.booster"},
		{name: "asked on again after off, during the cooldown: waits, names the date",
			recorded: "off", view: boosterView{asked: on, availableAt: again},
			hold: true, record: "off", reason: hostingv1alpha1.ReasonBoosterUnavailable},
		{name: "held on taking hold (adopted, restored), offered: not bought, Synced says how to buy one",
			recorded: "baseline", view: boosterView{asked: on, available: true},
			hold: true, record: "baseline", note: "with no record that a boost was bought for it: none is; set spec.booster.enabled to false, then back to true"},
		{name: "held on taking hold, during a cooldown: not bought, nothing to wait for",
			recorded: "baseline", view: boosterView{asked: on, availableAt: again},
			hold: true, record: "baseline", note: "none is"},
		{name: "held on taking hold, then asked off: the next turn-on buys",
			recorded: "baseline", view: boosterView{asked: off, available: true}, record: "off"},
		{name: "held on taking hold with a boost running: that boost is the turn-on's",
			recorded: "baseline", view: boosterView{asked: on, running: true, expiresAt: ends}, record: "delivered:" + ends},
		{name: "held on taking hold with a booster:true recorded as sent: the paid change waits for it",
			recorded: "baseline", view: boosterView{asked: on, pending: true}, record: "baseline"},
		{name: "not offered, no date, no record: waits",
			view: boosterView{asked: on}, hold: true, reason: hostingv1alpha1.ReasonBoosterUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := decideBooster(tc.recorded, tc.view)
			reason := ""
			if d.problem != nil {
				reason = d.problem.reason
			}
			if d.hold != tc.hold || d.record != tc.record || reason != tc.reason ||
				(tc.note == "") != (d.note == "") || !strings.Contains(d.note, tc.note) {
				t.Errorf("got hold %v record %q problem %+v note %q", d.hold, d.record, d.problem, d.note)
			}
			if d.problem != nil && tc.view.availableAt != "" && !strings.Contains(d.problem.message, "Gandi offers the booster again at "+tc.view.availableAt) {
				t.Errorf("the problem does not name the date: %q", d.problem.message)
			}
		})
	}
}

// TestBoosterEndedSince: Gandi's cooldown dates the end of the last boost
// (available_at minus cooldown_days); an end no earlier than the record of
// booster:true is a boost that ran since, and only that.
func TestBoosterEndedSince(t *testing.T) {
	sent := time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC)
	at := func(d time.Time) *gandi.Time { return &gandi.Time{Time: d} }
	cooling := func(end time.Time) *gandi.Instance {
		return &gandi.Instance{Booster: &gandi.Booster{Next: &gandi.BoosterNext{CooldownDays: 30, AvailableAt: at(end.AddDate(0, 0, 30))}}}
	}
	ended := sent.Add(7*24*time.Hour + 5*time.Second)
	for _, tc := range []struct {
		name string
		inst *gandi.Instance
		sent time.Time
		want string
	}{
		{name: "a boost ended 7 days after the record: it ran", inst: cooling(ended), sent: sent, want: "2026-12-14T22:00:05Z"},
		{name: "ended within the clocks' skew before the record: it ran", inst: cooling(sent.Add(-30 * time.Second)), sent: sent, want: "2026-12-07T21:59:30Z"},
		{name: "ended before the record: an older boost, not this one", inst: cooling(sent.Add(-time.Hour)), sent: sent},
		{name: "no time recorded (an older build's record): no evidence", inst: cooling(ended)},
		{name: "no cooldown shown (never boosted, or the cooldown over): no evidence", inst: &gandi.Instance{Booster: &gandi.Booster{Next: &gandi.BoosterNext{Available: true, CooldownDays: 30}}}, sent: sent},
		{name: "no booster object: no evidence", inst: &gandi.Instance{}, sent: sent},
		{name: "a boost running: seen as running, not as ended",
			inst: &gandi.Instance{Booster: &gandi.Booster{Current: &gandi.BoosterCurrent{Status: "active"}, Next: cooling(ended).Booster.Next}}, sent: sent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := boosterEndedSince(tc.inst, tc.sent); got != tc.want {
				t.Errorf("boosterEndedSince = %q, want %q", got, tc.want)
			}
		})
	}
}
