package controller

import (
	"context"
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// The watch mappings find the objects an event concerns through cache
// indexes: listing (and deep-copying) every object of the namespace per
// event was half the manager's CPU at 4,000 objects, and grew with N².
const (
	// secretRefIndex holds the names of the Secrets an object reads or
	// writes, and defaultSecretKey when it falls back to the default token.
	secretRefIndex = "gandi.secretRefs"
	// instanceRefIndex holds a Vhost's spec.instanceRef.name.
	instanceRefIndex = "gandi.instanceRef"
	// templateRefIndex holds a TemplateApplication's spec.templateRef.name.
	templateRefIndex = "gandi.templateRef"
)

// defaultSecretKey is the secretRefIndex key of the objects that use the
// operator's default token Secret (no Secret name holds a NUL).
const defaultSecretKey = "\x00default"

// secretRefKeys are obj's secretRefIndex keys.
func secretRefKeys(obj client.Object) []string {
	names, usesDefault := referencedSecrets(obj)
	if usesDefault {
		names = append(names, defaultSecretKey)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// indexSecretRefs registers secretRefIndex for obj's kind.
func indexSecretRefs(mgr ctrl.Manager, obj client.Object) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), obj, secretRefIndex, secretRefKeys); err != nil {
		return fmt.Errorf("index %T by %s: %w", obj, secretRefIndex, err)
	}
	return nil
}

// listByIndex lists from the cache the objects of list's kind whose index
// holds key, in namespace (all when empty).
func listByIndex(ctx context.Context, c client.Reader, list client.ObjectList, index, key, namespace string) ([]client.Object, error) {
	opts := []client.ListOption{client.MatchingFields{index: key}}
	if namespace != "" {
		opts = append(opts, client.InNamespace(namespace))
	}
	if err := c.List(ctx, list, opts...); err != nil {
		return nil, err
	}
	return objectsOf(list), nil
}

// indexByRef indexes the objects of obj's kind by the name their
// reference (ref's answer; nil: none) gives, the key requestsByIndex looks
// up.
func indexByRef[T client.Object](mgr ctrl.Manager, obj T, name string, ref func(T) *hostingv1alpha1.LocalObjectReference) error {
	return indexBy(mgr, obj, name, func(t T) (string, bool) {
		if r := ref(t); r != nil {
			return r.Name, true
		}
		return "", false
	})
}

// requestsByIndex are the requests for the objects of list's kind, in
// target's namespace, whose index holds target's name: the objects a
// watch of target wakes.
func requestsByIndex(ctx context.Context, c client.Reader, list client.ObjectList, index string, target client.Object) []reconcile.Request {
	objs, err := listByIndex(ctx, c, list, index, target.GetName(), target.GetNamespace())
	if err != nil {
		log.FromContext(ctx).Error(err, "list the objects a watched object concerns", "index", index)
		return nil
	}
	return requestsFor(objs)
}

// requestsFor are the reconcile requests of objs.
func requestsFor[T client.Object](objs []T) []reconcile.Request {
	reqs := make([]reconcile.Request, 0, len(objs))
	for _, o := range objs {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(o)})
	}
	return reqs
}

// instanceChangedForVhosts lets through the HostingInstance events that
// change what its Vhosts depend on: its existence, its Gandi ID, its
// readiness, whether it found its instance gone at Gandi (instanceGone:
// the Vhosts then show their vhosts gone too), its credentials, the
// vhosts it created with the instance and its deletion. A status write (usage, dates, a condition's message) does
// not wake every Vhost of the instance.
func instanceChangedForVhosts() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		old, okOld := e.ObjectOld.(*hostingv1alpha1.HostingInstance)
		cur, okCur := e.ObjectNew.(*hostingv1alpha1.HostingInstance)
		if !okOld || !okCur {
			return true
		}
		return instanceID(old) != instanceID(cur) ||
			meta.IsStatusConditionTrue(old.Status.Conditions, hostingv1alpha1.ConditionReady) != meta.IsStatusConditionTrue(cur.Status.Conditions, hostingv1alpha1.ConditionReady) ||
			instanceGone(old) != instanceGone(cur) ||
			!old.GetDeletionTimestamp().Equal(cur.GetDeletionTimestamp()) ||
			!equalCredentialsRef(old.Spec.CredentialsRef, cur.Spec.CredentialsRef) ||
			!slices.EqualFunc(old.Spec.InitialVhosts, cur.Spec.InitialVhosts, func(a, b hostingv1alpha1.InitialVhost) bool { return a.FQDN == b.FQDN })
	}}
}

func equalCredentialsRef(a, b *hostingv1alpha1.CredentialsReference) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
