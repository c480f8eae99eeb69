package controller

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// TestConfirmedRotation: what status reports as the password Gandi last
// accepted, from the annotations a pass finds.
func TestConfirmedRotation(t *testing.T) {
	record, confirmed := effectAnnotationPrefix+effectPassword, confirmedKey(effectPassword)
	cases := []struct {
		name string
		ann  map[string]string
		want string
	}{
		{"never sent", nil, ""},
		{"an earlier build's record, which it reported applied", map[string]string{record: "u/1"}, "u/1"},
		{"sent with the create", acceptedRecord(effectPassword, "u/1"), "u/1"},
		{"a rotation accepted", map[string]string{record: "u/2", confirmed: "u/2"}, "u/2"},
		{"a rotation whose acceptance was never seen", map[string]string{record: "u/2", confirmed: "u/1"}, "u/1"},
		{"the first rotation ever, unconfirmed", map[string]string{record: "u/1", confirmed: ""}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Annotations: c.ann}}
			if got := confirmedRotation(hi, effectPassword); got != c.want {
				t.Fatalf("confirmedRotation = %q, want %q", got, c.want)
			}
		})
	}
}
