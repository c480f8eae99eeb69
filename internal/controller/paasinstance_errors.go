package controller

import (
	"errors"
	"net/http"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// classifyPaaS maps an error of the XML-RPC API to a failure; ok is false
// for anything else (network errors are classified as for the v5 API).
func classifyPaaS(err error) (failure, bool) {
	var he *paas.HTTPError
	var f *paas.Fault
	switch {
	case errors.As(err, &he) && he.StatusCode == http.StatusTooManyRequests:
		return failure{reason: hostingv1alpha1.ReasonRateLimited, transient: true, retryAfter: he.RetryAfter}, true
	case errors.As(err, &he):
		return failure{reason: hostingv1alpha1.ReasonGandiUnavailable, transient: he.StatusCode >= 500, retryAfter: he.RetryAfter}, true
	case errors.Is(err, paas.ErrUndecodable):
		return failure{reason: hostingv1alpha1.ReasonUnexpectedAnswer}, true
	case !errors.As(err, &f):
		return failure{}, false
	case paas.IsUnauthorized(err):
		return failure{reason: hostingv1alpha1.ReasonUnauthorized, blind: true}, true
	case paas.IsNoCredit(err):
		return failure{reason: hostingv1alpha1.ReasonWaitingForPayment}, true
	case paas.IsNotFound(err):
		return failure{reason: hostingv1alpha1.ReasonExternalNotFound}, true
	case paas.IsAlreadyExists(err):
		return failure{reason: hostingv1alpha1.ReasonAlreadyExists}, true
	case paas.IsBadState(err):
		return failure{reason: hostingv1alpha1.ReasonConflict, transient: true}, true
	}
	return failure{reason: hostingv1alpha1.ReasonInvalidSpec}, true
}
