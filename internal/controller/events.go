package controller

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
)

// eventRecorder records events about objects. Notes are passed as data,
// never as a format string, and never carry a token or a password: Gandi
// client errors are built without them.
type eventRecorder struct {
	rec events.EventRecorder
}

func (e eventRecorder) normal(obj runtime.Object, reason, action, note string) {
	if e.rec != nil {
		e.rec.Eventf(obj, nil, corev1.EventTypeNormal, reason, action, "%s", truncate(note, 1024))
	}
}

func (e eventRecorder) warn(obj runtime.Object, reason, action, note string) {
	if e.rec != nil {
		e.rec.Eventf(obj, nil, corev1.EventTypeWarning, reason, action, "%s", truncate(note, 1024))
	}
}
