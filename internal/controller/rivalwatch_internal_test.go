package controller

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// TestReleasesClaim: which events of an object wake the others naming
// what it names (wakeRivals).
func TestReleasesClaim(t *testing.T) {
	const id = "0b6d3f5e-0000-4000-8000-00000000a001"
	base := func() *hostingv1alpha1.HostingInstance {
		return &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Name: "shop", Generation: 1,
			Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: id}}}
	}
	with := func(m func(*hostingv1alpha1.HostingInstance)) *hostingv1alpha1.HostingInstance {
		hi := base()
		m(hi)
		return hi
	}
	now := metav1.Now()
	cases := []struct {
		name string
		cur  *hostingv1alpha1.HostingInstance
		want bool
	}{
		{"nothing changed", base(), false},
		{"a status write (a condition)", with(func(hi *hostingv1alpha1.HostingInstance) {
			hi.Status.Conditions = []metav1.Condition{{Type: hostingv1alpha1.ConditionReady, Status: metav1.ConditionTrue}}
		}), false},
		{"a spec change (it may name something else now)", with(func(hi *hostingv1alpha1.HostingInstance) { hi.Generation = 2 }), true},
		{"its deletion starts", with(func(hi *hostingv1alpha1.HostingInstance) { hi.DeletionTimestamp = &now }), true},
		{"another ID", with(func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations[hostingv1alpha1.AnnotationExternalID] = "0b6d3f5e-0000-4000-8000-00000000a002"
		}), true},
		{"its ID removed", with(func(hi *hostingv1alpha1.HostingInstance) { hi.Annotations = nil }), true},
		{"its status records the ID as lost to another object", with(func(hi *hostingv1alpha1.HostingInstance) { hi.SetLostClaim(id) }), true},
		{"it records that it made the ID", with(func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations[hostingv1alpha1.AnnotationCreatedID] = id
		}), true},
	}
	p := releasesClaim()
	for _, c := range cases {
		if got := p.Update(event.UpdateEvent{ObjectOld: base(), ObjectNew: c.cur}); got != c.want {
			t.Errorf("%s: wakes its rivals %v, want %v", c.name, got, c.want)
		}
	}
	if !p.Delete(event.DeleteEvent{Object: base()}) {
		t.Error("its deletion does not wake its rivals")
	}
	if p.Create(event.CreateEvent{Object: base()}) {
		t.Error("a new object wakes the others: its own pass judges it")
	}
}
