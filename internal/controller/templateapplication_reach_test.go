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
	dispatched := func(ta *hostingv1alpha1.TemplateApplication) {
		ta.Status.Dispatch = &hostingv1alpha1.DispatchStatus{ID: "disp-1", State: "pending"}
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
