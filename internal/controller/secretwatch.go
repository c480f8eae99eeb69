package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// SecretWatch maps Secret events to the objects that use the Secret, so a
// new token or password is picked up without waiting for a poll. It watches
// Secret metadata only (see CacheOptions): the cluster's Secret data is
// never cached.
type SecretWatch struct {
	Client        client.Client
	DefaultSecret types.NamespacedName
}

func (s *SecretWatch) metadataOnly() builder.WatchesOption { return builder.OnlyMetadata }

// handlerFor enqueues the objects of list's kind that reference the Secret:
// in its own namespace by name, or, for the default token Secret, every
// object without a credentialsRef.
func (s *SecretWatch) handlerFor(list client.ObjectList) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, secret client.Object) []reconcile.Request {
		isDefault := secret.GetNamespace() == s.DefaultSecret.Namespace && secret.GetName() == s.DefaultSecret.Name
		var opts []client.ListOption
		if !isDefault {
			opts = append(opts, client.InNamespace(secret.GetNamespace()))
		}
		l, _ := list.DeepCopyObject().(client.ObjectList)
		if err := s.Client.List(ctx, l, opts...); err != nil {
			log.FromContext(ctx).Error(err, "list objects for a Secret change")
			return nil
		}
		var reqs []reconcile.Request
		for _, obj := range objectsOf(l) {
			names, usesDefault := referencedSecrets(obj)
			if (isDefault && usesDefault) || (obj.GetNamespace() == secret.GetNamespace() && contains(names, secret.GetName())) {
				reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
			}
		}
		return reqs
	})
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func objectsOf(list client.ObjectList) []client.Object {
	var out []client.Object
	switch l := list.(type) {
	case *hostingv1alpha1.HostingInstanceList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *hostingv1alpha1.VhostList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *hostingv1alpha1.TemplateList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *hostingv1alpha1.TemplateApplicationList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
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
	}
	if creds == nil {
		return names, true
	}
	return append(names, creds.Name), false
}
