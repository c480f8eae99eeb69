package controller

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// stubExternal is an external whose Gandi answers and rivals are given:
// enough for the lifecycle's decisions that read them.
type stubExternal struct {
	external // the steps these tests reach call only the methods below
	matches  []candidate
	// objects are the cluster objects of the kind; rivals returns those
	// recording the ID asked about (none share the natural key here).
	objects []client.Object
	// buying are the cluster objects with a create intent for the name,
	// in any credentials scope.
	buying []client.Object
}

func (s *stubExternal) intents(context.Context) ([]client.Object, error) { return s.buying, nil }

var _ answerNamed = &stubExternal{}

func (s *stubExternal) describe() string { return `instance "shop"` }

func (s *stubExternal) find(context.Context) ([]candidate, error) { return s.matches, nil }

func (s *stubExternal) rivals(_ context.Context, id string) ([]client.Object, error) {
	var out []client.Object
	for _, o := range s.objects {
		if id != "" && externalIDAnnotation(o) == id {
			out = append(out, o)
		}
	}
	return out, nil
}

func TestFindPendingForDeleteLeavesWhatAnotherObjectManages(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	intent := now.Add(-10 * time.Second)
	grace := 30 * time.Second
	// Both made after the loser's intent: Gandi's dates cannot tell them
	// apart, only the cluster's records can.
	theirs := candidate{id: "theirs", createdAt: intent.Add(2 * time.Second)}
	own := candidate{id: "own", createdAt: intent.Add(time.Second)}
	undated := candidate{id: "undated"} // a template: Gandi gives no date

	winner := func(id string) client.Object {
		hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{
			Name: "shop-c", Namespace: "other", UID: types.UID("c"),
			CreationTimestamp: metav1.NewTime(intent.Add(time.Second)),
			Annotations:       map[string]string{hostingv1alpha1.AnnotationExternalID: id, hostingv1alpha1.AnnotationCreatedID: id},
		}}
		hi.Status.ID = id
		return hi
	}
	// buyer is another object, under other credentials on the same
	// account, whose create intent dates from since and whose latest
	// create was sent at sent; its answer carries the ID it then records.
	buyer := func(since, sent time.Time) client.Object {
		return &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{
			Name: "shop-c", Namespace: "other", UID: types.UID("c"),
			CreationTimestamp: metav1.NewTime(since.Add(-time.Second)),
			Annotations: map[string]string{hostingv1alpha1.AnnotationCreatePending: since.Format(time.RFC3339Nano),
				hostingv1alpha1.AnnotationCreateSentAt: sent.Format(time.RFC3339Nano)},
		}}
	}
	cases := []struct {
		name    string
		matches []candidate
		others  []client.Object
		buying  []client.Object
		elapsed time.Duration // since the intent
		// crashed: the create was cut by a crash, nothing recorded its loss
		crashed bool
		wantID  string
		wait    bool
	}{
		{name: "its own match, nobody else's: deleted", matches: []candidate{own}, elapsed: 10 * time.Second, wantID: "own"},
		{name: "another object's purchase, within the grace: its own create is still waited for", matches: []candidate{theirs},
			others: []client.Object{winner("theirs")}, elapsed: 10 * time.Second, wait: true},
		{name: "another object's purchase, after the grace: left, nothing deleted", matches: []candidate{theirs},
			others: []client.Object{winner("theirs")}, elapsed: 2 * grace},
		{name: "its own and another object's: only its own, never ambiguous", matches: []candidate{own, theirs},
			others: []client.Object{winner("theirs")}, elapsed: 10 * time.Second, wantID: "own"},
		{name: "an undated template another object manages: left", matches: []candidate{undated},
			others: []client.Object{winner("undated")}, elapsed: 2 * grace},
		{name: "an undated template nobody else manages: deleted", matches: []candidate{undated}, elapsed: 2 * grace, wantID: "undated"},
		{name: "a create cut by a crash, the grace since its send over: the loss is recorded, and the grace waited from it", matches: []candidate{theirs},
			others: []client.Object{winner("theirs")}, elapsed: 2 * grace, crashed: true, wait: true},
		{name: "another object's purchase, answered, its ID not written yet: waited for, not deleted", matches: []candidate{theirs},
			buying: []client.Object{buyer(intent.Add(time.Second), intent.Add(2*grace))}, elapsed: 2 * grace, wait: true},
		{name: "its own match, and another object's purchase whose ID is on its way: only its own", matches: []candidate{own, theirs},
			buying: []client.Object{buyer(own.createdAt.Add(time.Millisecond).Add(clockSkew), intent.Add(2*grace))}, elapsed: 2 * grace, wantID: "own"},
		{name: "a match another object's intent explains, both creates' graces over: left, nothing deleted", matches: []candidate{theirs},
			buying: []client.Object{buyer(intent.Add(time.Second), intent.Add(time.Second))}, elapsed: 3 * grace},
		{name: "its own match, made before the other object's intent: deleted", matches: []candidate{own},
			buying: []client.Object{buyer(own.createdAt.Add(2*clockSkew), intent.Add(2*grace))}, elapsed: 2 * grace, wantID: "own"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loser := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{
				Name: "shop-a", Namespace: "team", UID: types.UID("a"),
				CreationTimestamp: metav1.NewTime(intent.Add(-time.Second)),
				Annotations:       map[string]string{hostingv1alpha1.AnnotationCreatePending: intent.Format(time.RFC3339Nano)},
			}}
			if !tc.crashed {
				loser.Annotations[hostingv1alpha1.AnnotationCreateLostAt] = intent.Add(time.Second).Format(time.RFC3339Nano)
			}
			c := fake.NewClientBuilder().WithScheme(internalScheme(t)).WithObjects(loser).Build()
			at := intent.Add(tc.elapsed)
			l := &lifecycle{client: c, timing: Timing{CreateGrace: grace, Transitional: time.Second, Poll: time.Minute}, now: func() time.Time { return at }}
			id, res := l.findPendingForDelete(context.Background(), loser, &stubExternal{matches: tc.matches, objects: tc.others, buying: tc.buying})
			if id != tc.wantID {
				t.Fatalf("id = %q, want %q", id, tc.wantID)
			}
			if waiting := res != nil && res.err == nil && res.requeue > 0; waiting != tc.wait {
				t.Fatalf("waiting = %v (%+v), want %v", waiting, res, tc.wait)
			}
			var stored hostingv1alpha1.HostingInstance
			if err := c.Get(context.Background(), client.ObjectKeyFromObject(loser), &stored); err != nil {
				t.Fatal(err)
			}
			if lost := stored.Annotations[hostingv1alpha1.AnnotationCreateLostAt]; tc.crashed && lost != at.UTC().Format(time.RFC3339Nano) {
				t.Fatalf("create-lost-at = %q, want now (%s)", lost, at)
			}
		})
	}
}

func internalScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	if err := hostingv1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRecordedCredentials(t *testing.T) {
	cases := []struct {
		name   string
		record string
		want   *hostingv1alpha1.CredentialsReference
	}{
		{"none", "", nil},
		{"a token", credentialsRecordOf(&hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}), &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials", Key: hostingv1alpha1.CredentialsKeyToken}},
		{"an API key", credentialsRecordOf(&hostingv1alpha1.CredentialsReference{Name: "legacy", Key: hostingv1alpha1.CredentialsKeyAPIKey}), &hostingv1alpha1.CredentialsReference{Name: "legacy", Key: hostingv1alpha1.CredentialsKeyAPIKey}},
		{"no key: unreadable, not guessed", "gandi-credentials", nil},
		{"an unknown key", "gandi-credentials/password", nil},
		{"no name", "/token", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{hostingv1alpha1.AnnotationInstanceCredentials: c.record}}}
			got := recordedCredentials(vh)
			if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Fatalf("recordedCredentials(%q) = %+v, want %+v", c.record, got, c.want)
			}
		})
	}
}
