package controller

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// TestReachFromStatus pins what an application's status, which only the
// operator writes, tells of its credentials reaching a domain.
func TestReachFromStatus(t *testing.T) {
	const d = "dom-1"
	type mod func(*hostingv1alpha1.TemplateApplication)
	byName := func(ta *hostingv1alpha1.TemplateApplication) { ta.Spec.Domain = "example.com" }
	byID := func(ta *hostingv1alpha1.TemplateApplication) { ta.Spec.DomainID = d }
	resolved := func(id string) mod {
		return func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Status.ObservedGeneration, ta.Status.DomainID = ta.Generation, id
		}
	}
	dispatchedOn := func(domainID string) mod {
		return func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Status.Dispatch = &hostingv1alpha1.DispatchStatus{ID: "disp-1", DomainID: domainID, State: "pending"}
		}
	}
	dispatched := dispatchedOn(d)
	// applied is an apply shown performed for generation gen.
	applied := func(gen int64) mod {
		return func(ta *hostingv1alpha1.TemplateApplication) {
			at := metav1.Now()
			ta.Status.AppliedAt, ta.Status.AppliedGeneration, ta.Status.AppliedPayloadHash = &at, gen, "sha256:x"
		}
	}
	synced := func(reason string, gen int64) mod {
		return func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Status.Conditions = append(ta.Status.Conditions, metav1.Condition{
				Type: hostingv1alpha1.ConditionSynced, Status: metav1.ConditionFalse, Reason: reason, ObservedGeneration: gen,
			})
		}
	}
	edited := func(ta *hostingv1alpha1.TemplateApplication) { ta.Generation = 3 }

	for _, tc := range []struct {
		name string
		mods []mod
		want reach
	}{
		{name: "no status (new, restored, paused): Gandi is asked", mods: []mod{byName}, want: reachUnknown},
		{name: "a name resolved to the domain for this generation", mods: []mod{byName, resolved(d)}, want: reachShown},
		{name: "a name resolved to another domain", mods: []mod{byName, resolved("dom-2")}, want: reachUnknown},
		{name: "resolved for a former generation: the spec may name another domain now", mods: []mod{byName, resolved(d), edited}, want: reachUnknown},
		{name: "a domain given by ID: no route read it", mods: []mod{byID, resolved(d)}, want: reachUnknown},
		{name: "given by ID, Gandi refused its apply", mods: []mod{byID, resolved(d), synced(hostingv1alpha1.ReasonUnauthorized, 2)}, want: reachRefused},
		{name: "its Secret does not exist", mods: []mod{byName, synced(hostingv1alpha1.ReasonCredentialsNotFound, 2)}, want: reachRefused},
		{name: "its Secret has no token", mods: []mod{byName, synced(hostingv1alpha1.ReasonCredentialsKeyMissing, 2)}, want: reachRefused},
		{name: "the domain is not in its account", mods: []mod{byName, synced(hostingv1alpha1.ReasonDomainNotFound, 2)}, want: reachRefused},
		{name: "a token that may read the domain and not apply there", mods: []mod{byName, resolved(d), synced(hostingv1alpha1.ReasonUnauthorized, 2)}, want: reachRefused},
		{name: "a token revoked while Gandi runs the dispatch it answered", mods: []mod{byName, resolved(d), dispatched, synced(hostingv1alpha1.ReasonUnauthorized, 2)}, want: reachShown},
		{name: "a dispatch only its apply record names (no domain shown by Gandi) is no evidence", mods: []mod{byName, resolved(d), dispatchedOn(""), synced(hostingv1alpha1.ReasonUnauthorized, 2)}, want: reachRefused},
		{name: "a dispatch on another domain, then the spec moved here with a read-only token", mods: []mod{byName, resolved(d), dispatchedOn("dom-2"), synced(hostingv1alpha1.ReasonUnauthorized, 2)}, want: reachRefused},
		{name: "given by ID, a dispatch Gandi showed there, its token revoked since", mods: []mod{byID, resolved(d), dispatched, synced(hostingv1alpha1.ReasonUnauthorized, 2)}, want: reachShown},
		{name: "given by ID, a dispatch Gandi showed there, its own pass not refused (it reads nothing by ID)", mods: []mod{byID, resolved(d), dispatched}, want: reachShown},
		{name: "an apply performed for this generation (the domain confirmed a lost answer), its token revoked since", mods: []mod{byName, resolved(d), applied(2), synced(hostingv1alpha1.ReasonUnauthorized, 2)}, want: reachShown},
		{name: "given by ID, an apply performed for this generation", mods: []mod{byID, applied(2), synced(hostingv1alpha1.ReasonUnauthorized, 2)}, want: reachShown},
		{name: "an apply performed for a former generation (another domain, maybe), refused now", mods: []mod{byName, resolved(d), applied(1), synced(hostingv1alpha1.ReasonUnauthorized, 2)}, want: reachRefused},
		{name: "a malformed token in its Secret", mods: []mod{byName, synced(hostingv1alpha1.ReasonCredentialsInvalid, 2)}, want: reachRefused},
		{name: "a refusal of a former generation tells nothing now", mods: []mod{byName, synced(hostingv1alpha1.ReasonUnauthorized, 1)}, want: reachUnknown},
		{name: "a transient failure is no refusal", mods: []mod{byName, resolved(d), synced(hostingv1alpha1.ReasonGandiUnavailable, 2)}, want: reachShown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ta := &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
			for _, m := range tc.mods {
				m(ta)
			}
			if got := reachFromStatus(ta, d); got != tc.want {
				t.Errorf("reachFromStatus = %d, want %d", got, tc.want)
			}
		})
	}
}
