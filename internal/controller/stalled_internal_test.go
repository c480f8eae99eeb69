package controller

import (
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// TestStallsOn is the rule for Stalled, reason by reason: a stop only a
// person can lift stalls (kstatus: Failed); one that lifts by itself, or a
// pause the user chose, does not (Ready=False: InProgress).
func TestStallsOn(t *testing.T) {
	for reason, want := range map[string]bool{
		// The spec, or what it names, must change.
		hostingv1alpha1.ReasonInvalidSpec:              true,
		hostingv1alpha1.ReasonCreateRefused:            true,
		hostingv1alpha1.ReasonCreateKeyChanged:         true,
		hostingv1alpha1.ReasonNotEditable:              true,
		hostingv1alpha1.ReasonTemplateNotFound:         true,
		hostingv1alpha1.ReasonDomainNotFound:           true,
		hostingv1alpha1.ReasonConnectionSecretConflict: true,
		// Credentials.
		hostingv1alpha1.ReasonCredentialsNotFound:   true,
		hostingv1alpha1.ReasonCredentialsKeyMissing: true,
		hostingv1alpha1.ReasonCredentialsInvalid:    true,
		hostingv1alpha1.ReasonAPIKeyRequired:        true,
		hostingv1alpha1.ReasonUnauthorized:          true,
		hostingv1alpha1.ReasonPasswordNotFound:      true,
		hostingv1alpha1.ReasonPasswordInvalid:       true,
		// Ownership.
		hostingv1alpha1.ReasonAlreadyExists:           true,
		hostingv1alpha1.ReasonAmbiguousExternalObject: true,
		hostingv1alpha1.ReasonExternalNotFound:        true,
		hostingv1alpha1.ReasonCredentialsChanged:      true,
		hostingv1alpha1.ReasonOwnedByAnotherObject:    true,
		// The legacy API's "no credit".
		hostingv1alpha1.ReasonWaitingForPayment: true,

		// The user's choice.
		hostingv1alpha1.ReasonReconcilePaused: false,
		// Lifts by itself: retried, or looked at again.
		hostingv1alpha1.ReasonRateLimited:      false,
		hostingv1alpha1.ReasonGandiUnavailable: false,
		hostingv1alpha1.ReasonConflict:         false,
		hostingv1alpha1.ReasonUnexpectedAnswer: false,
		hostingv1alpha1.ReasonKubernetesError:  false,
		hostingv1alpha1.ReasonInternalError:    false,
		hostingv1alpha1.ReasonSendWindowPassed: false,
		// On its way.
		hostingv1alpha1.ReasonCreating:           false,
		hostingv1alpha1.ReasonUpdating:           false,
		hostingv1alpha1.ReasonDeleting:           false,
		hostingv1alpha1.ReasonApplying:           false,
		hostingv1alpha1.ReasonWaitingForState:    false,
		hostingv1alpha1.ReasonWaitingForInstance: false,
		hostingv1alpha1.ReasonWaitingForTemplate: false,
		hostingv1alpha1.ReasonPaidChangeHeld:     false,
		// Done, or only observed.
		hostingv1alpha1.ReasonAvailable:     false,
		hostingv1alpha1.ReasonUpToDate:      false,
		hostingv1alpha1.ReasonObserved:      false,
		hostingv1alpha1.ReasonDriftDetected: false,
	} {
		if got := stallsOn(reason); got != want {
			t.Errorf("stallsOn(%s) = %v, want %v", reason, got, want)
		}
	}
}

// TestPassStalls checks what a pass's answer shows on Stalled: the report
// of the stop, as Ready or Synced has it, or no condition at all.
func TestPassStalls(t *testing.T) {
	timing := Timing{Poll: time.Minute, Transitional: time.Second}
	gandiErr := func(status int) error {
		return fmt.Errorf("ctx: %w", &gandi.APIError{StatusCode: status, FromGandi: true, Method: http.MethodGet})
	}
	failing := func(err error) func(managed) result {
		return func(obj managed) result { return failed(obj, timing, "observe the instance", err) }
	}
	stopping := func(reason string) func(managed) result {
		return func(obj managed) result { return *stopped(obj, timing, reason, "stopped: "+reason) }
	}
	for _, c := range []struct {
		name string
		pass func(managed) result
		// reason is Stalled's, "" for none; its message is the one of
		// the condition from.
		reason, from string
	}{
		{"a name Gandi has for another's object", stopping(hostingv1alpha1.ReasonAlreadyExists), hostingv1alpha1.ReasonAlreadyExists, hostingv1alpha1.ConditionSynced},
		{"a Gandi object named by two", func(obj managed) result { return *ownedByAnother(obj, timing, "named by another") },
			hostingv1alpha1.ReasonOwnedByAnotherObject, hostingv1alpha1.ConditionSynced},
		{"an object no longer seen", func(obj managed) result {
			return *concluded(obj, timing, hostingv1alpha1.ReasonExternalNotFound, "gone")
		}, hostingv1alpha1.ReasonExternalNotFound, hostingv1alpha1.ConditionSynced},
		{"a rename while a create is unconfirmed", stopping(hostingv1alpha1.ReasonCreateKeyChanged), hostingv1alpha1.ReasonCreateKeyChanged, hostingv1alpha1.ConditionSynced},
		{"credentials missing", failing(&CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsNotFound}), hostingv1alpha1.ReasonCredentialsNotFound, hostingv1alpha1.ConditionSynced},
		{"a token refused", failing(gandiErr(http.StatusForbidden)), hostingv1alpha1.ReasonUnauthorized, hostingv1alpha1.ConditionSynced},
		{"input refused", failing(gandiErr(http.StatusUnprocessableEntity)), hostingv1alpha1.ReasonInvalidSpec, hostingv1alpha1.ConditionSynced},
		{"a connection Secret not this object's", failing(&specError{reason: hostingv1alpha1.ReasonConnectionSecretConflict, msg: "a user's Secret"}),
			hostingv1alpha1.ReasonConnectionSecretConflict, hostingv1alpha1.ConditionSynced},
		{"a create refused for a state, concluded", func(obj managed) result {
			return createRefused(obj, &instanceExternal{hi: obj.(*hostingv1alpha1.HostingInstance)}, "Gandi refused", failed(obj, timing, "create", gandiErr(http.StatusConflict)))
		}, hostingv1alpha1.ReasonCreateRefused, hostingv1alpha1.ConditionReady},

		{"Gandi's 5xx", failing(gandiErr(http.StatusServiceUnavailable)), "", ""},
		{"a connection reset", failing(fmt.Errorf("x: %w", syscall.ECONNRESET)), "", ""},
		{"a rate limit", failing(gandiErr(http.StatusTooManyRequests)), "", ""},
		{"a state conflict, looked at again", failing(gandiErr(http.StatusConflict)), "", ""},
		{"an answer the operator cannot use", failing(fmt.Errorf("%w: x", gandi.ErrUndecodable)), "", ""},
		{"paused", func(obj managed) result { reportPaused(obj); return result{} }, "", ""},
		{"on its way", func(obj managed) result {
			setCondition(obj, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating, "Gandi is creating the instance")
			return waitFor(timing.Transitional)
		}, "", ""},
		{"a later step ending on a stop that lifts by itself", func(obj managed) result {
			return stopped(obj, timing, hostingv1alpha1.ReasonAlreadyExists, "taken").stalling(hostingv1alpha1.ReasonConflict, "locked")
		}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			obj := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Name: "site", Generation: 3}}
			// An earlier pass stalled: a pass that does not, removes it.
			setCondition(obj, hostingv1alpha1.ConditionStalled, true, hostingv1alpha1.ReasonCredentialsNotFound, "an earlier pass")
			reportStalled(obj, c.pass(obj))
			got := meta.FindStatusCondition(obj.Status.Conditions, hostingv1alpha1.ConditionStalled)
			if c.reason == "" {
				if got != nil {
					t.Fatalf("Stalled = %+v, want none", *got)
				}
				return
			}
			from := meta.FindStatusCondition(obj.Status.Conditions, c.from)
			if got == nil || got.Status != metav1.ConditionTrue || got.Reason != c.reason || got.Message != from.Message || got.ObservedGeneration != 3 {
				t.Fatalf("Stalled = %+v, want True, reason %s, the message of %s (%q)", got, c.reason, c.from, from.Message)
			}
		})
	}
}
