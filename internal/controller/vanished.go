package controller

import (
	"context"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// vanished handles a recorded Gandi object that Gandi no longer has (an
// instance deleted behind the operator's back): it is reported, and a new
// one is bought only when the user opted in (recreate: an instance's
// spec.recreateIfDeleted), never under Observe (policy). Then the recorded ID is
// taken back, the annotation here and the status through forgetID (which
// the ID is read from when the annotation is absent), so that the next
// pass creates through the shared lifecycle. what names the object for
// people ("PaaS instance"); the caller clears the state status reports.
func (l *lifecycle) vanished(ctx context.Context, obj managed, what, id string, recreate bool, policy *hostingv1alpha1.ManagedFields, forgetID func()) result {
	if !recreate || observeOnly(policy) {
		msg := what + " " + id + " no longer exists at Gandi; nothing was bought again (set spec.recreateIfDeleted to buy a new one, or delete this object)"
		l.events.warn(obj, hostingv1alpha1.ReasonExternalNotFound, "Observe", msg)
		return *stopped(obj, l.timing, hostingv1alpha1.ReasonExternalNotFound, msg)
	}
	l.events.warn(obj, hostingv1alpha1.ReasonExternalNotFound, "Recreate", what+" "+id+" no longer exists at Gandi; buying a new one as spec.recreateIfDeleted asks")
	if err := patchAnnotations(ctx, l.client, obj, annotationPatch{remove: []string{hostingv1alpha1.AnnotationExternalID, hostingv1alpha1.AnnotationHeldByUID}}); err != nil {
		return retry(err)
	}
	forgetID()
	return waitFor(time.Millisecond)
}
