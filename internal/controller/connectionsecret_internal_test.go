package controller

import (
	"context"
	"errors"
	"testing"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// An invalid connection Secret name (stored before the CRD refused it) is
// InvalidSpec, waiting for a spec change, and nothing is sent to the API
// server (the reconciler has no client here: any call would panic).
func TestConnectionSecretInvalidName(t *testing.T) {
	r := &HostingInstanceReconciler{}
	hi := &hostingv1alpha1.HostingInstance{}
	hi.UID = "0b5e5f0c-0000-4000-8000-000000000001"
	hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: "UPPER_case"}
	hi.Status.Access = &hostingv1alpha1.AccessStatus{AdminURL: "https://admin.example/"}

	err := r.writeConnectionSecret(context.Background(), hi)
	var se *specError
	if !errors.As(err, &se) || classify(err).reason != hostingv1alpha1.ReasonInvalidSpec {
		t.Fatalf("want an InvalidSpec error, got %v", err)
	}
	if f := classify(err); f.reason != hostingv1alpha1.ReasonInvalidSpec || f.transient {
		t.Errorf("classified as %+v: want InvalidSpec, not retried", f)
	}
	res := failed(hi, DefaultTiming(), "write connection Secret", err)
	if res.err != nil || res.requeue == 0 {
		t.Errorf("result %+v: want a requeue at the poll interval, no error", res)
	}
}
