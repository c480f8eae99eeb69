package controller

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// A HostingInstance leaves its vhost list to its Vhost objects only while
// one of them reads it at every poll: a paused or stalled one does not.
func TestReadsVhostList(t *testing.T) {
	vhost := func(annotations map[string]string, conditions ...metav1.Condition) *hostingv1alpha1.Vhost {
		return &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Name: "www", Annotations: annotations},
			Status: hostingv1alpha1.VhostStatus{Conditions: conditions}}
	}
	stalled := metav1.Condition{Type: hostingv1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: hostingv1alpha1.ReasonCredentialsNotFound}
	ready := metav1.Condition{Type: hostingv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: hostingv1alpha1.ReasonAvailable}
	waiting := metav1.Condition{Type: hostingv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: hostingv1alpha1.ReasonWaitingForInstance}
	for _, tt := range []struct {
		name string
		vh   *hostingv1alpha1.Vhost
		want bool
	}{
		{"new, not yet reconciled", vhost(nil), true},
		{"ready", vhost(nil, ready), true},
		{"waiting for its instance (the converge path)", vhost(nil, waiting), true},
		{"paused", vhost(map[string]string{hostingv1alpha1.AnnotationPaused: "true"}, ready), false},
		{"stalled (credentials missing)", vhost(nil, waiting, stalled), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := readsVhostList(tt.vh); got != tt.want {
				t.Fatalf("readsVhostList = %v, want %v", got, tt.want)
			}
		})
	}
}
