package controller

import (
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// pendingDeleteAction is what deleting an object whose create is
// unconfirmed (no ID recorded, an intent open) does about what Gandi lists
// under its natural key.
type pendingDeleteAction int

const (
	// pendingNothing: nothing this object's create made is at Gandi; the
	// object lets go, leaving what another object manages or another
	// object's create may have made (reported as released).
	pendingNothing pendingDeleteAction = iota
	// pendingFound: one match is what this object's create made: it is
	// deleted with the object.
	pendingFound
	// pendingAmbiguous: several matches could be this object's: a person
	// tells which, nothing is deleted meanwhile.
	pendingAmbiguous
	// pendingWaitOwn: this object's create may still show up at Gandi
	// (lossGrace): looked for again before letting go.
	pendingWaitOwn
	// pendingWaitOthers: another object's create may have made a match,
	// and its answer, carrying the ID that object then records, may still
	// come: waited for before deciding.
	pendingWaitOthers
)

// pendingDeleteInput is what findPendingForDelete reads for
// decidePendingDelete.
type pendingDeleteInput struct {
	// obj is the object being deleted: its intent, its latest create's
	// sending and that create's recorded loss are read from it.
	obj client.Object
	// matches are what Gandi lists under obj's natural key.
	matches []candidate
	// rivals holds, for each match made since obj's intent
	// (madeSinceIntent), the cluster objects naming it under its ID
	// (ext.rivals).
	rivals map[string][]client.Object
	// intents are the cluster objects with a create intent for the same
	// Gandi name in any credentials scope (answerNamed.intents); they are
	// read only when a match made since the intent has no other manager,
	// the only case they can change.
	intents []client.Object
	now     time.Time
	grace   time.Duration
}

// pendingDelete is decidePendingDelete's answer.
type pendingDelete struct {
	action pendingDeleteAction
	// id is what pendingFound deletes.
	id string
	// which are the matches pendingAmbiguous asks about, or those
	// pendingWaitOthers waits for.
	which []candidate
	// recordLoss (pendingWaitOwn): nothing records when the answer to the
	// latest create was lost and the grace since its sending is over: now
	// is recorded as its loss first, and the grace waited from it
	// (decideRecordLoss, as before a create).
	recordLoss bool
	// theirs and shared (pendingNothing) are the matches left at Gandi
	// because another cluster object manages them, or because another
	// object's create may have made them: reported as released.
	theirs, shared []candidate
}

// decidePendingDelete decides what deleting in.obj, whose create is
// unconfirmed, does about what Gandi lists. A match made before the intent
// is someone else's. A match another cluster object manages (the rival
// rule before a claim, managerAmong) is never this object's to delete,
// though Gandi made it after the intent: the loser of a conflict sees the
// winner's purchase that way. A match another object's open intent
// explains may be that object's purchase with its ID not written yet
// (sharedMatches): never deleted either. Without a match of its own, the
// object's own create is waited for through its grace before it lets go.
func decidePendingDelete(in pendingDeleteInput) pendingDelete {
	mine, theirs := splitManaged(in.obj, madeSinceIntent(in.obj, in.matches), in.rivals)
	mine, shared, othersWaiting := sharedMatches(mine, otherIntents(in.obj, in.intents), in.now, in.grace)
	switch {
	case len(mine) == 1:
		return pendingDelete{action: pendingFound, id: mine[0].id}
	case len(mine) > 1:
		return pendingDelete{action: pendingAmbiguous, which: mine}
	}
	if state, _ := lossGrace(lastCreateSent(in.obj), createLostAt(in.obj), in.now, in.grace); state != lossSettled {
		return pendingDelete{action: pendingWaitOwn, recordLoss: state == lossUnrecorded}
	}
	if othersWaiting {
		return pendingDelete{action: pendingWaitOthers, which: shared}
	}
	return pendingDelete{action: pendingNothing, theirs: theirs, shared: shared}
}

// madeSinceIntent keeps the matches obj's create intent may have made
// (madeUnder): only those can be deleted with it.
func madeSinceIntent(obj client.Object, matches []candidate) []candidate {
	since, _ := createPendingSince(obj)
	return madeUnderIntent(matches, since, sentDigests(obj))
}

// splitManaged splits cs into those no other cluster object manages
// (mine) and those one does (theirs), from rivals, the objects naming
// each (managerAmong).
func splitManaged(obj client.Object, cs []candidate, rivals map[string][]client.Object) (mine, theirs []candidate) {
	for _, c := range cs {
		if managerAmong(obj, c.id, rivals[c.id]) != nil {
			theirs = append(theirs, c)
			continue
		}
		mine = append(mine, c)
	}
	return mine, theirs
}
