package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

func gandiError(status int) error {
	return fmt.Errorf("get template: %w", &gandi.APIError{StatusCode: status, FromGandi: true, Method: http.MethodGet})
}

// Gandi's 403 is either the token (expired, unknown, lacking permission)
// or the object (another organization's): the probe, a read of no
// particular object under the same credentials, tells them apart. A 401
// is a wrong API key and is never probed; a probe that fails otherwise
// concludes nothing.
func TestNotVisible(t *testing.T) {
	cases := []struct {
		name       string
		read       error
		probe      error
		probed     bool
		notVisible bool
		reason     string
	}{
		{name: "another account's object: the token works for the list", read: gandiError(403), probed: true, notVisible: true},
		{name: "a token refused everywhere (expired, unknown, no rights)", read: gandiError(403), probe: gandiError(403), probed: true, reason: hostingv1alpha1.ReasonUnauthorized},
		{name: "the probe answered 401 (wrong API key)", read: gandiError(403), probe: gandiError(401), probed: true, reason: hostingv1alpha1.ReasonUnauthorized},
		{name: "the probe failed on Gandi's side: retried, nothing concluded", read: gandiError(403), probe: gandiError(503), probed: true, reason: hostingv1alpha1.ReasonGandiUnavailable},
		{name: "a 401 on the object is the API key, not probed", read: gandiError(401), reason: hostingv1alpha1.ReasonUnauthorized},
		{name: "a 404 stays a 404, not probed", read: gandiError(404), reason: hostingv1alpha1.ReasonExternalNotFound},
		{name: "answered", read: nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			probed := false
			err := notVisible(context.Background(), c.read, func(context.Context) error { probed = true; return c.probe })
			if probed != c.probed {
				t.Errorf("probed = %v, want %v", probed, c.probed)
			}
			if got := errors.Is(err, errNotVisible); got != c.notVisible {
				t.Errorf("not visible = %v, want %v (%v)", got, c.notVisible, err)
			}
			if c.reason != "" && !c.notVisible {
				if got := classify(err).reason; got != c.reason {
					t.Errorf("reason = %s, want %s (%v)", got, c.reason, err)
				}
			}
			if c.read == nil && err != nil {
				t.Errorf("err = %v, want nil", err)
			}
		})
	}
}
