package controller

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

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

// Only a Secret both marks give to one object is found as that object's
// connection Secret, and so retired when it no longer describes its
// instance.
func TestConnectionSecretOf(t *testing.T) {
	const uid = "0b5e5f0c-0000-4000-8000-000000000001"
	controller := func(id types.UID) []metav1.OwnerReference {
		return []metav1.OwnerReference{{Kind: "HostingInstance", Name: "shop", UID: id, Controller: ptr.To(true)}}
	}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		owners []metav1.OwnerReference
		want   []string
	}{
		{"both marks", map[string]string{hostingv1alpha1.LabelConnectionSecretOf: uid}, controller(uid), []string{uid}},
		{"owner only (an earlier version's)", nil, controller(uid), nil},
		{"label only", map[string]string{hostingv1alpha1.LabelConnectionSecretOf: uid}, nil, nil},
		{"marks of two objects", map[string]string{hostingv1alpha1.LabelConnectionSecretOf: uid}, controller("another"), nil},
		{"owned, not controlled", map[string]string{hostingv1alpha1.LabelConnectionSecretOf: uid},
			[]metav1.OwnerReference{{Kind: "HostingInstance", Name: "shop", UID: uid}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Labels: tc.labels, OwnerReferences: tc.owners}}
			if got := connectionSecretOf(m); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The Secret watch's cache keeps, of a Secret's labels, the connection
// Secret's mark only, which connectionSecretIndex reads.
func TestStripSecretMetadataKeepsTheMark(t *testing.T) {
	m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		Labels:      map[string]string{hostingv1alpha1.LabelConnectionSecretOf: "u", hostingv1alpha1.LabelWatch: "true", "team": "web"},
		Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"},
	}}
	if _, err := stripSecretMetadata(m); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(m.Labels, map[string]string{hostingv1alpha1.LabelConnectionSecretOf: "u"}) || m.Annotations != nil {
		t.Errorf("kept labels %v, annotations %v", m.Labels, m.Annotations)
	}
	m = &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{hostingv1alpha1.LabelWatch: "true"}}}
	if _, err := stripSecretMetadata(m); err != nil || m.Labels != nil {
		t.Errorf("kept labels %v of an unmarked Secret", m.Labels)
	}
}

// Which Secrets a pass retires: those the object wrote and the one its
// spec names, but the one it keeps (none when the instance is gone).
func TestToRetire(t *testing.T) {
	ref := func(name string) *hostingv1alpha1.LocalObjectReference {
		return &hostingv1alpha1.LocalObjectReference{Name: name}
	}
	for _, tc := range []struct {
		name    string
		written []string
		ref     *hostingv1alpha1.LocalObjectReference
		keep    string
		want    []string
	}{
		{"steady: the named one is kept", []string{"conn"}, ref("conn"), "conn", []string{}},
		{"renamed", []string{"conn", "conn-v2"}, ref("conn-v2"), "conn-v2", []string{"conn"}},
		{"renamed, the new one not cached yet", []string{"conn"}, ref("conn-v2"), "conn-v2", []string{"conn"}},
		{"ref removed", []string{"conn"}, nil, "", []string{"conn"}},
		{"instance gone: all, the named one even if not cached yet", []string{"old"}, ref("conn"), "", []string{"conn", "old"}},
		{"instance gone, nothing written", nil, ref("conn"), "", []string{"conn"}},
		{"an invalid name names no Secret", nil, ref("UPPER_case"), "", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := toRetire(tc.written, tc.ref, tc.keep); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
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
