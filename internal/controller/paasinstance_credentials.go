package controller

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// paasKeyName is the Secret key of a legacy API key, the only credential the
// XML-RPC API accepts.
const paasKeyName = string(hostingv1alpha1.CredentialsKeyAPIKey)

// PaaSClients keeps one XML-RPC client, and so one rate limiter, per API
// key, as ClientCache does for the v5 API.
type PaaSClients struct {
	// Config is the template for new clients; its APIKey is ignored.
	Config paas.Config

	clients perCredential[*paas.Client]
}

// NewPaaSClients returns a cache whose clients are built from cfg.
func NewPaaSClients(cfg paas.Config) *PaaSClients {
	return &PaaSClients{Config: cfg}
}

func (c *PaaSClients) forKey(key string) (*paas.Client, error) {
	return c.clients.get(gandi.Credential{Token: key, APIKey: true}, func() (*paas.Client, error) {
		cfg := c.Config
		cfg.APIKey = key
		cl, err := paas.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("create Gandi XML-RPC client: %w", err)
		}
		return cl, nil
	})
}

// paasClientFor resolves a PaaSInstance's credentials into an XML-RPC
// client, and says where they came from (see Credentials.Connect). Like
// the v5 kinds, a Secret is only ever read from the object's namespace, or
// the operator's default Secret when the installer allowed it.
func (r *PaaSInstanceReconciler) paasClientFor(ctx context.Context, pi *hostingv1alpha1.PaaSInstance) (*paas.Client, credentialSource, error) {
	var name types.NamespacedName
	what := "Secret"
	switch ref := pi.Spec.CredentialsRef; {
	case ref != nil:
		name = types.NamespacedName{Namespace: pi.Namespace, Name: ref.Name}
	case r.Credentials.AllowDefault && r.Credentials.DefaultSecret.Name != "":
		name, what = r.Credentials.DefaultSecret, "the operator's default credentials Secret"
	default:
		return nil, credentialSource{}, &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsNotFound,
			Message: "spec.credentialsRef is not set and the operator was not installed with a default Secret allowed: create a Secret with key \"apikey\" (a legacy Gandi API key) in this namespace and name it in spec.credentialsRef"}
	}
	key, src, err := readAPIKey(ctx, r.Credentials, name, what)
	if err != nil {
		return nil, src, err
	}
	api, err := r.PaaS.forKey(key)
	return api, src, err
}

// readAPIKey reads the "apikey" of a Secret. A Secret holding only a
// personal access token gets its own reason: the fix is another kind of
// credential, not a typo.
func readAPIKey(ctx context.Context, creds *Credentials, name types.NamespacedName, what string) (string, credentialSource, error) {
	secret := &corev1.Secret{}
	if err := creds.Reader.Get(ctx, name, secret); err != nil {
		if apierrors.IsNotFound(err) {
			return "", credentialSource{}, &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsNotFound,
				Message: fmt.Sprintf("%s %s/%s not found: create it with the legacy Gandi API key under key %q", what, name.Namespace, name.Name, paasKeyName)}
		}
		return "", credentialSource{}, fmt.Errorf("read %s %s/%s: %w", what, name.Namespace, name.Name, err)
	}
	key := CredentialValue(secret.Data[paasKeyName])
	switch {
	case key != "":
		if err := credentialProblem(key, what, name, paasKeyName); err != nil {
			return "", credentialSource{}, err
		}
		return key, sourceOf(name, secret, paasKeyName), nil
	case CredentialValue(secret.Data[string(hostingv1alpha1.CredentialsKeyToken)]) != "":
		return "", credentialSource{}, &CredentialsError{Reason: hostingv1alpha1.ReasonAPIKeyRequired,
			Message: fmt.Sprintf("%s %s/%s holds a personal access token (key \"token\") and no \"apikey\": Gandi's XML-RPC API, which manages PaaS instances, accepts only a legacy API key; add it under key %q", what, name.Namespace, name.Name, paasKeyName)}
	}
	return "", credentialSource{}, &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsKeyMissing,
		Message: fmt.Sprintf("%s %s/%s has no key %q (or it is empty)", what, name.Namespace, name.Name, paasKeyName)}
}
