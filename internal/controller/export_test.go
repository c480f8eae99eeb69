package controller

import (
	ctrl "sigs.k8s.io/controller-runtime"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// IndexHostingInstances registers on mgr's cache the indexes a
// HostingInstance's pass lists its rivals by, for a reconciler driven
// without its controller (the benchmark).
func IndexHostingInstances(mgr ctrl.Manager) error {
	return indexNaming(mgr, &hostingv1alpha1.HostingInstance{}, instanceKeyIndex, instanceKey)
}
