package controller

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// stubExternal is an external that answers only what the steps under test
// ask: its description, and the cluster objects naming it.
type stubExternal struct {
	others []client.Object
}

func (s *stubExternal) describe() string  { return `template "dns"` }
func (s *stubExternal) uniqueKey() bool   { return true }
func (s *stubExternal) handedOver() bool  { return false }
func (s *stubExternal) intentKey() string { return "now" }
func (s *stubExternal) rivals(context.Context, string) ([]client.Object, error) {
	return s.others, nil
}
func (s *stubExternal) find(context.Context) ([]candidate, error)          { return nil, nil }
func (s *stubExternal) prepare(context.Context) (map[string]string, error) { return nil, nil }
func (s *stubExternal) create(context.Context) (string, error)             { return "", nil }
func (s *stubExternal) deleting(context.Context, string) (bool, error)     { return false, nil }
func (s *stubExternal) remove(context.Context, string) (bool, error)       { return false, nil }

// Which ends of a pass count as observed (result.observed): those reached
// from what Gandi showed (a lookup, a GET, a refused create), which answer
// the generation and any requested reconcile, so that observedGeneration
// and lastHandledReconcileAt move and kstatus, Flux and `kubectl gandi
// reconcile` see the pass concluded; not those reached before anything was
// read at Gandi, nor those that go on at the next pass.
func TestPassesConcludedFromGandiAreObserved(t *testing.T) {
	now := time.Date(2026, 12, 7, 22, 30, 0, 0, time.UTC)
	l := &lifecycle{now: func() time.Time { return now }, timing: Timing{Poll: time.Minute, Transitional: time.Second, CreateGrace: time.Minute}}
	src := credentialSource{secret: types.NamespacedName{Namespace: "web", Name: "gandi-credentials"}, key: "token", uid: "u1", version: "1"}
	other := src
	other.secret.Name = "other-credentials"
	seenUnder := func(s credentialSource) func(*hostingv1alpha1.Template) {
		return func(tpl *hostingv1alpha1.Template) {
			rec := observedCredentials("42", s)
			tpl.Status.ObservedWith = &rec
		}
	}
	two := []candidate{{id: "41"}, {id: "42"}}
	for _, tc := range []struct {
		name   string
		setup  func(*hostingv1alpha1.Template)
		ext    *stubExternal
		pass   func(tpl *hostingv1alpha1.Template, ext *stubExternal) *result
		reason string
		// observed: the pass concluded from what Gandi showed.
		observed bool
	}{
		{name: "Observe, and the lookup finds nothing at Gandi", reason: hostingv1alpha1.ReasonExternalNotFound, observed: true,
			pass: func(tpl *hostingv1alpha1.Template, ext *stubExternal) *result { return l.absent(tpl, ext) }},
		{name: "the lookup finds one this object did not make", reason: hostingv1alpha1.ReasonAlreadyExists, observed: true,
			pass: func(tpl *hostingv1alpha1.Template, ext *stubExternal) *result {
				return l.alreadyExists(tpl, ext, two[:1])
			}},
		{name: "the lookup finds several that could be this object's", reason: hostingv1alpha1.ReasonAmbiguousExternalObject, observed: true,
			pass: func(tpl *hostingv1alpha1.Template, ext *stubExternal) *result { return l.ambiguous(tpl, ext, two) }},
		{name: "Gandi's Dry-Run refuses the create", reason: hostingv1alpha1.ReasonCreateRefused, observed: true,
			pass: func(tpl *hostingv1alpha1.Template, ext *stubExternal) *result {
				return l.prepareFailed(context.Background(), tpl, ext, &gandi.ValidationError{Errors: []gandi.FieldError{{Name: "name", Description: "too long"}}}, false)
			}},
		{name: "deleted at Gandi under the credentials it was seen under", setup: seenUnder(src), reason: hostingv1alpha1.ReasonExternalNotFound, observed: true,
			pass: func(tpl *hostingv1alpha1.Template, _ *stubExternal) *result {
				return halt(l.vanished(context.Background(), tpl, "template", "42", src, false, &tpl.Spec.ManagedFields, func() {}))
			}},
		{name: "not found, and never seen under any credentials", reason: hostingv1alpha1.ReasonExternalNotFound, observed: true,
			pass: func(tpl *hostingv1alpha1.Template, _ *stubExternal) *result {
				return halt(l.vanished(context.Background(), tpl, "template", "42", src, true, &tpl.Spec.ManagedFields, func() {}))
			}},
		{name: "not found under other credentials than it was seen under", setup: seenUnder(other), reason: hostingv1alpha1.ReasonCredentialsChanged, observed: true,
			pass: func(tpl *hostingv1alpha1.Template, _ *stubExternal) *result {
				return l.notFoundElsewhere(tpl, "template 42", "42", src, "if it is gone, "+confirmGone)
			}},
		{name: "the credentials cannot be resolved: nothing read", reason: hostingv1alpha1.ReasonCredentialsNotFound,
			pass: func(tpl *hostingv1alpha1.Template, _ *stubExternal) *result {
				_, _, res := connectTo(context.Background(), l, tpl, func(context.Context) (*gandi.Client, credentialSource, error) {
					return nil, credentialSource{}, &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsNotFound, Message: `secret "missing" not found`}
				})
				return res
			}},
		{name: "another object manages it: nothing read at Gandi, and a stale report is judged again", reason: hostingv1alpha1.ReasonOwnedByAnotherObject,
			ext: &stubExternal{others: []client.Object{&hostingv1alpha1.Template{ObjectMeta: metav1.ObjectMeta{
				Name: "first", Namespace: "web", UID: "uid-first", CreationTimestamp: metav1.NewTime(now.Add(-2 * time.Hour)),
				Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: "42"}}}}},
			setup: func(tpl *hostingv1alpha1.Template) {
				tpl.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: "42"}
			},
			pass: func(tpl *hostingv1alpha1.Template, ext *stubExternal) *result {
				return l.checkRivals(context.Background(), tpl, ext)
			}},
		{name: "the key changed under an unconfirmed create: nothing looked up", reason: hostingv1alpha1.ReasonCreateKeyChanged,
			setup: func(tpl *hostingv1alpha1.Template) {
				tpl.Annotations = map[string]string{hostingv1alpha1.AnnotationCreatePending: now.Add(-time.Second).Format(time.RFC3339Nano),
					hostingv1alpha1.AnnotationCreatePendingKey: "before"}
			},
			pass: func(tpl *hostingv1alpha1.Template, ext *stubExternal) *result {
				return l.intentKeyChanged(tpl, ext, "put them back")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl := &hostingv1alpha1.Template{ObjectMeta: metav1.ObjectMeta{Name: "dns", Namespace: "web", UID: "uid-dns", Generation: 3,
				CreationTimestamp: metav1.NewTime(now.Add(-time.Hour))}}
			if tc.setup != nil {
				tc.setup(tpl)
			}
			ext := tc.ext
			if ext == nil {
				ext = &stubExternal{}
			}
			res := tc.pass(tpl, ext)
			if res == nil {
				t.Fatal("the pass went on; want it stopped")
			}
			if got := readyReason(tpl); got != tc.reason {
				t.Fatalf("Ready reason = %q, want %q", got, tc.reason)
			}
			if res.describesGeneration() != tc.observed || res.err != nil {
				t.Fatalf("describesGeneration = %v (err %v), want %v", res.describesGeneration(), res.err, tc.observed)
			}
		})
	}
}
