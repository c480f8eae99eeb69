package controller

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
		effectAnnotationPrefix + effectPaaSVhosts, confirmedKey(effectPaaSVhosts),
		effectAnnotationPrefix + effectPaaSVhostOptions, confirmedKey(effectPaaSVhostOptions),
		// A paid change sent to a former instance is not on its way to the new one.
		effectAnnotationPrefix + effectPaidChange, confirmedKey(effectPaidChange)}
	if len(got) != len(want) {
		t.Fatalf("intentEffects = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("intentEffects = %v, want %v", got, want)
		}
	}
	if r := intentEffects(&vhostExternal{}, nil); r != nil {
		t.Fatalf("a kind without records on its object removes nothing, got %v", r)
	}
}
