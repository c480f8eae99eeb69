package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// The operator writes to an instance only while Gandi reports it active,
// and to a vhost only while it is running, but the state can change between
// the read and the write. The docs do not say how Gandi refuses a write in
// the wrong state: the simulator's 409 is its own choice (see gandisim's
// package doc), and Gandi may as well answer 400, 403, 422 or 423. Read as
// classify reads it, such a refusal would be an InvalidSpec (or
// Unauthorized) waiting for the next poll, although no spec change can help
// and the state usually passes on its own. So a refused write is a state
// conflict when its code says so (409, 423) or, whatever the code, when a
// fresh read shows that Gandi no longer takes changes on the object; it is
// then retried with backoff, like any transient failure.

// stateLook reads an object's state again. writable says Gandi takes changes
// in that state.
type stateLook func(ctx context.Context) (state string, writable bool, err error)

func instanceState(api instanceAPI, id string) stateLook {
	return func(ctx context.Context) (string, bool, error) {
		inst, err := observeInstance(ctx, api, id, true)
		if err != nil {
			return "", false, err
		}
		return inst.Status, inst.Status == gandi.InstanceActive, nil
	}
}

func vhostState(api vhostAPI, instanceID, fqdn string) stateLook {
	return func(ctx context.Context) (string, bool, error) {
		vh, err := observeVhost(ctx, api, instanceID, fqdn, true)
		if err != nil {
			return "", false, err
		}
		return vh.Status, vh.Status == gandi.VhostRunning, nil
	}
}

// stateConflict reports whether err, the answer to a write, refused the
// state the object is in rather than the request. state is what a fresh
// look saw; "" when there was no look or it failed.
func stateConflict(ctx context.Context, err error, look stateLook) (state string, conflict bool) {
	var ae *gandi.APIError
	if !errors.As(err, &ae) || ae.StatusCode < 400 || ae.StatusCode >= 500 {
		return "", false
	}
	switch ae.StatusCode {
	case http.StatusUnauthorized, http.StatusNotFound, http.StatusTooManyRequests:
		// A wrong key, an object gone, a rate limit: classify reads these
		// right, and a look would only repeat them.
		return "", false
	case http.StatusConflict, http.StatusLocked:
		return "", true
	}
	state, writable, lerr := look(ctx)
	if lerr != nil || writable {
		return state, false
	}
	return state, true
}

// refusedWrite reports a failed write as failed does, except a state
// conflict: Synced says Conflict (never InvalidSpec) and the write is
// retried with backoff; the next pass's read reports the state on Ready.
func refusedWrite(ctx context.Context, obj managed, t Timing, action string, err error, look stateLook) result {
	return refusedWriteEvent(ctx, obj, eventRecorder{}, t, action, err, look)
}

// refusedWriteEvent is refusedWrite that also records a Warning event
// whose reason is the one the condition gets.
func refusedWriteEvent(ctx context.Context, obj managed, ev eventRecorder, t Timing, action string, err error, look stateLook) result {
	state, conflict := stateConflict(ctx, err, look)
	if !conflict {
		ev.warn(obj, classify(err).reason, "Update", action+": "+err.Error())
		return failed(obj, t, action, err)
	}
	ev.warn(obj, hostingv1alpha1.ReasonConflict, "Update", action+": "+err.Error())
	why := "in the state it is in"
	if state != "" {
		why = "while it is " + state
	}
	msg := fmt.Sprintf("%s: %v: Gandi refuses changes %s; sent again once it takes them", action, err, why)
	setCondition(obj, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonConflict, msg)
	return retry(fmt.Errorf("%s: refused %s: %w", action, why, err))
}
