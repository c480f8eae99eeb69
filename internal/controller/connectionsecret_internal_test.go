package controller

import (
	"context"
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"

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

// A connection Secret is written when it differs from the instance, or
// is retired or unwatched; it is retired only once.
func TestConnectionSecretState(t *testing.T) {
	want := map[string][]byte{"admin_url": []byte("https://admin.example/")}
	secret := func(data map[string][]byte, watched bool, retired string) *corev1.Secret {
		s := &corev1.Secret{Data: data}
		s.Labels = map[string]string{hostingv1alpha1.LabelConnectionSecretOf: "u"}
		if watched {
			s.Labels[hostingv1alpha1.LabelWatch] = hostingv1alpha1.LabelWatchValue
		}
		if retired != "" {
			s.Annotations = map[string]string{hostingv1alpha1.AnnotationRetired: retired}
		}
		return s
	}
	for _, tc := range []struct {
		name          string
		s             *corev1.Secret
		holds, isGone bool
	}{
		{"live and up to date", secret(want, true, ""), true, false},
		{"live, data changed", secret(map[string][]byte{"admin_url": []byte("x")}, true, ""), false, false},
		{"unwatched", secret(want, false, ""), false, false},
		{"retired", secret(nil, false, "instance 1 no longer exists at Gandi"), false, true},
		{"retired, then filled by hand", secret(want, false, "gone"), false, false},
		{"retired, then watched by hand", secret(nil, true, "gone"), false, false},
		{"emptied by hand, not retired", secret(nil, false, ""), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := connectionSecretHolds(tc.s, want); got != tc.holds {
				t.Errorf("holds: got %v, want %v", got, tc.holds)
			}
			if got := retiredConnectionSecret(tc.s); got != tc.isGone {
				t.Errorf("retired: got %v, want %v", got, tc.isGone)
			}
		})
	}
}
