package controller

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// IndexHostingInstances registers on mgr's cache the indexes a
// HostingInstance's pass lists its rivals by, for a reconciler driven
// without its controller (the benchmark).
func IndexHostingInstances(mgr ctrl.Manager) error {
	return indexNaming(mgr, &hostingv1alpha1.HostingInstance{}, instanceKeyIndex, instanceKey)
}

// The side-effect helpers, for the specs that drive them against the API
// server and the simulator without a reconciler (sideeffect_test.go).
const (
	EffectPassword   = effectPassword
	EffectRestart    = effectRestart
	EffectCachePurge = effectCachePurge
)

func SendOnce(ctx context.Context, c client.Client, obj client.Object, effect, value string, send func(context.Context) error) error {
	_, err := sendOnce(ctx, c, obj, effect, value, send)
	return err
}

// PerformOnce is performOnce with its state named.
func PerformOnce(ctx context.Context, c client.Client, obj client.Object, effect, want string, send func(context.Context) error) (state string, sent bool, err error) {
	s, sent, err := performOnce(ctx, c, obj, effect, want, send)
	return map[requestState]string{
		requestPerformed: "performed", requestUnconfirmed: "unconfirmed", requestFailed: "failed", requestBaseline: "held",
	}[s], sent, err
}

func RotateOnce(ctx context.Context, c client.Client, obj client.Object, effect, want string, send func(context.Context) error) error {
	_, err := rotateOnce(ctx, c, obj, effect, want, send)
	return err
}

func AcceptedRecord(effect, value string) map[string]string  { return acceptedRecord(effect, value) }
func RecordedEffect(obj client.Object, effect string) string { return recordedEffect(obj, effect) }
func BaselineKey(effect string) string                       { return baselineKey(effect) }
