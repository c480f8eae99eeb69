package kubectlgandi

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
)

// rivals finds, for each imported object, the cluster objects of other
// names that already name its Gandi object. The controllers look for them
// in every namespace (ownership.go: rivalsNaming, and a Vhost's rivals, list
// the whole cache), so that a copy of an object in another namespace
// cannot become a second manager of one instance: an import into any
// namespace is refused by them the same way, and so it is looked for in
// every namespace here too. Only where the user may not list every
// namespace is it looked for in the target one alone (warned is then
// set): the controllers still refuse a rival elsewhere, after the apply.
type rivals struct {
	c      client.Client
	ns     string
	lists  map[string][]client.Object // by kind, read once per import
	warned []string                   // kinds listed in the target namespace only
}

// conflict says why obj is not applied: another object manages what it
// names. The object of obj's own name and namespace is not looked at:
// conflictOf decides about it.
func (r *rivals) conflict(ctx context.Context, obj client.Object) (string, error) {
	listed, err := r.list(ctx, obj)
	if err != nil {
		return "", err
	}
	want := controller.ManagedID(obj)
	var others []client.Object
	for _, o := range listed {
		if o.GetNamespace() == obj.GetNamespace() && o.GetName() == obj.GetName() {
			continue
		}
		same, err := r.names(ctx, obj, o, want)
		if err != nil {
			return "", err
		}
		if same {
			others = append(others, o)
		}
	}
	return rivalConflict(obj, others), nil
}

// names reports that other names what obj, imported, names: the same
// Gandi ID managed (controller.ManagedID: an ID its status keeps after the
// annotation was removed counts), or for a Vhost the same FQDN on the
// same instance, as the Vhost controller finds its rivals (its ID, the
// FQDN, names a vhost on one instance only).
func (r *rivals) names(ctx context.Context, obj, other client.Object, want string) (bool, error) {
	vh, ok := obj.(*hostingv1alpha1.Vhost)
	if !ok {
		return controller.ManagedID(other) == want, nil
	}
	otherVh, ok := other.(*hostingv1alpha1.Vhost)
	if !ok {
		return false, nil
	}
	wantKey, _ := controller.VhostFQDNKey(vh)
	if key, ok := controller.VhostFQDNKey(otherVh); !ok || key != wantKey {
		return false, nil
	}
	instance, err := controller.VhostInstance(ctx, r.c, otherVh)
	if err != nil {
		return false, fmt.Errorf("read the instance of vhost %s/%s: %w", other.GetNamespace(), other.GetName(), err)
	}
	return instance == importedInstance(vh), nil
}

// list reads the objects of obj's kind, in every namespace the user may
// list, once per import.
func (r *rivals) list(ctx context.Context, obj client.Object) ([]client.Object, error) {
	kind := obj.GetObjectKind().GroupVersionKind().Kind
	if got, ok := r.lists[kind]; ok {
		return got, nil
	}
	var list client.ObjectList
	switch obj.(type) {
	case *hostingv1alpha1.HostingInstance:
		list = &hostingv1alpha1.HostingInstanceList{}
	case *hostingv1alpha1.Vhost:
		list = &hostingv1alpha1.VhostList{}
	case *hostingv1alpha1.Template:
		list = &hostingv1alpha1.TemplateList{}
	case *hostingv1alpha1.PaaSInstance:
		list = &hostingv1alpha1.PaaSInstanceList{}
	default:
		return nil, fmt.Errorf("import of %T: no rivals to look for", obj)
	}
	err := r.c.List(ctx, list)
	if apierrors.IsForbidden(err) {
		r.warned = append(r.warned, kind)
		err = r.c.List(ctx, list, client.InNamespace(r.ns))
	}
	if err != nil {
		return nil, fmt.Errorf("list the %ss that may already manage what is imported: %w", kind, err)
	}
	var out []client.Object
	if err := meta.EachListItem(list, func(o runtime.Object) error {
		if co, ok := o.(client.Object); ok {
			out = append(out, co)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read the %ss listed: %w", kind, err)
	}
	if r.lists == nil {
		r.lists = map[string][]client.Object{}
	}
	r.lists[kind] = out
	return out, nil
}

// rivalConflict is the decision: obj, about to be applied, is refused when
// the controllers would let another of others (the objects of other names
// naming its Gandi object) manage it, by their own rule
// (controller.ManagerAmong): applied, obj would only report
// OwnedByAnotherObject, a second object naming one Gandi object.
func rivalConflict(obj client.Object, others []client.Object) string {
	manager := controller.ManagerAmong(obj, others)
	if manager == nil {
		return ""
	}
	return fmt.Sprintf("%s (%s) is already managed by %s/%s: one Gandi object has one manager",
		objectRef(obj), importedThing(obj), manager.GetNamespace(), manager.GetName())
}

// importedThing names the Gandi object obj was made from.
func importedThing(obj client.Object) string {
	id := obj.GetAnnotations()[hostingv1alpha1.AnnotationExternalID]
	switch o := obj.(type) {
	case *hostingv1alpha1.Vhost:
		return "the vhost " + id + " on instance " + importedInstance(o)
	case *hostingv1alpha1.PaaSInstance:
		return "PaaS instance " + id
	case *hostingv1alpha1.Template:
		return "template " + id
	}
	return "instance " + id
}
