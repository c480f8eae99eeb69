package controller

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// An application of another namespace counts against this one on a domain
// only when its credentials reach the domain. Its apply record and label
// are metadata its own tenant may write: an older application whose token
// is another account's, or whose Secret does not exist, or a record
// written by hand, would otherwise keep the domain's owner from applying,
// forever. Only what the operator writes (the status) or what Gandi
// answers its credentials now is evidence. Both keep a legitimate holder
// counted however its status was lost: restored without it (Gandi answers
// its credentials), its status write failed after Gandi took its apply
// (the same), or its token revoked while Gandi runs its dispatch (its
// status shows that dispatch). Within one namespace whoever may create an
// application may edit the other, so no evidence is asked there.

// reach is what the cluster knows of whether an application's credentials
// reach a domain.
type reach int

const (
	// reachUnknown: its status tells nothing; Gandi is asked (reachNow).
	reachUnknown reach = iota
	reachShown
	reachRefused
)

// refusals are the Synced reasons of a pass whose credentials Gandi (or
// the cluster) refused: they reach nothing.
var refusals = map[string]bool{
	hostingv1alpha1.ReasonCredentialsNotFound:   true,
	hostingv1alpha1.ReasonCredentialsKeyMissing: true,
	hostingv1alpha1.ReasonUnauthorized:          true,
	hostingv1alpha1.ReasonDomainNotFound:        true,
}

// reachFromStatus reads o's status for domainID. A domain given by name
// and resolved to domainID for this generation was shown to its
// credentials; so was the dispatch Gandi answered its apply with, which
// outweighs a refusal since (a revoked token does not stop a dispatch
// Gandi runs). A domain given by ID is read by no route, so its status ID
// shows nothing. A last pass refused its credentials, or told the domain
// is not theirs: it reaches nothing (a token allowed to read the domain
// and not to apply there is refused at its apply).
func reachFromStatus(o *hostingv1alpha1.TemplateApplication, domainID string) reach {
	st := &o.Status
	resolved := domainID != "" && o.Spec.DomainID == "" && st.ObservedGeneration == o.Generation && st.DomainID == domainID
	switch {
	case resolved && st.Dispatch != nil && st.Dispatch.ID != "":
		return reachShown
	case refusedNow(o):
		return reachRefused
	case resolved:
		return reachShown
	}
	return reachUnknown
}

// refusedNow reports o's last pass on its generation ending on a refusal
// of its credentials or its domain (refusals).
func refusedNow(o *hostingv1alpha1.TemplateApplication) bool {
	c := meta.FindStatusCondition(o.Status.Conditions, hostingv1alpha1.ConditionSynced)
	return c != nil && c.Status == metav1.ConditionFalse && c.ObservedGeneration == o.Generation && refusals[c.Reason]
}

// reaches reports that o, an application on ta's domain, counts against
// it there: one of ta's namespace always; one of another namespace when
// its status, or else Gandi asked with its credentials, shows them the
// domain.
func (r *TemplateApplicationReconciler) reaches(ctx context.Context, ta, o *hostingv1alpha1.TemplateApplication, domain domainRef) (bool, error) {
	if o.Namespace == ta.Namespace {
		return true, nil
	}
	switch reachFromStatus(o, domain.id) {
	case reachShown:
		return true, nil
	case reachRefused:
		return false, nil
	}
	return r.reachNow(ctx, o, domain)
}

// reachNow asks Gandi, with o's credentials, for the domain by name: one
// they cannot see, or credentials the cluster or Gandi refuse, reach
// nothing there. A domain known by ID only cannot be asked for (the
// domain route takes a name): o counts, as it did before any evidence was
// asked.
func (r *TemplateApplicationReconciler) reachNow(ctx context.Context, o *hostingv1alpha1.TemplateApplication, domain domainRef) (bool, error) {
	fqdn := domain.fqdn
	if fqdn == "" {
		fqdn = normalizedFQDN(o.Spec.Domain)
	}
	if fqdn == "" || domain.id == "" {
		return true, nil
	}
	ref, err := r.rivalCredentials(ctx, o)
	if err != nil {
		return false, err
	}
	api, err := r.Credentials.ClientFor(ctx, o.Namespace, ref)
	var credErr *CredentialsError
	switch {
	case errors.As(err, &credErr):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("credentials of TemplateApplication %s/%s: %w", o.Namespace, o.Name, err)
	}
	d, err := api.GetDomain(ctx, fqdn)
	switch {
	case gandi.IsNotFound(err), gandi.IsUnauthorized(err), gandi.IsForbidden(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read domain %s with the credentials of TemplateApplication %s/%s: %w", fqdn, o.Namespace, o.Name, err)
	}
	return d.ID == domain.id, nil
}

// reaching keeps of others those that count against ta on domain
// (reaches).
func (r *TemplateApplicationReconciler) reaching(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, others []*hostingv1alpha1.TemplateApplication, domain domainRef) ([]*hostingv1alpha1.TemplateApplication, error) {
	out := others[:0:0]
	for _, o := range others {
		ok, err := r.reaches(ctx, ta, o, domain)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, o)
		}
	}
	return out, nil
}
