package controller

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

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
	hostingv1alpha1.ReasonCredentialsInvalid:    true,
	hostingv1alpha1.ReasonUnauthorized:          true,
	hostingv1alpha1.ReasonDomainNotFound:        true,
}

// reachFromStatus reads o's status for domainID. Gandi took an apply of
// o there when its status shows a dispatch on that domain, as Gandi
// answered (DispatchStatus.DomainID), or an apply performed for its
// generation, whose spec names that domain: that outweighs a refusal
// since (a token revoked after Gandi took an apply does not undo it, nor
// stop the dispatch Gandi runs). A last pass that refused its
// credentials, or told the domain is not theirs, reaches nothing (a token
// allowed to read the domain and not to apply there is refused at its
// apply). Otherwise a domain given by name and resolved to domainID for
// this generation was shown to its credentials; one given by ID is read
// by no route, so its status ID shows nothing.
func reachFromStatus(o *hostingv1alpha1.TemplateApplication, domainID string) reach {
	st := &o.Status
	current := domainID != "" && st.ObservedGeneration == o.Generation
	resolved := current && o.Spec.DomainID == "" && st.DomainID == domainID
	named := o.Spec.DomainID == domainID || resolved
	switch {
	case st.Dispatch != nil && st.Dispatch.ID != "" && domainID != "" && st.Dispatch.DomainID == domainID:
		return reachShown
	case named && st.AppliedAt != nil && st.AppliedGeneration == o.Generation:
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
// asked. The answer is kept (reachCache) while o and its credentials stay
// as they are, for a detail interval: an application whose status tells
// nothing (paused, say) would otherwise cost a read at every pass of
// every application on the domain.
func (r *TemplateApplicationReconciler) reachNow(ctx context.Context, o *hostingv1alpha1.TemplateApplication, domain domainRef) (bool, error) {
	fqdn := domain.fqdn
	if fqdn == "" {
		fqdn = normalizedFQDN(o.Spec.Domain)
	}
	if fqdn == "" || domain.id == "" {
		return true, nil
	}
	ref, known, err := r.rivalCredentials(ctx, o)
	if err != nil || !known {
		return false, err
	}
	api, src, err := r.Credentials.Connect(ctx, o.Namespace, ref)
	var credErr *CredentialsError
	switch {
	case errors.As(err, &credErr):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("credentials of TemplateApplication %s/%s: %w", o.Namespace, o.Name, err)
	}
	key := reachKey{uid: o.UID, version: o.ResourceVersion, creds: src, domainID: domain.id, fqdn: fqdn}
	if ok, cached := r.reachSeen.get(key, r.clock()); cached {
		return ok, nil
	}
	d, err := api.GetDomain(ctx, fqdn)
	var ok bool
	switch {
	case gandi.IsNotFound(err), gandi.IsUnauthorized(err), gandi.IsForbidden(err):
	case err != nil:
		return false, fmt.Errorf("read domain %s with the credentials of TemplateApplication %s/%s: %w", fqdn, o.Namespace, o.Name, err)
	default:
		ok = d.ID == domain.id
	}
	r.reachSeen.put(key, ok, r.clock(), r.Timing.Detail)
	return ok, nil
}

// reachKey is what a reachNow answer was for: one version of an
// application and of its credentials, and the domain asked for.
type reachKey struct {
	uid            types.UID
	version        string
	creds          credentialSource
	domainID, fqdn string
}

// reachCache keeps reachNow's answers until they expire. The zero value
// is ready to use.
type reachCache struct {
	mu   sync.Mutex
	seen map[reachKey]reachAnswer
}

type reachAnswer struct {
	ok      bool
	expires time.Time
}

func (c *reachCache) get(k reachKey, now time.Time) (ok, cached bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, found := c.seen[k]
	if !found || !now.Before(a.expires) {
		return false, false
	}
	return a.ok, true
}

// put keeps an answer, and drops those expired: a key changes with every
// version of the application or its Secret, so old ones are never asked
// for again.
func (c *reachCache) put(k reachKey, ok bool, now time.Time, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[reachKey]reachAnswer{}
	}
	for key, a := range c.seen {
		if !now.Before(a.expires) {
			delete(c.seen, key)
		}
	}
	c.seen[k] = reachAnswer{ok: ok, expires: now.Add(ttl)}
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
