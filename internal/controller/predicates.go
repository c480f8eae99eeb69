package controller

import (
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// notOwnBookkeeping lets through every event of a kind but an update that
// only changes what the operator writes for itself: status, the create
// intent and the side-effect records. Without it each of those writes
// wakes the object again at once, so a create Gandi refuses for a reason a
// lookup cannot see (an FQDN served by another instance) was sent again in
// a hot loop instead of at the poll interval. Each pass already says when
// to come back (RequeueAfter).
func notOwnBookkeeping() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		return e.ObjectOld == nil || e.ObjectNew == nil || userChange(e.ObjectOld, e.ObjectNew)
	}}
}

// userChange reports a change of anything but status and the operator's
// own annotations and labels.
func userChange(old, cur client.Object) bool {
	if old.GetGeneration() != cur.GetGeneration() ||
		!old.GetDeletionTimestamp().Equal(cur.GetDeletionTimestamp()) ||
		!maps.Equal(userLabels(old), userLabels(cur)) ||
		!equality.Semantic.DeepEqual(othersFinalizers(old), othersFinalizers(cur)) {
		return true
	}
	return !maps.Equal(userAnnotations(old, cur), userAnnotations(cur, old)) || paidHoldEdited(old, cur)
}

// paidHoldEdited reports a write that changes the paid hold
// (paidHoldKey) and no other of the operator's annotations: a person's,
// who removes it as Synced PaidChangeHeld tells them to once they checked
// at Gandi, and waits for the change to go, not for the next poll (a hold
// that is not a time has no wake-up of its own). The operator writes the
// hold only beside another record of its own, which keeps its writes from
// waking the object: the write that takes hold of an instance (the
// held-by UID, effects-for or the ID with its records), the one that
// settles the paid-change record (settlePaid), and a create's intent.
func paidHoldEdited(old, cur client.Object) bool {
	was, now := old.GetAnnotations(), cur.GetAnnotations()
	if sameAnnotation(was, now, paidHoldKey) {
		return false
	}
	withIntent := was[hostingv1alpha1.AnnotationCreatePending] != now[hostingv1alpha1.AnnotationCreatePending]
	for _, m := range []map[string]string{was, now} {
		for k := range m {
			if k != paidHoldKey && bookkeeping(k, withIntent) && !sameAnnotation(was, now, k) {
				return false
			}
		}
	}
	return true
}

func sameAnnotation(a, b map[string]string, k string) bool {
	va, inA := a[k]
	vb, inB := b[k]
	return inA == inB && va == vb
}

// userLabels are obj's labels but the operator's bookkeeping (the domain
// of a TemplateApplication's apply, written with the apply's record).
func userLabels(obj client.Object) map[string]string {
	labels := obj.GetLabels()
	if _, ok := labels[hostingv1alpha1.LabelApplyDomain]; !ok {
		return labels
	}
	out := maps.Clone(labels)
	delete(out, hostingv1alpha1.LabelApplyDomain)
	return out
}

// othersFinalizers are obj's finalizers but the operator's own: adding it
// (the first write of every object) is bookkeeping too, and woke every
// new object for a second pass that looked Gandi up again.
func othersFinalizers(obj client.Object) []string {
	var out []string
	for _, f := range obj.GetFinalizers() {
		if f != Finalizer {
			out = append(out, f)
		}
	}
	return out
}

// userAnnotations are obj's annotations but the operator's bookkeeping,
// compared with other, the same object before or after: the create intent,
// the effect records, the created-ID, effects-for and held-by-UID records, and the
// external ID when it changed in the same write as the intent. Only the operator writes both at once (the ID
// recorded with an intent or in the write that takes it away, both taken
// back when a create is refused), and the pass that wrote them goes on
// from what it wrote; a person who adds or removes the ID alone is still
// heard.
func userAnnotations(obj, other client.Object) map[string]string {
	withIntent := obj.GetAnnotations()[hostingv1alpha1.AnnotationCreatePending] !=
		other.GetAnnotations()[hostingv1alpha1.AnnotationCreatePending]
	out := map[string]string{}
	for k, v := range obj.GetAnnotations() {
		if !bookkeeping(k, withIntent) {
			out[k] = v
		}
	}
	return out
}

// bookkeeping says annotation k is the operator's own (userAnnotations);
// withIntent says the write changes the create intent.
func bookkeeping(k string, withIntent bool) bool {
	return slices.Contains(intentAnnotations, k) || strings.HasPrefix(k, effectAnnotationPrefix) ||
		k == hostingv1alpha1.AnnotationCreatedID || k == hostingv1alpha1.AnnotationEffectsFor || k == hostingv1alpha1.AnnotationHeldByUID ||
		(withIntent && slices.Contains(idAnnotations, k))
}
