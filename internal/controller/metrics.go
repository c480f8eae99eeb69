package controller

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

var objectsDesc = prometheus.NewDesc(
	"gandi_operator_objects",
	"Objects of each kind by the status of their Ready and Synced conditions (True, False or Unknown).",
	[]string{"kind", "condition", "status"}, nil,
)

// objectCollector counts objects by condition when Prometheus scrapes,
// from the manager's cache: no bookkeeping in the reconcilers, and no
// stale series for deleted objects.
type objectCollector struct {
	reader client.Reader
}

func (c objectCollector) Describe(ch chan<- *prometheus.Desc) { ch <- objectsDesc }

func (c objectCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	kinds := map[string]client.ObjectList{
		"HostingInstance":     &hostingv1alpha1.HostingInstanceList{},
		"Vhost":               &hostingv1alpha1.VhostList{},
		"Template":            &hostingv1alpha1.TemplateList{},
		"TemplateApplication": &hostingv1alpha1.TemplateApplicationList{},
	}
	for kind, list := range kinds {
		if err := c.reader.List(ctx, list); err != nil {
			continue
		}
		counts := map[[2]string]int{}
		for _, obj := range objectsOf(list) {
			for _, condType := range []string{hostingv1alpha1.ConditionReady, hostingv1alpha1.ConditionSynced} {
				status := string(metav1.ConditionUnknown)
				if cond := meta.FindStatusCondition(conditionsOf(obj), condType); cond != nil {
					status = string(cond.Status)
				}
				counts[[2]string{condType, status}]++
			}
		}
		for _, condType := range []string{hostingv1alpha1.ConditionReady, hostingv1alpha1.ConditionSynced} {
			for _, status := range []metav1.ConditionStatus{metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown} {
				n := counts[[2]string{condType, string(status)}]
				ch <- prometheus.MustNewConstMetric(objectsDesc, prometheus.GaugeValue, float64(n), kind, condType, string(status))
			}
		}
	}
}

func conditionsOf(obj client.Object) []metav1.Condition {
	switch o := obj.(type) {
	case *hostingv1alpha1.HostingInstance:
		return o.Status.Conditions
	case *hostingv1alpha1.Vhost:
		return o.Status.Conditions
	case *hostingv1alpha1.Template:
		return o.Status.Conditions
	case *hostingv1alpha1.TemplateApplication:
		return o.Status.Conditions
	}
	return nil
}

// RegisterObjectMetrics adds the per-kind condition gauges to reg.
func RegisterObjectMetrics(reg prometheus.Registerer, reader client.Reader) error {
	return reg.Register(objectCollector{reader: reader})
}
