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
		"PaaSInstance":        &hostingv1alpha1.PaaSInstanceList{},
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
	if c, ok := obj.(hostingv1alpha1.Conditioned); ok {
		return *c.GetConditions()
	}
	return nil
}

var (
	expiryDesc = prometheus.NewDesc(
		"gandi_operator_instance_expiry_timestamp_seconds",
		"When each HostingInstance ends unless renewed (status.expireAt), in seconds since the Unix epoch.",
		[]string{"namespace", "name"}, nil,
	)
	autorenewDesc = prometheus.NewDesc(
		"gandi_operator_instance_autorenew",
		"1 when Gandi renews the HostingInstance at its end (status.autorenew), 0 when it does not: alerts join it with gandi_operator_instance_expiry_timestamp_seconds.",
		[]string{"namespace", "name"}, nil,
	)
)

// instanceCollector exposes each instance's end date and renewal, read from
// the cache at scrape like objectCollector: a deleted object's series go
// with it, and a restart loses nothing. An instance not yet observed at
// Gandi has no series.
type instanceCollector struct {
	reader client.Reader
}

func (c instanceCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- expiryDesc
	ch <- autorenewDesc
}

func (c instanceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	list := &hostingv1alpha1.HostingInstanceList{}
	if err := c.reader.List(ctx, list); err != nil {
		return
	}
	for i := range list.Items {
		hi := &list.Items[i]
		if t := hi.Status.ExpireAt; t != nil {
			ch <- prometheus.MustNewConstMetric(expiryDesc, prometheus.GaugeValue, float64(t.Unix()), hi.Namespace, hi.Name)
		}
		if r := hi.Status.Autorenew; r != nil {
			v := 0.0
			if *r {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(autorenewDesc, prometheus.GaugeValue, v, hi.Namespace, hi.Name)
		}
	}
}

// RegisterObjectMetrics adds the per-kind condition gauges and the
// instances' expiry gauges to reg.
func RegisterObjectMetrics(reg prometheus.Registerer, reader client.Reader) error {
	if err := reg.Register(objectCollector{reader: reader}); err != nil {
		return err
	}
	return reg.Register(instanceCollector{reader: reader})
}
