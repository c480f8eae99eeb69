package kubectlgandi

import (
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// kind is one of the operator's kinds, as the plugin names and reads it.
type kind struct {
	Kind  string
	names []string // singular, plural, short name, as kubectl accepts them
	new   func() client.Object
}

var kinds = []kind{
	{kindHostingInstance, []string{"hostinginstance", "hostinginstances", "hi"}, func() client.Object { return &hostingv1alpha1.HostingInstance{} }},
	{kindVhost, []string{"vhost", "vhosts", "vh"}, func() client.Object { return &hostingv1alpha1.Vhost{} }},
	{"Template", []string{"template", "templates", "gtpl"}, func() client.Object { return &hostingv1alpha1.Template{} }},
	{"TemplateApplication", []string{"templateapplication", "templateapplications", "gta"}, func() client.Object { return &hostingv1alpha1.TemplateApplication{} }},
	{"PaaSInstance", []string{"paasinstance", "paasinstances", "paas"}, func() client.Object { return &hostingv1alpha1.PaaSInstance{} }},
}

// parseRef reads KIND/NAME as kubectl does: the kind by its singular,
// plural or short name, with or without the API group, in any case. Only
// the kinds in allowed are accepted (all when none are given).
func parseRef(ref string, allowed ...string) (kind, string, error) {
	k, name, ok := strings.Cut(ref, "/")
	if !ok || k == "" || name == "" {
		return kind{}, "", fmt.Errorf("%q is not KIND/NAME (for example hostinginstance/shop)", ref)
	}
	k = strings.ToLower(strings.TrimSuffix(strings.ToLower(k), "."+hostingv1alpha1.GroupVersion.Group))
	for _, kd := range kinds {
		if !slices.Contains(kd.names, k) {
			continue
		}
		if len(allowed) > 0 && !slices.Contains(allowed, kd.Kind) {
			break
		}
		return kd, name, nil
	}
	if len(allowed) == 0 {
		allowed = []string{kindHostingInstance, kindVhost, "Template", "TemplateApplication", "PaaSInstance"}
	}
	return kind{}, "", fmt.Errorf("%q: the kind must be one of %s", ref, strings.ToLower(strings.Join(allowed, ", ")))
}

// conditionsOf returns the status conditions of any of the kinds.
func conditionsOf(obj client.Object) []metav1.Condition {
	if c, ok := obj.(hostingv1alpha1.Conditioned); ok {
		return *c.GetConditions()
	}
	return nil
}

// lastHandledReconcileAt returns status.lastHandledReconcileAt of any of
// the kinds.
func lastHandledReconcileAt(obj client.Object) string {
	switch o := obj.(type) {
	case *hostingv1alpha1.HostingInstance:
		return o.Status.LastHandledReconcileAt
	case *hostingv1alpha1.Vhost:
		return o.Status.LastHandledReconcileAt
	case *hostingv1alpha1.Template:
		return o.Status.LastHandledReconcileAt
	case *hostingv1alpha1.TemplateApplication:
		return o.Status.LastHandledReconcileAt
	case *hostingv1alpha1.PaaSInstance:
		return o.Status.LastHandledReconcileAt
	}
	return ""
}

// managementPolicyOf returns spec.managementPolicy of any of the kinds.
func managementPolicyOf(obj client.Object) hostingv1alpha1.ManagementPolicy {
	switch o := obj.(type) {
	case *hostingv1alpha1.HostingInstance:
		return o.Spec.ManagementPolicy
	case *hostingv1alpha1.Vhost:
		return o.Spec.ManagementPolicy
	case *hostingv1alpha1.Template:
		return o.Spec.ManagementPolicy
	case *hostingv1alpha1.PaaSInstance:
		return o.Spec.ManagementPolicy
	}
	// A TemplateApplication has no managementPolicy: it always acts.
	return hostingv1alpha1.ManagementPolicyManage
}
