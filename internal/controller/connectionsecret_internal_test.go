package controller

import (
	"context"
	"errors"
	"slices"
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

	holds, err := r.writeConnectionSecret(context.Background(), hi)
	if holds {
		t.Error("an invalid name reported as holding the endpoints: it would be recorded")
	}
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

// Which Secrets a pass retires: those status records written, but the
// one it keeps (none when the instance is gone); a Secret it never
// recorded (a person's copy, marks included) is never passed to retire.
// What stays recorded: the kept one, and those whose retirement failed.
func TestRetireRecorded(t *testing.T) {
	refused := errors.New("conflict")
	for _, tc := range []struct {
		name     string
		recorded []string
		keep     string
		failing  string
		tried    []string
		still    []string
	}{
		{"steady: the named one is kept", []string{"conn"}, "conn", "", nil, []string{"conn"}},
		{"nothing recorded (a copy under another name is not)", nil, "conn", "", nil, nil},
		{"renamed", []string{"conn", "conn-v2"}, "conn-v2", "", []string{"conn"}, []string{"conn-v2"}},
		{"renamed, the new one not written yet", []string{"conn"}, "conn-v2", "", []string{"conn"}, nil},
		{"ref removed", []string{"conn"}, "", "", []string{"conn"}, nil},
		{"instance gone: every recorded one", []string{"old", "conn"}, "", "", []string{"old", "conn"}, nil},
		{"instance gone, nothing recorded", nil, "", "", nil, nil},
		{"a failed retirement stays recorded", []string{"old", "conn"}, "conn", "old", []string{"old"}, []string{"old", "conn"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tried []string
			still, err := retireRecorded(tc.recorded, tc.keep, func(name string) error {
				tried = append(tried, name)
				if name == tc.failing {
					return refused
				}
				return nil
			})
			if !slices.Equal(tried, tc.tried) || !slices.Equal(still, tc.still) {
				t.Errorf("retired %v, still recorded %v; want %v, %v", tried, still, tc.tried, tc.still)
			}
			if (tc.failing != "") != errors.Is(err, refused) {
				t.Errorf("error %v", err)
			}
		})
	}
}

// A Secret written is recorded once, beside those not retired yet.
func TestRecordConnectionSecret(t *testing.T) {
	if got := recordConnectionSecret(nil, "conn"); !slices.Equal(got, []string{"conn"}) {
		t.Errorf("got %v", got)
	}
	if got := recordConnectionSecret([]string{"old", "conn"}, "conn"); !slices.Equal(got, []string{"old", "conn"}) {
		t.Errorf("got %v", got)
	}
	if got := recordConnectionSecret([]string{"old"}, "conn"); !slices.Equal(got, []string{"old", "conn"}) {
		t.Errorf("got %v", got)
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
