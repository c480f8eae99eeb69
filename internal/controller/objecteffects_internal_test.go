package controller

import (
	"maps"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

func TestEffectsStale(t *testing.T) {
	intent := map[string]string{hostingv1alpha1.AnnotationCreatePending: time.Now().UTC().Format(time.RFC3339Nano)}
	on := func(id string, extra map[string]string) map[string]string {
		a := map[string]string{hostingv1alpha1.AnnotationEffectsFor: id}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	cases := []struct {
		name      string
		ann       map[string]string
		id        string
		created   bool
		wantFrom  string
		wantStale bool
	}{
		{"made on id", on("B", nil), "B", false, "B", false},
		{"made on another object", on("A", nil), "B", false, "A", true},
		{"made on another object, copied beside an intent", on("A", intent), "B", false, "A", true},
		{"sent with a create that did not make id", intent, "B", false, "", true},
		{"sent with the create that made id", intent, "B", true, "", false},
		{"an older build's, with no intent: on id, as always", nil, "B", false, "", false},
		{"the create made id, whatever an older intent left", on("A", nil), "B", true, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obj := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Annotations: c.ann}}
			from, stale := effectsStale(obj, c.id, c.created)
			if from != c.wantFrom || stale != c.wantStale {
				t.Fatalf("effectsStale = (%q, %v), want (%q, %v)", from, stale, c.wantFrom, c.wantStale)
			}
		})
	}
}

func TestIntentEffects(t *testing.T) {
	ext := &paasExternal{pi: &hostingv1alpha1.PaaSInstance{}}
	got := intentEffects(ext, acceptedRecord(effectPassword, "v1"))
	want := []string{hostingv1alpha1.AnnotationEffectsFor,
		effectAnnotationPrefix + effectSSHKeys, confirmedKey(effectSSHKeys),
		// The keys sent to a former instance are not on the new one.
		effectAnnotationPrefix + effectSSHKeysAppended, confirmedKey(effectSSHKeysAppended),
		effectAnnotationPrefix + effectPaaSVhosts, confirmedKey(effectPaaSVhosts),
		effectAnnotationPrefix + effectPaaSVhostOptions, confirmedKey(effectPaaSVhostOptions),
		// A paid change sent to a former instance is not on its way to the new one,
		// and the hold of a former instance's unknown past does not hold the one
		// this create buys.
		effectAnnotationPrefix + effectPaidChange, confirmedKey(effectPaidChange), paidSentAtKey, paidHoldKey}
	if !slices.Equal(got, want) {
		t.Fatalf("intentEffects = %v, want %v", got, want)
	}
	if r := intentEffects(&vhostExternal{}, nil); r != nil {
		t.Fatalf("a kind without records on its object removes nothing, got %v", r)
	}
}

// TestPaidHoldGoesWithItsInstance: the paid hold is about the instance it
// was recorded for: the write that takes hold of another one drops it (or
// writes its own), and so does the intent of a create, whose instance has
// no past it does not know.
func TestPaidHoldGoesWithItsInstance(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	hold := map[string]string{paidHoldKey: now.Add(-time.Minute).Format(time.RFC3339Nano), hostingv1alpha1.AnnotationEffectsFor: "A"}
	hi := func() (client.Object, external) {
		o := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{UID: "u", Annotations: maps.Clone(hold)}}
		return o, &instanceExternal{hi: o}
	}
	pi := func() (client.Object, external) {
		o := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{UID: "u", Annotations: maps.Clone(hold)}}
		return o, &paasExternal{pi: o}
	}
	for _, c := range []struct {
		name  string
		obj   func() (client.Object, external)
		write func(client.Object, external) annotationPatch
		// dropped: the write removes the hold; renewed: it writes one from now.
		dropped, renewed bool
	}{
		{name: "an instance's create intent (after a recreate, or an ID cleared by hand)", obj: hi, dropped: true,
			write: func(_ client.Object, ext external) annotationPatch {
				return annotationPatch{remove: intentEffects(ext, nil)}
			}},
		{name: "a PaaS instance's create intent", obj: pi, dropped: true,
			write: func(_ client.Object, ext external) annotationPatch {
				return annotationPatch{remove: intentEffects(ext, nil)}
			}},
		{name: "another instance adopted: a hold of its own, from now", obj: pi, renewed: true,
			write: func(obj client.Object, ext external) annotationPatch {
				p, _ := withHeldRequests(obj, ext, annotationPatch{remove: staleEffectKeys(obj, ext, "B", false)}, "B", false, now)
				return p
			}},
		{name: "the instance it was recorded for: kept as it is", obj: hi,
			write: func(obj client.Object, ext external) annotationPatch {
				return annotationPatch{remove: staleEffectKeys(obj, ext, "A", false)}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			obj, ext := c.obj()
			p := c.write(obj, ext)
			if got := slices.Contains(p.remove, paidHoldKey); got != c.dropped {
				t.Errorf("remove = %v, want the hold dropped: %v", p.remove, c.dropped)
			}
			if v, ok := p.set[paidHoldKey]; ok != c.renewed || (ok && v != "2026-12-02T10:00:00Z") {
				t.Errorf("set = %v, want a hold from now: %v", p.set, c.renewed)
			}
		})
	}
}
