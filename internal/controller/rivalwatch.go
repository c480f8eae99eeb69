package controller

import (
	"context"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// rivalIndex says how the objects of one kind naming one Gandi object are
// found in the cache: the same indexes their own pass reads its rivals
// through (ext.rivals), so that whoever a pass ranks behind obj is woken.
type rivalIndex[T client.Object] struct {
	// newList makes an empty list of the kind.
	newList func() client.ObjectList
	// keyIndex and key: the natural key (false: none).
	keyIndex string
	key      func(T) (string, bool)
	// byID: the kind is indexed by externalIDIndex too (indexNaming).
	byID bool
}

// wakeRivals wakes the other objects of obj's kind naming what obj names.
// A loser (OwnedByAnotherObject) sends nothing to Gandi and is otherwise
// judged again only at --poll-interval: once its holder is deleted, lets
// go (spec now names something else) or its ID changes, the objects ranked
// behind it must be judged again now. For an update both the old and the
// new object are mapped (controller-runtime's EnqueueRequestsFromMapFunc),
// so the rivals of what it named before are woken as well as those of what
// it names now.
func wakeRivals[T client.Object](c client.Reader, ix rivalIndex[T]) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, obj client.Object) []reconcile.Request {
		t, ok := obj.(T)
		if !ok {
			return nil
		}
		var found []client.Object
		lookup := func(index, key string) {
			objs, err := listNamed(ctx, c, ix.newList(), index, key)
			if err != nil {
				log.FromContext(ctx).Error(err, "list the objects naming what a changed object names", "index", index)
				return
			}
			found = append(found, objs...)
		}
		if k, ok := ix.key(t); ok && k != "" {
			lookup(ix.keyIndex, k)
		}
		if id := ManagedID(obj); ix.byID && id != "" {
			lookup(externalIDIndex, id)
		}
		seen := map[client.ObjectKey]bool{client.ObjectKeyFromObject(obj): true}
		var reqs []reconcile.Request
		for _, o := range found {
			k := client.ObjectKeyFromObject(o)
			if !seen[k] {
				seen[k] = true
				reqs = append(reqs, reconcile.Request{NamespacedName: k})
			}
		}
		return reqs
	})
}

// claimStanding is what claimRank reads of an object, and what it names
// (its generation: a spec change may name something else).
type claimStanding struct {
	generation           int64
	deleting             bool
	id                   string
	observed, lost, made bool
	intentOpen           bool
	intentSince          time.Time
}

func standingOf(obj client.Object) claimStanding {
	since, open := openIntent(obj)
	return claimStanding{
		generation: obj.GetGeneration(), deleting: !obj.GetDeletionTimestamp().IsZero(),
		id: ManagedID(obj), observed: observedAs(obj), lost: lostClaim(obj), made: madeIt(obj),
		intentOpen: open, intentSince: since,
	}
}

// releasesClaim lets through the events of an object that can change who
// manages what it names: its deletion, a change of what it names or of
// what claimRank reads of it. Its own status writes otherwise (usage,
// conditions) wake none of its rivals; a create wakes none either: the
// new object's own pass judges it against those already there.
func releasesClaim() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			if e.ObjectOld == nil || e.ObjectNew == nil {
				return false
			}
			return standingOf(e.ObjectOld) != standingOf(e.ObjectNew)
		},
	}
}

// namedBy is the rivalIndex of a kind registered by indexNaming: its
// natural key without the credentials scope (nameIndex), so that an object
// held back while adopting through other credentials is found too, and
// the Gandi ID.
func namedBy[T client.Object](newList func() client.ObjectList, key func(T) string) rivalIndex[T] {
	return rivalIndex[T]{newList: newList, keyIndex: nameIndex, byID: true,
		key: func(t T) (string, bool) { return unscopedKey(key(t)), true }}
}
