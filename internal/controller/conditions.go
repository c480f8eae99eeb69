package controller

import (
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// result is what one reconcile pass concluded about when to come back.
type result struct {
	requeue time.Duration
	// err is a transient failure: controller-runtime retries with backoff.
	err error
}

// setCondition sets one condition for the given generation. The transition
// time only moves when the status does, so a steady state writes nothing.
func setCondition(conds *[]metav1.Condition, generation int64, condType string, ok bool, reason, message string) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(conds, metav1.Condition{
		Type: condType, Status: status, Reason: reason, Message: truncate(message, 1024), ObservedGeneration: generation,
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// stopped reports, on both Ready and Synced, a state only a person can
// resolve (AlreadyExists, AmbiguousExternalObject, ExternalNotFound…), and
// looks again at the next poll rather than in a hot loop.
func stopped(conds *[]metav1.Condition, generation int64, t Timing, reason, message string) *result {
	setCondition(conds, generation, hostingv1alpha1.ConditionReady, false, reason, message)
	setCondition(conds, generation, hostingv1alpha1.ConditionSynced, false, reason, message)
	return &result{requeue: jittered(t.Poll)}
}

// failure is how an error is reported: the Synced reason, and whether
// trying again soon may help.
type failure struct {
	reason     string
	transient  bool
	retryAfter time.Duration
}

// classify maps an error to a condition reason. Terminal errors (bad
// credentials, refused input, conflicts) wait for the next spec change or
// poll; transient ones (rate limits, 5xx, timeouts) are retried with backoff.
func classify(err error) failure {
	var credErr *CredentialsError
	switch {
	case errors.As(err, &credErr):
		return failure{reason: credErr.Reason}
	case gandi.IsUnauthorized(err), gandi.IsForbidden(err):
		return failure{reason: hostingv1alpha1.ReasonUnauthorized}
	case gandi.IsRateLimited(err):
		return failure{reason: hostingv1alpha1.ReasonRateLimited, transient: true, retryAfter: gandi.RetryAfter(err)}
	case gandi.IsTransient(err):
		return failure{reason: hostingv1alpha1.ReasonGandiUnavailable, transient: true, retryAfter: gandi.RetryAfter(err)}
	case gandi.IsNotFound(err):
		return failure{reason: hostingv1alpha1.ReasonExternalNotFound}
	case gandi.IsConflict(err):
		return failure{reason: hostingv1alpha1.ReasonConflict}
	case gandi.IsInvalid(err):
		return failure{reason: hostingv1alpha1.ReasonInvalidSpec}
	case apierrors.IsConflict(err):
		return failure{reason: hostingv1alpha1.ReasonKubernetesError, transient: true}
	}
	var apiErr *gandi.APIError
	if errors.As(err, &apiErr) {
		return failure{reason: hostingv1alpha1.ReasonInvalidSpec}
	}
	return failure{reason: hostingv1alpha1.ReasonKubernetesError, transient: true}
}

// failed reports err on the Synced condition and says when to try again.
func failed(conds *[]metav1.Condition, generation int64, t Timing, action string, err error) result {
	f := classify(err)
	msg := fmt.Sprintf("%s: %v", action, err)
	if f.reason == hostingv1alpha1.ReasonUnauthorized {
		msg += " (check the token and its rights on the organization)"
	}
	setCondition(conds, generation, hostingv1alpha1.ConditionSynced, false, f.reason, msg)
	switch {
	case !f.transient:
		return result{requeue: jittered(t.Poll)}
	case f.retryAfter > 0:
		return result{requeue: f.retryAfter}
	default:
		return result{err: fmt.Errorf("%s: %w", action, err)}
	}
}
