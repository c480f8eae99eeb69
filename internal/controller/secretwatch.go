// The Secret watch, and why it sees only labelled Secrets.
//
// The operator reacts at once to a change of a Secret it uses (a fixed
// token, a new password, a deleted connection Secret) by watching Secrets.
// Until now it watched the metadata of every Secret of the cluster (or of
// the watched namespaces). Metadata is not data, but the API server sends
// a Secret's annotations with it, and `kubectl apply` keeps the whole
// applied Secret, data in clear, in the last-applied-configuration
// annotation: the operator received the contents of Secrets that were none
// of its business, and dropped them only once they had arrived. It now asks
// the API server only for Secrets labelled hosting.gandi-operator.dev/watch=true
// (a label selector on the watch, so unlabelled Secrets are never sent to
// it at all): the connection Secrets it creates carry that label, the Helm
// chart puts it on the default token Secret it creates, and users put it on
// the credentials and password Secrets they want picked up at once
// (`kubectl label secret gandi-credentials hosting.gandi-operator.dev/watch=true`).
// A change to an unlabelled Secret is still picked up, at the next poll of
// the objects that use it (--poll-interval, 5 minutes by default; a
// credentials error is retried at that interval too). When the operator
// watches only some namespaces and not its own, its default token Secret is
// watched by name instead (a field selector), so the operator's namespace
// grants it list and watch of that one Secret only (RBAC resourceNames).
// Dropping the watch altogether would have spared the list and watch
// permissions on Secrets, but a fixed token would then wait up to a poll
// interval with no way to speed it up; the label keeps instant reactions for
// the Secrets a user hands to the operator, and for no others.
//
// What RBAC still grants: Kubernetes RBAC cannot restrict list or watch by
// label, so the role keeps list and watch on Secrets. The operator never
// uses them without the label selector (or, in its own namespace, the name),
// but a stolen token of its ServiceAccount could list Secrets: cluster-wide
// with the default ClusterRole, or only in the watched namespaces when the
// chart is installed with watchNamespaces (namespaced Roles).

package controller

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// SecretWatch maps Secret events to the objects that use the Secret, so a
// new token or password is picked up without waiting for a poll. It watches
// the metadata of labelled Secrets only (see secretWatchCache): Secret data
// is never cached, and unlabelled Secrets are never received.
type SecretWatch struct {
	Client        client.Client
	DefaultSecret types.NamespacedName
}

// secretWatchCache is the cache configuration of the Secret watch: Secrets
// labelled hosting.gandi-operator.dev/watch=true in the watched namespaces
// (all when namespaces is empty), their annotations, labels and managed
// fields dropped. When the operator watches only some namespaces and not
// defaultSecret's, that one Secret is watched by name in its namespace, so
// that no list of that namespace's Secrets is needed; defaultSecret is the
// zero value when objects may not use the default token.
func secretWatchCache(namespaces []string, defaultSecret types.NamespacedName) cache.ByObject {
	by := cache.ByObject{
		Label:     labels.SelectorFromSet(labels.Set{hostingv1alpha1.LabelWatch: hostingv1alpha1.LabelWatchValue}),
		Transform: stripSecretMetadata,
	}
	if len(namespaces) == 0 || defaultSecret.Name == "" || slices.Contains(namespaces, defaultSecret.Namespace) {
		return by // the namespaces are the cache's
	}
	by.Namespaces = map[string]cache.Config{}
	for _, ns := range namespaces {
		by.Namespaces[ns] = cache.Config{} // by.Label
	}
	by.Namespaces[defaultSecret.Namespace] = cache.Config{
		LabelSelector: labels.Everything(),
		FieldSelector: fields.OneTermEqualSelector("metadata.name", defaultSecret.Name),
	}
	return by
}

// stripSecretMetadata drops what the Secret watch does not need: annotations
// may hold a Secret's data (kubectl's last-applied configuration; the label
// selector keeps most such Secrets away, not a labelled one applied with
// kubectl), and managed fields are large.
func stripSecretMetadata(obj any) (any, error) {
	if m, ok := obj.(*metav1.PartialObjectMetadata); ok {
		m.Annotations = nil
		m.ManagedFields = nil
		m.Labels = nil
	}
	return obj, nil
}

func (s *SecretWatch) metadataOnly() builder.WatchesOption { return builder.OnlyMetadata }

// handlerFor enqueues the objects of list's kind that reference the Secret:
// in its own namespace by name, or, for the default token Secret, every
// object without a credentialsRef. They are found through secretRefIndex
// (registered by indexSecretRefs), not by listing the namespace: a Secret
// event costs what its referrers cost, however many objects and Secrets
// the namespace holds.
func (s *SecretWatch) handlerFor(list client.ObjectList) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, secret client.Object) []reconcile.Request {
		seen := map[types.NamespacedName]bool{}
		var reqs []reconcile.Request
		add := func(objs []client.Object) {
			for _, o := range objs {
				if k := client.ObjectKeyFromObject(o); !seen[k] {
					seen[k] = true
					reqs = append(reqs, reconcile.Request{NamespacedName: k})
				}
			}
		}
		isDefault := secret.GetNamespace() == s.DefaultSecret.Namespace && secret.GetName() == s.DefaultSecret.Name
		// The default token Secret's namespace may be one the cache does
		// not hold (it is then watched by name): its referrers by name are
		// looked up across the cache and kept to that namespace.
		ns := secret.GetNamespace()
		if isDefault {
			ns = ""
		}
		byName, err := s.referrers(ctx, list, secretRefIndex, secret.GetName(), ns)
		if err != nil {
			log.FromContext(ctx).Error(err, "list objects for a Secret change")
			return nil
		}
		for _, o := range byName {
			if o.GetNamespace() == secret.GetNamespace() {
				add([]client.Object{o})
			}
		}
		if isDefault {
			byDefault, err := s.referrers(ctx, list, secretRefIndex, defaultSecretKey, "")
			if err != nil {
				log.FromContext(ctx).Error(err, "list objects for a Secret change")
				return nil
			}
			add(byDefault)
		}
		return reqs
	})
}

// referrers lists the objects whose index holds key; a kind without the
// index (one added without registering it) is listed whole and filtered,
// as before the index existed.
func (s *SecretWatch) referrers(ctx context.Context, list client.ObjectList, index, key, namespace string) ([]client.Object, error) {
	l, _ := list.DeepCopyObject().(client.ObjectList)
	objs, err := listByIndex(ctx, s.Client, l, index, key, namespace)
	if err == nil {
		return objs, nil
	}
	var opts []client.ListOption
	if namespace != "" {
		opts = append(opts, client.InNamespace(namespace))
	}
	l, _ = list.DeepCopyObject().(client.ObjectList)
	if err := s.Client.List(ctx, l, opts...); err != nil {
		return nil, err
	}
	var out []client.Object
	for _, obj := range objectsOf(l) {
		if contains(secretRefKeys(obj), key) {
			out = append(out, obj)
		}
	}
	return out, nil
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// objectsOf are list's items as objects.
func objectsOf(list client.ObjectList) []client.Object {
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil // every list here is a typed list with Items
	}
	out := make([]client.Object, 0, len(items))
	for _, it := range items {
		if o, ok := it.(client.Object); ok {
			out = append(out, o)
		}
	}
	return out
}

// referencedSecrets lists the Secrets an object reads or writes, and whether
// it falls back to the default token.
func referencedSecrets(obj client.Object) (names []string, usesDefault bool) {
	var creds *hostingv1alpha1.CredentialsReference
	switch o := obj.(type) {
	case *hostingv1alpha1.HostingInstance:
		creds = o.Spec.CredentialsRef
		if a := o.Spec.Authentication; a != nil && a.PasswordSecretRef != nil {
			names = append(names, a.PasswordSecretRef.Name)
		}
		if r := o.Spec.WriteConnectionSecretToRef; r != nil {
			names = append(names, r.Name)
		}
	case *hostingv1alpha1.Vhost:
		creds = o.Spec.CredentialsRef
	case *hostingv1alpha1.Template:
		creds = o.Spec.CredentialsRef
	case *hostingv1alpha1.TemplateApplication:
		creds = o.Spec.CredentialsRef
	case *hostingv1alpha1.PaaSInstance:
		if r := o.Spec.PasswordSecretRef; r != nil {
			names = append(names, r.Name)
		}
		if o.Spec.CredentialsRef == nil {
			return names, true
		}
		return append(names, o.Spec.CredentialsRef.Name), false
	}
	if creds == nil {
		return names, true
	}
	return append(names, creds.Name), false
}
