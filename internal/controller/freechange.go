package controller

import (
	"fmt"
	"maps"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// Free changes on their way.
//
// Gandi answers an instance PATCH with 202 (accepted, not done) and a
// paas.update with operations, and applies the change later: a read in
// between shows the old value. A free field (a HostingInstance's name,
// snapshot_enabled and language_id; a PaaSInstance's name and console) sent again because of it costs a request
// at best; a language_id sent while Gandi upgrades can start a second
// upgrade, or draw a 409 reported as a failed update. So a free value
// Gandi accepted is not sent again while Gandi may still be applying it:
// until a read shows it, or for Timing.freePatience after the acceptance,
// after which it is sent once more (Gandi may have dropped it). Meanwhile
// Synced says Updating.
//
// Unlike a paid change (paidchange.go) this is remembered in the process
// only, per object UID: a restart or a leader handover within the window
// sends the value once more. For the free fields that costs one request
// and sets the same value. language_id names the version the instance is
// to run, not an action, and is paid for by nobody: the docs say nothing
// of a second request for the version already on its way, and at worst it
// draws one refusal (reported, then settled by the next read) or asks
// Gandi again for that same version. A durable record would cost a write
// to the object for every free change, against that rare request.

// freeField is a free field a pass would send: its request name and the
// value, as text.
type freeField struct{ key, value string }

// fieldName is the name field of an instance PATCH and of paas.update,
// the free field both kinds share.
const fieldName = "name"

// freeSent is a free value Gandi accepted, and when.
type freeSent struct {
	value string
	at    time.Time
}

// freeView is what a pass knows of the free values it sent earlier.
type freeView struct {
	sent     map[string]freeSent
	now      time.Time
	patience time.Duration
}

// freeDecision is what a pass does with its free fields.
type freeDecision struct {
	// send are the fields to send.
	send []freeField
	// onItsWay were accepted within the patience, and Gandi does not show
	// them yet: not sent again.
	onItsWay []freeField
	// keep is the memory as the pass leaves it before sending: the values
	// on their way. Those Gandi shows, the spec no longer asks for, or
	// whose patience ran out are forgotten.
	keep map[string]freeSent
}

// decideFree splits want, the free fields that differ, into those to send
// and those on their way.
func decideFree(want []freeField, v freeView) freeDecision {
	d := freeDecision{keep: map[string]freeSent{}}
	for _, f := range want {
		if s, ok := v.sent[f.key]; ok && s.value == f.value && v.now.Sub(s.at) < v.patience {
			d.onItsWay = append(d.onItsWay, f)
			d.keep[f.key] = s
			continue
		}
		d.send = append(d.send, f)
	}
	return d
}

// freeKeys names fields.
func freeKeys(fields []freeField) []string {
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		out = append(out, f.key)
	}
	return out
}

// problems are the Synced problems of the values on their way, each named
// by describe, on a what (instance).
func (d freeDecision) problems(what string, v freeView, describe func(freeField) string) []problem {
	out := make([]problem, 0, len(d.onItsWay))
	for _, f := range d.onItsWay {
		at := d.keep[f.key].at
		out = append(out, problem{hostingv1alpha1.ReasonUpdating, fmt.Sprintf(
			"Gandi accepted %s at %s; waiting for the %s to show it (sent again if it does not by %s)",
			describe(f), at.UTC().Format(time.RFC3339), what, at.Add(v.patience).UTC().Format(time.RFC3339))})
	}
	return out
}

// freePatience is how long a free value Gandi accepted is waited for
// before it is sent again: three polls.
func (t Timing) freePatience() time.Duration { return 3 * max(t.Poll, t.Transitional) }

// freeChanges remembers, per object, the free values Gandi accepted and
// does not show yet. Each object is reconciled by one worker at a time;
// the lock is for the map shared by the workers.
type freeChanges struct {
	mu       sync.Mutex
	byObject map[types.UID]map[string]freeSent
}

func newFreeChanges() *freeChanges {
	return &freeChanges{byObject: map[types.UID]map[string]freeSent{}}
}

// view is what a pass of uid knows at now. A nil memory (a reconciler
// built without one) knows nothing: every difference is sent.
func (f *freeChanges) view(uid types.UID, now time.Time, patience time.Duration) freeView {
	v := freeView{now: now, patience: patience}
	if f == nil {
		return v
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v.sent = maps.Clone(f.byObject[uid])
	return v
}

// onItsWay says uid has a free value Gandi accepted and may still be
// applying: the object is then read afresh, as for a paid change.
func (f *freeChanges) onItsWay(uid types.UID, now time.Time, patience time.Duration) bool {
	for _, s := range f.view(uid, now, patience).sent {
		if now.Sub(s.at) < patience {
			return true
		}
	}
	return false
}

// keep records what a pass of uid leaves (freeDecision.keep, with what it
// sent and Gandi accepted at now), and forgets every other object's values
// whose patience ran out: an object deleted while a change was on its way
// leaves nothing behind.
func (f *freeChanges) keep(uid types.UID, kept map[string]freeSent, accepted []freeField, now time.Time, patience time.Duration) {
	if f == nil {
		return
	}
	kept = maps.Clone(kept)
	if kept == nil {
		kept = map[string]freeSent{}
	}
	for _, a := range accepted {
		kept[a.key] = freeSent{value: a.value, at: now}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, sent := range f.byObject {
		maps.DeleteFunc(sent, func(_ string, s freeSent) bool { return now.Sub(s.at) >= patience })
		if len(sent) == 0 {
			delete(f.byObject, id)
		}
	}
	if len(kept) == 0 {
		delete(f.byObject, uid)
		return
	}
	f.byObject[uid] = kept
}
