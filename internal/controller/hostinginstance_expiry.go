package controller

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// An instance that reaches its end date without renewal is paused by Gandi:
// for a hosting customer, an outage. The ExpiringSoon condition and one
// Warning event per end date say so early enough to act. Neither touches
// Gandi nor Ready: the instance is fine until the date.

// expiryInput is what the ExpiringSoon decision looks at.
type expiryInput struct {
	// expireAt is the end date Gandi reports now (nil: none reported).
	expireAt *metav1.Time
	// autorenew: Gandi reports an autorenew setting; cancelled: the
	// subscription is cancelled, so nothing renews whatever autorenew says.
	autorenew, cancelled bool
	// window is how long before the end the warning starts; 0 turns it off.
	window time.Duration
	now    time.Time
	// warnedFor is the end date the condition was already True for before
	// this pass (nil: it was not True). The event is sent once per end
	// date: the condition in the status is the memory of it, so a restart
	// of the operator does not send it again, and nothing is written at
	// Gandi.
	warnedFor *metav1.Time
}

// expiryDecision is the ExpiringSoon condition and whether to send the
// Warning event.
type expiryDecision struct {
	expiring        bool
	reason, message string
	warn            bool
}

// decideExpiry sets ExpiringSoon from the end date and renewal.
func decideExpiry(in expiryInput) expiryDecision {
	switch {
	case in.window <= 0:
		return expiryDecision{reason: hostingv1alpha1.ReasonExpiryWarningsOff, message: "expiry warnings are off (--expiry-warning-days=0)"}
	case in.expireAt == nil || in.expireAt.IsZero():
		return expiryDecision{reason: hostingv1alpha1.ReasonExpiryUnknown, message: "Gandi reports no end date for the instance"}
	}
	end := in.expireAt.UTC()
	date := end.Format(time.RFC3339)
	if in.autorenew && !in.cancelled {
		return expiryDecision{reason: hostingv1alpha1.ReasonAutorenewEnabled, message: "Gandi renews the instance automatically on " + date}
	}
	left := end.Sub(in.now)
	if left > in.window {
		// No count of days here: a settled instance's status stays the
		// same from pass to pass, and so is never written.
		return expiryDecision{reason: hostingv1alpha1.ReasonNotExpiringSoon,
			message: fmt.Sprintf("the instance ends on %s, beyond the warning window of %s, and Gandi will not renew it", date, days(in.window))}
	}
	why := "autorenew is off"
	if in.cancelled {
		why = "its subscription is cancelled"
	}
	d := expiryDecision{expiring: true, reason: hostingv1alpha1.ReasonExpiresWithoutRenewal,
		message: fmt.Sprintf("the instance ends on %s, in %s, and Gandi will not renew it (%s): renew it at Gandi, or Gandi pauses it then", date, days(left), why)}
	if left <= 0 {
		d.reason = hostingv1alpha1.ReasonExpired
		d.message = fmt.Sprintf("the instance ended on %s, %s ago, and Gandi did not renew it (%s): renew it at Gandi before it is paused or deleted", date, days(-left), why)
	}
	d.warn = in.warnedFor == nil || !in.warnedFor.Equal(in.expireAt)
	return d
}

// days says a duration in whole days, as people count the time to a date.
// A message with the days left changes once a day, so the status of an
// expiring instance is written once a day, not at every pass.
func days(d time.Duration) string {
	n := int(d / Day)
	switch n {
	case 0:
		return "less than a day"
	case 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// reportExpiry sets ExpiringSoon from what Gandi reported in this pass and
// sends the Warning event when the condition turns True for a new end date.
// before is the end date recorded before this pass.
func (r *HostingInstanceReconciler) reportExpiry(ctx context.Context, hi *hostingv1alpha1.HostingInstance, inst *gandi.Instance, before *metav1.Time) {
	var warnedFor *metav1.Time
	if meta.IsStatusConditionTrue(hi.Status.Conditions, hostingv1alpha1.ConditionExpiringSoon) {
		warnedFor = before
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	d := decideExpiry(expiryInput{
		expireAt: hi.Status.ExpireAt, autorenew: inst.Autorenew != nil, cancelled: inst.SubscriptionCancelled,
		window: r.Timing.ExpiryWarning, now: now(), warnedFor: warnedFor,
	})
	setCondition(hi, hostingv1alpha1.ConditionExpiringSoon, d.expiring, d.reason, d.message)
	if d.warn && !r.warnedAlready(ctx, hi) {
		r.Events.warn(hi, d.reason, "CheckExpiry", d.message)
	}
}

// warnedAlready asks the API server whether the object already records
// ExpiringSoon=True for its current end date. The cache can be behind the
// object's last status write: the pass that the finalizer's update
// triggers may read the object before the status that the first pass
// wrote reaches the cache, and would warn a second time. The read happens
// only when the cached object says to warn, about once per end date. When
// it fails, the event is sent: a duplicate is better than none.
func (r *HostingInstanceReconciler) warnedAlready(ctx context.Context, hi *hostingv1alpha1.HostingInstance) bool {
	if r.Reader == nil {
		return false
	}
	fresh := &hostingv1alpha1.HostingInstance{}
	if err := r.Reader.Get(ctx, client.ObjectKeyFromObject(hi), fresh); err != nil {
		return false
	}
	st := fresh.Status
	return meta.IsStatusConditionTrue(st.Conditions, hostingv1alpha1.ConditionExpiringSoon) &&
		st.ExpireAt != nil && hi.Status.ExpireAt != nil && st.ExpireAt.Equal(hi.Status.ExpireAt)
}

// renews is status.autorenew: Gandi renews the instance at its end date.
func renews(inst *gandi.Instance) *bool {
	return gandi.Ptr(inst.Autorenew != nil && !inst.SubscriptionCancelled)
}
