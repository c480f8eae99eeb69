package controller

import (
	"context"
	"errors"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// Base is what every reconciler holds: the cached client, credentials,
// events, timing and clock.
type Base struct {
	client.Client
	Credentials *Credentials
	Events      eventRecorder
	Timing      Timing
	// Observers answer settled objects' observations from Gandi's list
	// routes (observer.go); nil reads every object with its own GET.
	Observers *Observers
	// Now is the clock (time.Now when nil); tests may move it.
	Now func() time.Time
	// polls classifies passes (urgent or routine) and measures polls;
	// nil: every pass is urgent.
	polls *pollTracker
	// free remembers the free values Gandi accepted and does not show yet
	// (freechange.go); nil remembers nothing.
	free *freeChanges
	// passwords remembers, keyed, the password each object's Gandi object
	// has (passwordchange.go); nil remembers nothing.
	passwords *passwordMemory
}

// clock is the time now (Now, time.Now when nil).
func (b *Base) clock() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}

// recheckIn is the wait before reading again an object that condType
// (kept False while Gandi works) shows waiting on Gandi (Timing.recheck).
func (b *Base) recheckIn(obj managed, condType string) time.Duration {
	return b.Timing.recheck(waitingSince(obj, condType), b.clock())
}

// freeView is what a pass of obj knows of the free values it sent.
func (b *Base) freeView(obj client.Object) freeView {
	return b.free.view(obj.GetUID(), b.clock(), b.Timing.freePatience())
}

// paidHold is where obj's paid hold stands now (readPaidHold): the grace
// is CreateGrace, the operator's bound on how late Gandi shows what it
// accepted.
func (b *Base) paidHold(obj client.Object) paidHold {
	return readPaidHold(obj, b.clock(), b.Timing.CreateGrace)
}

// freeOnItsWay says obj has a free value Gandi accepted and may still be
// applying.
func (b *Base) freeOnItsWay(obj client.Object) bool {
	return b.free.onItsWay(obj.GetUID(), b.clock(), b.Timing.freePatience())
}

// keepFree records what a pass of obj leaves of its free values (d), and
// the fields of d it sent when Gandi accepted them.
func (b *Base) keepFree(obj client.Object, d freeDecision, accepted bool) {
	var sent []freeField
	if accepted {
		sent = d.send
	}
	b.free.keep(obj.GetUID(), d.keep, sent, b.clock(), b.Timing.freePatience())
}

// waitIf is recheckIn when transitional (Gandi's state is about to
// change), 0 (settled: the poll interval) otherwise.
func (b *Base) waitIf(transitional bool, obj managed, condType string) time.Duration {
	if !transitional {
		return 0
	}
	return b.recheckIn(obj, condType)
}

// passes is the kind's poll tracker.
func (b *Base) passes() *pollTracker { return b.polls }

// forgetObject drops what the process remembers of the object uid.
func (b *Base) forgetObject(uid types.UID) { b.passwords.forget(uid) }

// lifecycle gives the shared create/adopt/delete steps this reconciler's
// clients, events and timing.
func (b *Base) lifecycle() *lifecycle {
	now := b.Now
	if now == nil {
		now = time.Now
	}
	return &lifecycle{client: b.Client, creds: b.Credentials, events: b.Events, timing: b.Timing, now: now}
}

// kindSteps are the steps of one kind that the shared pass calls.
type kindSteps[T managed] interface {
	// finalize runs the deletion policy; done lets the object go.
	finalize(ctx context.Context, obj T) (done bool, res result)
	// live observes the object at Gandi and brings it to the spec.
	live(ctx context.Context, obj T) result
	// passes is the kind's poll tracker (Base has it).
	passes() *pollTracker
	// forgetObject drops what the process remembers of an object gone
	// (Base has it).
	forgetObject(uid types.UID)
}

// runPass is the shape of every reconcile: load; paused, deleting or live;
// then status patched once, here and nowhere else, with observedGeneration
// and lastHandledReconcileAt moved only when the pass observed the object
// at Gandi and sent it no change since (result.describesGeneration;
// lastHandledReconcileAt also when it judged the object another's to
// manage, result.answersRequest).
func runPass[T managed](ctx context.Context, c client.Client, key types.NamespacedName, obj T, k kindSteps[T]) (ctrl.Result, error) {
	if err := c.Get(ctx, key, obj); err != nil {
		if apierrors.IsNotFound(err) {
			k.passes().forget(key)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	// The pass's Gandi requests wait in the IP budget at its priority.
	pass := k.passes().begin(key, obj)
	ctx = gandi.WithPriority(ctx, pass.priority)
	before, _ := obj.DeepCopyObject().(T)
	ctx, onServer := withStatusOnServer(ctx, before.GetStatus())
	var res result
	switch {
	case isPaused(obj):
		reportPaused(obj)
	case !obj.GetDeletionTimestamp().IsZero():
		var done bool
		if done, res = k.finalize(ctx, obj); done {
			k.passes().forget(key)
			k.forgetObject(obj.GetUID())
			return ctrl.Result{}, removeFinalizer(ctx, c, obj)
		}
	default:
		res = k.live(ctx, obj)
	}
	if res.describesGeneration() {
		obj.SetObservedGeneration(obj.GetGeneration())
	}
	// Every pass says whether it stalled, a paused one too (it did not):
	// Stalled never outlives the pass that found the state.
	reportStalled(obj, res)
	// A requested reconcile counts as handled only once a pass has read
	// the object at Gandi, or judged it another object's to manage: a pass
	// that stopped before (paused, waiting for credentials) has not done
	// what was asked.
	if v, ok := obj.GetAnnotations()[hostingv1alpha1.AnnotationRequestedAt]; ok && res.answersRequest() {
		obj.SetLastHandledReconcileAt(v)
	}
	if err := writeStatus(ctx, c, obj, onServer.status, obj.GetStatus()); err != nil {
		pass.end(result{err: err})
		return ctrl.Result{}, errors.Join(err, res.err)
	}
	// Every requeue of a pass (a transitional look, a retry) goes at the
	// priority queue's low priority, the one the initial list gets:
	// otherwise objects already reconciled, requeued at the transitional
	// interval, kept the queue busy at normal priority and objects from the
	// initial list were never served (seen in the fault storm: 2 of 8
	// instances untouched for 90 s). A routine poll goes lower still (see
	// polls.go). A user's change still comes first.
	return ctrl.Result{RequeueAfter: res.requeue, Priority: pass.end(res)}, res.err
}

// reportPaused says that nothing is sent to Gandi while the paused
// annotation is set.
func reportPaused(obj managed) {
	setCondition(obj, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonReconcilePaused,
		"reconciliation is paused by the annotation "+hostingv1alpha1.AnnotationPaused+": nothing is sent to Gandi")
}

// freshWanted reports a pass that must read the object from Gandi itself,
// not from a list batched for the poll: the spec changed since it was last
// observed, or the user asked for a reconcile (requested-at) not yet
// handled — "reconcile now" means observed now.
func freshWanted(obj client.Object, observedGeneration int64, lastHandled string) bool {
	requested, ok := obj.GetAnnotations()[hostingv1alpha1.AnnotationRequestedAt]
	return obj.GetGeneration() != observedGeneration || (ok && requested != lastHandled)
}
