package controller

import (
	"context"
	"errors"
	"time"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
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
}

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
}

// runPass is the shape of every reconcile: load; paused, deleting or live;
// then status patched once, here and nowhere else, with observedGeneration
// moved only when the pass observed the object at Gandi.
func runPass[T managed](ctx context.Context, c client.Client, key types.NamespacedName, obj T, k kindSteps[T]) (ctrl.Result, error) {
	if err := c.Get(ctx, key, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	before, _ := obj.DeepCopyObject().(T)
	var res result
	switch {
	case isPaused(obj):
		reportPaused(obj)
	case !obj.GetDeletionTimestamp().IsZero():
		var done bool
		if done, res = k.finalize(ctx, obj); done {
			return ctrl.Result{}, removeFinalizer(ctx, c, obj)
		}
	default:
		res = k.live(ctx, obj)
	}
	if res.observed {
		obj.SetObservedGeneration(obj.GetGeneration())
	}
	if err := writeStatus(ctx, c, obj, before.GetStatus(), obj.GetStatus()); err != nil {
		return ctrl.Result{}, errors.Join(err, res.err)
	}
	// Every requeue of a pass (a poll, a transitional look, a retry) goes
	// at the priority queue's low priority, the one the initial list gets:
	// otherwise objects already reconciled, requeued at the transitional
	// interval, kept the queue busy at normal priority and objects from the
	// initial list were never served (seen in the fault storm: 2 of 8
	// instances untouched for 90 s). A user's change still comes first.
	low := handler.LowPriority
	return ctrl.Result{RequeueAfter: res.requeue, Priority: &low}, res.err
}

// reportPaused says that nothing is sent to Gandi while the paused
// annotation is set.
func reportPaused(obj managed) {
	setCondition(obj, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonReconcilePaused,
		"reconciliation is paused by the annotation "+hostingv1alpha1.AnnotationPaused+": nothing is sent to Gandi")
}
