package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/GehirnInc/crypt/sha512_crypt"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// createRequest maps the spec to Gandi's create request. It also returns the
// password Secret revision it used, recorded so the password is set once.
func (r *HostingInstanceReconciler) createRequest(ctx context.Context, hi *hostingv1alpha1.HostingInstance) (gandi.CreateInstanceRequest, string, error) {
	s := hi.Spec
	req := gandi.CreateInstanceRequest{
		Location: s.Location,
		Size:     string(s.Size),
		Type: gandi.InstanceType{
			Database: gandi.DatabaseType{Name: s.Type.Database.Name, Version: s.Type.Database.Version},
			Language: gandi.LanguageType{Name: s.Type.Language.Name, Version: s.Type.Language.Version},
		},
		Autorenew:       s.Autorenew,
		Duration:        int(s.DurationMonths),
		DurationUnit:    "m",
		Name:            gandiName(hi),
		SnapshotEnabled: s.SnapshotEnabled,
	}
	if n := s.StorageAdditionalSizeGB; n != nil && *n > 0 {
		req.StorageAdditionalSize = gandi.Ptr(int(*n))
	}
	var version string
	// Gandi's authentication requires a password: an empty one is not sent,
	// and keys without one are no create to send. The CRD lets the password
	// go once Gandi has the instance; an instance bought again after it was
	// deleted at Gandi (recreateIfDeleted) needs it back.
	if err := keysNeedPassword(s.Authentication); err != nil {
		return req, "", err
	}
	if a := s.Authentication; a != nil && (a.PasswordSecretRef != nil || len(a.SSHKeys)+len(a.SSHKeyIDs) > 0) {
		auth := &gandi.Authentication{Keys: a.SSHKeyIDs, SSHKeys: a.SSHKeys}
		if a.PasswordSecretRef != nil {
			secret, err := r.readPasswordSecret(ctx, hi)
			if err != nil {
				return req, "", err
			}
			pw := readPasswordRevision(secret, a.PasswordSecretRef.Key)
			if auth.Password, err = passwordHash(pw); err != nil {
				return req, "", err
			}
			version = pw.version
		}
		req.Authentication = auth
	}
	if s.FreeDomain != nil {
		req.Domain = freeDomain(s.FreeDomain)
	}
	// The CRD refuses an FQDN listed twice as written; the same name in
	// Unicode and in punycode is one vhost too, which only its ASCII form
	// shows.
	written := map[string]string{}
	for _, v := range s.InitialVhosts {
		vh, err := initialVhost(v)
		if err != nil {
			return req, "", err
		}
		if first, twice := written[vh.FQDN]; twice {
			return req, "", fmt.Errorf("spec.initialVhosts lists %s twice: %q and %q are one name (%s); keep one", vh.FQDN, first, v.FQDN, vh.FQDN)
		}
		written[vh.FQDN] = v.FQDN
		req.Vhosts = append(req.Vhosts, vh)
	}
	return req, version, nil
}

// keysNeedPassword refuses SSH keys without a password Secret in a
// create: Gandi takes keys only in an authentication that has a password.
func keysNeedPassword(a *hostingv1alpha1.AuthenticationSpec) error {
	if a == nil || a.PasswordSecretRef != nil || len(a.SSHKeys)+len(a.SSHKeyIDs) == 0 {
		return nil
	}
	return errors.New("spec.authentication has SSH keys and no passwordSecretRef: Gandi takes SSH keys only in a create whose authentication has a password; name a password Secret in spec.authentication.passwordSecretRef (or, while Gandi refuses the create, remove the keys)")
}

// readPasswordSecret reads, uncached, the Secret spec.authentication
// names; nil when the spec names none.
func (r *HostingInstanceReconciler) readPasswordSecret(ctx context.Context, hi *hostingv1alpha1.HostingInstance) (*corev1.Secret, error) {
	a := hi.Spec.Authentication
	if a == nil || a.PasswordSecretRef == nil {
		return nil, nil
	}
	secret := &corev1.Secret{}
	name := a.PasswordSecretRef.Name
	if err := r.Reader.Get(ctx, types.NamespacedName{Namespace: hi.Namespace, Name: name}, secret); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &CredentialsError{Reason: hostingv1alpha1.ReasonPasswordNotFound,
				Message: fmt.Sprintf("password Secret %s/%s not found", hi.Namespace, name)}
		}
		return nil, fmt.Errorf("read password Secret %s/%s: %w", hi.Namespace, name, err)
	}
	return secret, nil
}

// passwordHash returns the salted SHA-512 crypt hash of pw (Gandi accepts
// unix crypt, so the clear text never leaves the cluster), once pw passes
// the rule Gandi could only check in clear text (sendable). Nothing
// derived from the password is ever stored: the revision recorded is the
// Secret's UID and resourceVersion.
func passwordHash(pw passwordRevision) (gandi.Secret, error) {
	if err := pw.sendable(); err != nil {
		return "", err
	}
	hash, err := sha512_crypt.New().Generate(pw.value, nil)
	if err != nil {
		return "", errors.New("hash the password with SHA-512 crypt failed")
	}
	return gandi.Secret(hash), nil
}

func passwordVersion(s *corev1.Secret) string {
	return string(s.UID) + "/" + s.ResourceVersion
}

func freeDomain(d *hostingv1alpha1.FreeDomainSpec) *gandi.FreeDomain {
	return &gandi.FreeDomain{
		FQDN:            d.FQDN,
		Owner:           contact(&d.Owner),
		Admin:           contact(d.Admin),
		Tech:            contact(d.Tech),
		Bill:            contact(d.Bill),
		Lang:            d.Lang,
		ExtraParameters: anyMap(d.ExtraParameters),
	}
}

func contact(c *hostingv1alpha1.Contact) *gandi.Contact {
	if c == nil {
		return nil
	}
	return &gandi.Contact{
		Type: c.Type, Given: c.Given, Family: c.Family, Email: c.Email, StreetAddr: c.StreetAddr,
		Country: c.Country, City: c.City, Zip: c.Zip, State: c.State, Phone: c.Phone, Mobile: c.Mobile,
		Fax: c.Fax, OrgName: c.OrgName, Lang: c.Lang, DataObfuscated: c.DataObfuscated,
		MailObfuscated: c.MailObfuscated, BrandNumber: c.BrandNumber, Siren: c.Siren,
		JOAnnounceNumber: c.JOAnnounceNumber, JOAnnouncePage: c.JOAnnouncePage,
		JODeclarationDate: c.JODeclarationDate, JOPublicationDate: c.JOPublicationDate,
		ExtraParameters: anyMap(c.ExtraParameters),
	}
}

func anyMap(m map[string]string) map[string]any {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func initialVhost(v hostingv1alpha1.InitialVhost) (gandi.InitialVhost, error) {
	fqdn, err := toASCII(v.FQDN)
	if err != nil {
		return gandi.InitialVhost{}, fmt.Errorf("spec.initialVhosts[%s]: %w", v.FQDN, err)
	}
	out := gandi.InitialVhost{FQDN: fqdn, HTTPSStrategy: v.HTTPSStrategy}
	if v.WithFreeSSL {
		out.WithFreeSSL = gandi.Ptr(true)
	}
	if out.Application, err = vhostApplication(v.Application); err != nil {
		return out, fmt.Errorf("spec.initialVhosts[%s].application: %w", v.FQDN, err)
	}
	out.LinkedDNSZone = linkedZone(v.LinkedDNSZone)
	return out, nil
}

func vhostApplication(a *hostingv1alpha1.VhostApplication) (*gandi.VhostApplication, error) {
	if a == nil {
		return nil, nil
	}
	params, err := jsonObject(a.Parameters)
	if err != nil {
		return nil, err
	}
	return &gandi.VhostApplication{Name: a.Name, Parameters: params}, nil
}

func jsonObject(j *apiextensionsv1.JSON) (map[string]any, error) {
	if j == nil || len(j.Raw) == 0 {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(j.Raw, &m); err != nil {
		return nil, fmt.Errorf("parameters must be an object: %w", err)
	}
	return m, nil
}

func linkedZone(z *hostingv1alpha1.LinkedDNSZone) *gandi.LinkedDNSZoneRequest {
	if z == nil {
		return nil
	}
	out := &gandi.LinkedDNSZoneRequest{AllowAlteration: z.AllowAlteration}
	if z.AllowAlterationOverride {
		out.AllowAlterationOverride = gandi.Ptr(true)
	}
	return out
}
