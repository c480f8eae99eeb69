package kubectlgandi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// kind is one of the operator's kinds, as the plugin names and reads it.
type kind struct {
	Kind    string
	names   []string // singular, plural, short name, as kubectl accepts them
	example string   // a NAME that reads as one of this kind's, for usage lines
	new     func() client.Object
}

var kinds = []kind{
	{kindHostingInstance, []string{"hostinginstance", "hostinginstances", "hi"}, "shop", func() client.Object { return &hostingv1alpha1.HostingInstance{} }},
	{kindVhost, []string{"vhost", "vhosts", "vh"}, "www.example.com", func() client.Object { return &hostingv1alpha1.Vhost{} }},
	{"Template", []string{"template", "templates", "gtpl"}, "shop-domain", func() client.Object { return &hostingv1alpha1.Template{} }},
	{"TemplateApplication", []string{"templateapplication", "templateapplications", "gta"}, "shop-domain", func() client.Object { return &hostingv1alpha1.TemplateApplication{} }},
	{kindPaaSInstance, []string{"paasinstance", "paasinstances", "paas"}, "legacy", func() client.Object { return &hostingv1alpha1.PaaSInstance{} }},
}

// kindsNamed are the kinds of allowed (every kind when none is given), in
// the order of kinds.
func kindsNamed(allowed []string) []kind {
	var out []kind
	for _, kd := range kinds {
		if len(allowed) == 0 || slices.Contains(allowed, kd.Kind) {
			out = append(out, kd)
		}
	}
	return out
}

// refForm is how a command taking the kinds of allowed names its argument,
// e.g. "vhost/NAME" or "hostinginstance/NAME or paasinstance/NAME"; any
// kind: "KIND/NAME".
func refForm(allowed []string) string {
	if len(allowed) == 0 {
		return "KIND/NAME"
	}
	var forms []string
	for _, kd := range kindsNamed(allowed) {
		forms = append(forms, strings.ToLower(kd.Kind)+"/NAME")
	}
	return strings.Join(forms, " or ")
}

// refExample is an argument such a command takes: one per kind allowed,
// or, for any kind, one instance.
func refExample(allowed []string) string {
	if len(allowed) == 0 {
		allowed = []string{kindHostingInstance}
	}
	named := kindsNamed(allowed)
	refs := make([]string, 0, len(named))
	for _, kd := range named {
		refs = append(refs, strings.ToLower(kd.Kind)+"/"+kd.example)
	}
	return strings.Join(refs, " or ")
}

// kindList names the kinds allowed for a usage line: "vhost",
// "hostinginstance or paasinstance".
func kindList(allowed []string) string {
	named := kindsNamed(allowed)
	names := make([]string, 0, len(named))
	for _, kd := range named {
		names = append(names, strings.ToLower(kd.Kind))
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// parseRef reads KIND/NAME as kubectl does: the kind by its singular,
// plural or short name, with or without the API group, in any case. Only
// the kinds in allowed are accepted (all when none are given).
func parseRef(ref string, allowed ...string) (kind, string, error) {
	k, name, ok := strings.Cut(ref, "/")
	if !ok || k == "" || name == "" {
		return kind{}, "", fmt.Errorf("%q is not %s (for example %s)", ref, refForm(allowed), refExample(allowed))
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
	return kind{}, "", fmt.Errorf("%q: the kind must be %s (for example %s)", ref, kindList(allowed), refExample(allowed))
}

// usage is the line that shows how command use is given one object of
// the kinds allowed (any kind when none is given).
func usage(use string, allowed []string) string {
	line := "kubectl gandi " + use + " " + refForm(allowed)
	if len(allowed) == 0 {
		line += ", KIND being " + kindList(nil)
	}
	return line
}

// oneRef accepts exactly one argument and otherwise says what command use
// expects, a noun (an instance, a vhost) and how it is written, where
// cobra would only count the arguments.
func oneRef(use, noun string, allowed ...string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		switch len(args) {
		case 1:
			return nil
		case 0:
			return fmt.Errorf("%s needs one %s: %s", use, noun, usage(use, allowed))
		}
		return fmt.Errorf("%s takes one %s, not %d (%s): %s", use, noun, len(args), strings.Join(args, " "), usage(use, allowed))
	}
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
