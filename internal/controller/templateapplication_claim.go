package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// The apply record is the claim on the domain. holdBack reads the cache,
// which may not show an application created a moment ago: two created
// together could each pass it and each send. So an apply checks again once
// its record is written and before the POST (heldBackNow), reading from
// the API server the applications that recorded an apply on the domain.
//
// That check weighs this application as it stood before its record
// (applyTarget.standing) against the others as they are now. Two that race
// cannot both send: each writes its record, then reads. At least one of
// them reads after the other's record is written, and sees the other at
// least as high as the other stood before its record (a record only
// raises an application: it counts as recorded, and nothing it writes
// lowers what it applied). Were both to send, each would come first of
// the two, each weighed as it stood against the other as high or higher:
// by firstOf, a strict order (names last), not both. When both see the
// other's record, both take theirs back and look again soon; by then the
// cache shows both without a record, and firstOf lets one through.
//
// Ordering racing records by their time (applyRecord.At) instead would not
// do: the time is taken before the record is written, and the write may
// wait longer than the other's write, read and POST.

// errHeldBack is the apply not sent because another application manages
// what it writes on the domain.
var errHeldBack = errors.New("another TemplateApplication manages what this one writes on the domain")

// heldBackNow is holdBack's decision, made after this apply's record is
// written and before it is sent, with the applications that recorded an
// apply on the domain read from the API server (applyingOn) beside those
// of the cache.
func (r *TemplateApplicationReconciler) heldBackNow(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, t applyTarget) (applicationView, bool, error) {
	domain := targetDomain(ta, t)
	cached, err := r.applicationsOn(ctx, ta, domain)
	if err != nil {
		return applicationView{}, false, fmt.Errorf("list the TemplateApplications of domain %s: %w", domain, err)
	}
	live, err := r.applyingOn(ctx, ta, domain)
	if err != nil {
		return applicationView{}, false, err
	}
	rivals, err := r.reaching(ctx, ta, mergeRivals(cached, live), domain)
	if err != nil {
		return applicationView{}, false, err
	}
	views, err := r.rivalViews(ctx, rivals, t.domainID)
	if err != nil {
		return applicationView{}, false, err
	}
	holder, held := heldBackBy(t.standing, views)
	return holder, held, nil
}

// applyingOn lists from the API server, in the watched namespaces, the
// other TemplateApplications that recorded an apply on domain (their
// LabelApplyDomain, written with their record) and are on it
// (appliesOn). One being deleted holds it only as in applicationsOn.
func (r *TemplateApplicationReconciler) applyingOn(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, domain domainRef) ([]*hostingv1alpha1.TemplateApplication, error) {
	namespaces := r.Namespaces
	if len(namespaces) == 0 {
		namespaces = []string{""} // every namespace
	}
	var out []*hostingv1alpha1.TemplateApplication
	for _, ns := range namespaces {
		list := &hostingv1alpha1.TemplateApplicationList{}
		if err := r.APIReader.List(ctx, list, client.InNamespace(ns), client.MatchingLabels{hostingv1alpha1.LabelApplyDomain: applyDomainLabel(domain.id)}); err != nil {
			return nil, fmt.Errorf("list from the API server the TemplateApplications applying on domain %s: %w", domain, err)
		}
		for i := range list.Items {
			o := &list.Items[i]
			if o.UID != ta.UID && contends(o, r.clock(), r.Timing.CreateGrace) && appliesOn(o, domain) {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// appliesOn reports that o is on domain: it names it (domainOf), or its
// spec names a domain by a name not resolved yet for this generation and
// its apply record is of domain, which is known by its ID only here: an
// application's first pass writes that record before the status that
// resolves its name, and one paused (or failing) after an edit keeps a
// status that no longer does. applicationDomainKeys indexes it so.
func appliesOn(o *hostingv1alpha1.TemplateApplication, domain domainRef) bool {
	od := domainOf(o)
	if domain.same(od) {
		return true
	}
	if od.id != "" || od.fqdn == "" || domain.fqdn != "" || domain.id == "" {
		return false
	}
	rec, ok := currentRecord(o)
	return ok && rec.DomainID == domain.id
}

// mergeRivals is cached and live together, live's copy of an application
// in both.
func mergeRivals(cached, live []*hostingv1alpha1.TemplateApplication) []*hostingv1alpha1.TemplateApplication {
	seen := make(map[types.UID]bool, len(live))
	out := make([]*hostingv1alpha1.TemplateApplication, 0, len(cached)+len(live))
	for _, o := range live {
		seen[o.UID] = true
		out = append(out, o)
	}
	for _, o := range cached {
		if !seen[o.UID] {
			out = append(out, o)
		}
	}
	return out
}

// applyDomainLabel is LabelApplyDomain's value for domainID: the ID itself
// (Gandi's domain IDs are UUIDs), or, should one not be a label value, its
// SHA-256 in hex, cut to a label's length.
func applyDomainLabel(domainID string) string {
	if len(validation.IsValidLabelValue(domainID)) == 0 {
		return domainID
	}
	sum := sha256.Sum256([]byte(domainID))
	return hex.EncodeToString(sum[:])[:validation.LabelValueMaxLength]
}

// heldBackAtSend reports an apply that heldBackNow stopped: nothing was
// sent, and its record was taken back (sendApply) unless tookBack is false.
// A holder whose apply there is recorded and not answered may be racing
// this one, and take its record back too (each saw the other's): this one
// looks again soon rather than at the poll.
func (r *TemplateApplicationReconciler) heldBackAtSend(ta *hostingv1alpha1.TemplateApplication, t applyTarget, holder applicationView, tookBack bool, err error) result {
	res := *ownedByAnother(ta, r.Timing, heldBackMessage(t.standing, holder, targetDomain(ta, t)))
	switch {
	case !tookBack:
		// The record stays: it is resolved as one left by a crash between
		// a record and its POST.
		return retry(err)
	case !holder.applied && applyUnanswered(holder.obj):
		return waitFor(jittered(r.Timing.Transitional))
	}
	return res
}

// applyUnanswered reports an application whose last apply is recorded and
// not answered.
func applyUnanswered(obj client.Object) bool {
	ta, ok := obj.(*hostingv1alpha1.TemplateApplication)
	if !ok {
		return false
	}
	rec, recorded := currentRecord(ta)
	return recorded && rec.Outcome == outcomeUnanswered
}
