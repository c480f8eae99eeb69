package controller

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// Credentials resolves an object's credentialsRef into a Gandi client.
type Credentials struct {
	// Reader reads Secrets: a SecretReader (the manager's), which keeps
	// only the Secrets the operator reads, by resourceVersion; caching
	// Secrets in an informer would hold every Secret of the cluster in
	// memory.
	Reader client.Reader
	// Clients shares one client per distinct credential.
	Clients *ClientCache
	// DefaultSecret is the operator's own token Secret (in its namespace);
	// objects without credentialsRef use it only when AllowDefault is set.
	DefaultSecret types.NamespacedName
	// AllowDefault lets objects without credentialsRef use DefaultSecret.
	AllowDefault bool
}

// CredentialsError says why no credential could be found; Reason is the
// condition reason reported on the object.
type CredentialsError struct {
	Reason  string
	Message string
}

func (e *CredentialsError) Error() string { return e.Message }

// credentialSource says where a credential was read from, never what it
// is: the Secret, its key, and the UID and resourceVersion of the version
// read. Two reads give the same source only if they read the same
// version of the same key of the same Secret (see seenUnder).
type credentialSource struct {
	secret  types.NamespacedName
	key     string
	uid     types.UID
	version string
}

// CredentialValue is a credential (token or API key) as stored: a Secret's
// value, a file's content. Surrounding whitespace is no part of it: a
// Secret made with --from-file from a file ending in a newline (what `echo
// pat_… > token` writes) holds one, and Gandi's client refuses a
// credential with a line break. The operator and kubectl gandi read every
// credential by this one rule, so that a Secret one accepts the other does.
func CredentialValue(stored []byte) string { return strings.TrimSpace(string(stored)) }

// credentialProblem refuses a value (read by CredentialValue) no Gandi
// credential can be: a line break inside would split the request's
// header, so no client is made of it. The message names where it is,
// never what it holds.
func credentialProblem(value, what string, name types.NamespacedName, key string) error {
	if !strings.ContainsAny(value, "\r\n") {
		return nil
	}
	return &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsInvalid,
		Message: fmt.Sprintf("%s %s/%s key %q holds more than one line: a Gandi credential is one line", what, name.Namespace, name.Name, key)}
}

// sourceOf is the source of the credential read from key of secret, read
// as name.
func sourceOf(name types.NamespacedName, secret *corev1.Secret, key string) credentialSource {
	return credentialSource{secret: name, key: key, uid: secret.UID, version: secret.ResourceVersion}
}

// ClientFor returns the Gandi client for an object in namespace with ref.
// A Secret is only ever read from namespace, or the default one from the
// operator's namespace when the installer allowed it.
func (c *Credentials) ClientFor(ctx context.Context, namespace string, ref *hostingv1alpha1.CredentialsReference) (*gandi.Client, error) {
	api, _, err := c.Connect(ctx, namespace, ref)
	return api, err
}

// Connect is ClientFor, and where the credential came from: what a pass
// saw the object under, for a "not found" to be judged by (seenUnder).
func (c *Credentials) Connect(ctx context.Context, namespace string, ref *hostingv1alpha1.CredentialsReference) (*gandi.Client, credentialSource, error) {
	cred, src, err := c.credential(ctx, namespace, ref)
	if err != nil {
		return nil, src, err
	}
	api, err := c.Clients.For(cred)
	return api, src, err
}

func (c *Credentials) credential(ctx context.Context, namespace string, ref *hostingv1alpha1.CredentialsReference) (gandi.Credential, credentialSource, error) {
	if ref == nil {
		if !c.AllowDefault || c.DefaultSecret.Name == "" {
			return gandi.Credential{}, credentialSource{}, &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsNotFound,
				Message: "spec.credentialsRef is not set and the operator was not installed with a default token allowed: create a Secret with key \"token\" in this namespace and name it in spec.credentialsRef"}
		}
		return c.read(ctx, c.DefaultSecret, string(hostingv1alpha1.CredentialsKeyToken), "the operator's default token Secret")
	}
	key := string(ref.Key)
	if key == "" {
		key = string(hostingv1alpha1.CredentialsKeyToken)
	}
	return c.read(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, key, "Secret")
}

func (c *Credentials) read(ctx context.Context, name types.NamespacedName, key, what string) (gandi.Credential, credentialSource, error) {
	secret := &corev1.Secret{}
	if err := c.Reader.Get(ctx, name, secret); err != nil {
		if apierrors.IsNotFound(err) {
			return gandi.Credential{}, credentialSource{}, &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsNotFound,
				Message: fmt.Sprintf("%s %s/%s not found: create it with the Gandi token under key %q", what, name.Namespace, name.Name, key)}
		}
		return gandi.Credential{}, credentialSource{}, fmt.Errorf("read %s %s/%s: %w", what, name.Namespace, name.Name, err)
	}
	value := CredentialValue(secret.Data[key])
	if value == "" {
		return gandi.Credential{}, credentialSource{}, &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsKeyMissing,
			Message: fmt.Sprintf("%s %s/%s has no key %q (or it is empty)", what, name.Namespace, name.Name, key)}
	}
	if err := credentialProblem(value, what, name, key); err != nil {
		return gandi.Credential{}, credentialSource{}, err
	}
	return gandi.Credential{Token: value, APIKey: key == string(hostingv1alpha1.CredentialsKeyAPIKey)}, sourceOf(name, secret, key), nil
}
