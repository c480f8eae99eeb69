package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// lookedUpInstances answers GetInstance with a fixed state (or error) and
// counts the reads; any other call panics on the nil interface.
type lookedUpInstances struct {
	instanceAPI
	status string
	err    error
	gets   int
}

func (f *lookedUpInstances) GetInstance(context.Context, string) (*gandi.Instance, error) {
	f.gets++
	if f.err != nil {
		return nil, f.err
	}
	return &gandi.Instance{ID: "i1", Status: f.status}, nil
}

type lookedUpVhosts struct {
	vhostAPI
	status string
	gets   int
}

func (f *lookedUpVhosts) GetVhost(context.Context, string, string) (*gandi.Vhost, error) {
	f.gets++
	return &gandi.Vhost{FQDN: "www.example.com", Status: f.status}, nil
}

// TestRefusedWrite pins how the refusal of a write to an instance or a
// vhost is reported: a state conflict, whatever its code, is retried with
// backoff under Synced=Conflict; anything else is reported as classify says.
func TestRefusedWrite(t *testing.T) {
	refused := func(status int) error {
		return fmt.Errorf("update: %w", &gandi.APIError{StatusCode: status, FromGandi: true, Method: http.MethodPatch, Route: gandi.RouteInstance})
	}
	down := refused(http.StatusServiceUnavailable)
	timing := Timing{Poll: time.Minute, Transitional: time.Second}
	cases := []struct {
		name string
		err  error
		// state and lookErr are what a fresh read of the instance says.
		state   string
		lookErr error
		vhost   bool
		// looks is how many reads the decision may cost.
		looks     int
		reason    string
		transient bool
		inMessage string
	}{
		{"409 is a state conflict by its meaning, without a look", refused(http.StatusConflict), "", nil, false, 0, hostingv1alpha1.ReasonConflict, true, "in the state it is in"},
		{"423 Locked likewise", refused(http.StatusLocked), "", nil, false, 0, hostingv1alpha1.ReasonConflict, true, "in the state it is in"},
		{"400 while the instance turned locked", refused(http.StatusBadRequest), "locked", nil, false, 1, hostingv1alpha1.ReasonConflict, true, "while it is locked"},
		{"422 while the instance is being created again", refused(http.StatusUnprocessableEntity), "being_created", nil, false, 1, hostingv1alpha1.ReasonConflict, true, "while it is being_created"},
		{"403 while the instance is paused", refused(http.StatusForbidden), "paused", nil, false, 1, hostingv1alpha1.ReasonConflict, true, "while it is paused"},
		{"400 on an instance still active is a refused request", refused(http.StatusBadRequest), gandi.InstanceActive, nil, false, 1, hostingv1alpha1.ReasonInvalidSpec, false, "400"},
		{"403 on an instance still active is a credentials problem", refused(http.StatusForbidden), gandi.InstanceActive, nil, false, 1, hostingv1alpha1.ReasonUnauthorized, false, "403"},
		{"400 and the look fails: as classify says", refused(http.StatusBadRequest), "", down, false, 1, hostingv1alpha1.ReasonInvalidSpec, false, "400"},
		{"401 is never a state", refused(http.StatusUnauthorized), "locked", nil, false, 0, hostingv1alpha1.ReasonUnauthorized, false, "401"},
		{"404: the object is gone", refused(http.StatusNotFound), "locked", nil, false, 0, hostingv1alpha1.ReasonExternalNotFound, false, "404"},
		{"429 stays a rate limit", refused(http.StatusTooManyRequests), "locked", nil, false, 0, hostingv1alpha1.ReasonRateLimited, true, "429"},
		{"5xx stays Gandi unavailable", down, "locked", nil, false, 0, hostingv1alpha1.ReasonGandiUnavailable, true, "503"},
		{"an action not performed (204) is no refusal", &gandi.APIError{StatusCode: http.StatusNoContent, Route: gandi.RouteAction}, "locked", nil, false, 0, hostingv1alpha1.ReasonGandiUnavailable, true, "204"},
		{"not an answer of Gandi", errors.New("record restart before sending it: conflict"), "locked", nil, false, 0, hostingv1alpha1.ReasonInternalError, true, "record restart"},
		{"400 while the vhost waits for its ownership", refused(http.StatusBadRequest), gandi.VhostWaitingOwnership, nil, true, 1, hostingv1alpha1.ReasonConflict, true, "while it is waiting_ownership"},
		{"400 on a vhost still running", refused(http.StatusBadRequest), gandi.VhostRunning, nil, true, 1, hostingv1alpha1.ReasonInvalidSpec, false, "400"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var obj managed
			var look stateLook
			var gets func() int
			if c.vhost {
				api := &lookedUpVhosts{status: c.state}
				obj, look, gets = &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Generation: 1}}, vhostState(api, "i1", "www.example.com"), func() int { return api.gets }
			} else {
				api := &lookedUpInstances{status: c.state, err: c.lookErr}
				obj, look, gets = &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Generation: 1}}, instanceState(api, "i1"), func() int { return api.gets }
			}
			res := refusedWrite(context.Background(), obj, timing, "update instance i1", c.err, look)
			if gets() != c.looks {
				t.Errorf("%d reads of the object, want %d", gets(), c.looks)
			}
			synced := meta.FindStatusCondition(*obj.GetConditions(), hostingv1alpha1.ConditionSynced)
			if synced == nil || synced.Status != metav1.ConditionFalse || synced.Reason != c.reason {
				t.Fatalf("Synced = %+v, want False/%s", synced, c.reason)
			}
			if !strings.Contains(synced.Message, c.inMessage) {
				t.Errorf("Synced message %q does not say %q", synced.Message, c.inMessage)
			}
			// Transient: retried with backoff (or at Retry-After); otherwise
			// left for the next poll.
			if transient := res.err != nil || (res.requeue > 0 && res.requeue < timing.Poll*8/10); transient != c.transient {
				t.Errorf("result %+v: transient %v, want %v", res, transient, c.transient)
			}
			if c.reason == hostingv1alpha1.ReasonConflict && !errors.Is(res.err, c.err) {
				t.Errorf("the retried error %v does not wrap Gandi's answer", res.err)
			}
		})
	}
}
