package controller

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// SecretReader reads Secrets without a GET per pass when it can: the
// Secrets the operator reads (tokens, passwords, connection Secrets) are
// read on every pass of every object that uses them, one credentials
// Secret by hundreds of objects at each poll. A Secret the Secret watch
// follows (labelled hosting.gandi-operator.dev/watch=true, see
// secretwatch.go) has its metadata in the manager's cache; its data is
// read from the API server once per resourceVersion and kept, keyed by
// UID and resourceVersion, until the watch reports another one. A Secret
// the watch does not follow is read from the API server on every call, as
// before: nothing would tell this reader that it changed.
//
// Only Secrets go through the cache; every other read (the connection
// Secret's metadata, for one) goes to API unchanged.
type SecretReader struct {
	// API reads uncached (the manager's API reader).
	API client.Reader
	// Meta holds the metadata of the watched Secrets (the manager's
	// cache); nil reads every Secret from API.
	Meta client.Reader

	mu      sync.Mutex
	secrets map[types.NamespacedName]*corev1.Secret
}

var _ client.Reader = (*SecretReader)(nil)

// Get reads obj; a Secret comes from memory when the watched metadata
// says it has not changed since it was last read.
func (s *SecretReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	secret, ok := obj.(*corev1.Secret)
	if !ok || s.Meta == nil {
		return s.API.Get(ctx, key, obj, opts...)
	}
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	watched := s.Meta.Get(ctx, key, m) == nil
	if watched {
		if kept := s.kept(key); kept != nil && kept.UID == m.UID && kept.ResourceVersion == m.ResourceVersion {
			kept.DeepCopyInto(secret)
			return nil
		}
	}
	err := s.API.Get(ctx, key, secret, opts...)
	switch {
	case err == nil && watched:
		s.keep(key, secret.DeepCopy())
	case err == nil || apierrors.IsNotFound(err):
		// Not watched (nothing would invalidate it) or gone.
		s.keep(key, nil)
	}
	return err
}

// List is the API reader's.
func (s *SecretReader) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	return s.API.List(ctx, list, opts...)
}

func (s *SecretReader) kept(key types.NamespacedName) *corev1.Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secrets[key]
}

func (s *SecretReader) keep(key types.NamespacedName, secret *corev1.Secret) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if secret == nil {
		delete(s.secrets, key)
		return
	}
	if s.secrets == nil {
		s.secrets = map[types.NamespacedName]*corev1.Secret{}
	}
	s.secrets[key] = secret
}
