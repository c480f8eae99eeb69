package controller

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

func TestUserChange(t *testing.T) {
	const (
		id     = hostingv1alpha1.AnnotationExternalID
		intent = hostingv1alpha1.AnnotationCreatePending
	)
	vh := func(ann map[string]string, finalizers ...string) *hostingv1alpha1.Vhost {
		return &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Name: "v", Annotations: ann, Finalizers: finalizers}}
	}
	labelled := func(v *hostingv1alpha1.Vhost, labels map[string]string) *hostingv1alpha1.Vhost {
		v.Labels = labels
		return v
	}
	cases := []struct {
		name     string
		old, cur *hostingv1alpha1.Vhost
		want     bool
	}{
		{"the finalizer and an intent", vh(nil), vh(map[string]string{intent: "t1"}, Finalizer), false},
		{"an intent with the ID recorded in advance", vh(nil), vh(map[string]string{intent: "t1", id: "www.example.com"}, Finalizer), false},
		{"an intent with the ID and its instance recorded in advance", vh(nil), vh(map[string]string{intent: "t1", id: "www.example.com", hostingv1alpha1.AnnotationInstanceID: "i1"}, Finalizer), false},
		{"a person re-points the recorded instance", vh(map[string]string{id: "www.example.com", hostingv1alpha1.AnnotationInstanceID: "i1"}), vh(map[string]string{id: "www.example.com", hostingv1alpha1.AnnotationInstanceID: "i2"}), true},
		{"the ID recorded in the write that takes the intent away", vh(map[string]string{intent: "t1"}), vh(map[string]string{id: "123"}), false},
		{"the ID and its create recorded in the write that takes the intent away", vh(map[string]string{intent: "t1"}), vh(map[string]string{id: "123", hostingv1alpha1.AnnotationCreatedID: "123"}), false},
		{"the effects record follows a re-pointed ID", vh(map[string]string{id: "456", hostingv1alpha1.AnnotationEffectsFor: "123"}), vh(map[string]string{id: "456", hostingv1alpha1.AnnotationEffectsFor: "456"}), false},
		{"a person re-points an instance the object bought", vh(map[string]string{id: "123", hostingv1alpha1.AnnotationCreatedID: "123"}), vh(map[string]string{id: "456", hostingv1alpha1.AnnotationCreatedID: "123"}), true},
		{"a refused create taken back", vh(map[string]string{intent: "t1", id: "www.example.com"}), vh(nil), false},
		{"a person names the ID", vh(nil), vh(map[string]string{id: "123"}), true},
		{"a person removes the ID beside an old intent", vh(map[string]string{intent: "t1", id: "www.example.com"}), vh(map[string]string{intent: "t1"}), true},
		{"a person asks to adopt", vh(nil), vh(map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}), true},
		{"a person's own finalizer", vh(nil), vh(nil, "example.com/keep"), true},
		// The paid hold: a person removes it as PaidChangeHeld says; the
		// operator writes it only beside another record of its own.
		{"a person removes the paid hold", vh(map[string]string{id: "123", paidHoldKey: "t0"}), vh(map[string]string{id: "123"}), true},
		{"a person makes the paid hold a time", vh(map[string]string{id: "123", paidHoldKey: "later"}), vh(map[string]string{id: "123", paidHoldKey: "t1"}), true},
		{"the hold written in the write that takes hold of the instance", vh(map[string]string{id: "123"}),
			vh(map[string]string{id: "123", paidHoldKey: "t0", hostingv1alpha1.AnnotationEffectsFor: "123", hostingv1alpha1.AnnotationHeldByUID: "u"}), false},
		{"the hold written again when a restored copy takes hold again", vh(map[string]string{id: "123", hostingv1alpha1.AnnotationHeldByUID: "u0", paidHoldKey: "t0"}),
			vh(map[string]string{id: "123", hostingv1alpha1.AnnotationHeldByUID: "u1", paidHoldKey: "t1"}), false},
		{"a hold that is over dropped when the paid record settles", vh(map[string]string{id: "123", paidHoldKey: "t0", effectAnnotationPrefix + effectPaidChange: "size=l"}),
			vh(map[string]string{id: "123"}), false},
		{"the hold dropped with a create's intent", vh(map[string]string{paidHoldKey: "t0"}), vh(map[string]string{intent: "t1"}, Finalizer), false},
		{"a person removes the hold beside a record the operator left alone", vh(map[string]string{id: "123", paidHoldKey: "t0", effectAnnotationPrefix + effectPaidChange: "size=l"}),
			vh(map[string]string{id: "123", effectAnnotationPrefix + effectPaidChange: "size=l"}), true},
		{"the domain of an apply labelled before its record", vh(nil), labelled(vh(nil), map[string]string{hostingv1alpha1.LabelApplyDomain: "dom-1"}), false},
		{"a person's label beside it", labelled(vh(nil), map[string]string{hostingv1alpha1.LabelApplyDomain: "dom-1"}),
			labelled(vh(nil), map[string]string{hostingv1alpha1.LabelApplyDomain: "dom-1", "team": "shop"}), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := userChange(c.old, c.cur); got != c.want {
				t.Fatalf("userChange = %v, want %v", got, c.want)
			}
		})
	}
}
