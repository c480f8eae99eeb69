package controller

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

func TestDecidePendingDeleteLeavesWhatAnotherObjectManages(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	intent := now.Add(-10 * time.Second)
	grace := 30 * time.Second
	// Both made after the loser's intent: Gandi's dates cannot tell them
	// apart, only the cluster's records can.
	theirs := candidate{id: "theirs", createdAt: intent.Add(2 * time.Second)}
	own := candidate{id: "own", createdAt: intent.Add(time.Second)}
	own2 := candidate{id: "own2", createdAt: intent.Add(3 * time.Second)}
	undated := candidate{id: "undated"} // a template: Gandi gives no date
	// Templates whose content the lookup read: what the loser's create
	// sent (digests), and what someone made by hand meanwhile.
	digests := []string{"sha256:sent"}
	sentContent := candidate{id: "sent", content: "sha256:sent"}
	byHand := candidate{id: "by-hand", content: "sha256:by-hand"}

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
		// others are the cluster objects recording an ID (ext.rivals
		// gives those recording the ID asked about).
		others []client.Object
		// buying are the cluster objects with a create intent for the
		// name, in any credentials scope.
		buying  []client.Object
		elapsed time.Duration // since the intent
		// crashed: the create was cut by a crash, nothing recorded its loss
		crashed bool
		// digests are what the loser's creates sent (none: an intent an
		// earlier build recorded)
		digests []string
		wantID  string
		wait    bool
		// ambiguous: a person is asked which match is this object's
		ambiguous bool
		// released are the matches reported left at Gandi
		released string
	}{
		{name: "its own match, nobody else's: deleted", matches: []candidate{own}, elapsed: 10 * time.Second, wantID: "own"},
		{name: "another object's purchase, within the grace: its own create is still waited for", matches: []candidate{theirs},
			others: []client.Object{winner("theirs")}, elapsed: 10 * time.Second, wait: true},
		{name: "another object's purchase, after the grace: left, nothing deleted", matches: []candidate{theirs},
			others: []client.Object{winner("theirs")}, elapsed: 2 * grace, released: "theirs"},
		{name: "its own and another object's: only its own, never ambiguous", matches: []candidate{own, theirs},
			others: []client.Object{winner("theirs")}, elapsed: 10 * time.Second, wantID: "own"},
		{name: "an undated template another object manages: left", matches: []candidate{undated},
			others: []client.Object{winner("undated")}, elapsed: 2 * grace, released: "undated"},
		{name: "an undated template nobody else manages, an intent without digests (an earlier build): deleted, as it was", matches: []candidate{undated}, elapsed: 2 * grace, wantID: "undated"},
		{name: "an undated template showing what its create sent: deleted", matches: []candidate{sentContent}, digests: digests, elapsed: 10 * time.Second, wantID: "sent"},
		{name: "an undated template someone made by hand meanwhile, within the grace: waited for, not deleted", matches: []candidate{byHand}, digests: digests, elapsed: 10 * time.Second, wait: true},
		{name: "an undated template someone made by hand meanwhile, after the grace: left, nothing deleted", matches: []candidate{byHand}, digests: digests, elapsed: 2 * grace},
		{name: "its own undated template and one made by hand: only its own", matches: []candidate{byHand, sentContent}, digests: digests, elapsed: 10 * time.Second, wantID: "sent"},
		{name: "an undated template whose content was not read: left", matches: []candidate{undated}, digests: digests, elapsed: 2 * grace},
		{name: "a create cut by a crash, the grace since its send over: the loss is recorded, and the grace waited from it", matches: []candidate{theirs},
			others: []client.Object{winner("theirs")}, elapsed: 2 * grace, crashed: true, wait: true},
		{name: "another object's purchase, answered, its ID not written yet: waited for, not deleted", matches: []candidate{theirs},
			buying: []client.Object{buyer(intent.Add(time.Second), intent.Add(2*grace))}, elapsed: 2 * grace, wait: true},
		{name: "its own match, and another object's purchase whose ID is on its way: only its own", matches: []candidate{own, theirs},
			buying: []client.Object{buyer(own.createdAt.Add(time.Millisecond).Add(clockSkew), intent.Add(2*grace))}, elapsed: 2 * grace, wantID: "own"},
		{name: "a match another object's intent explains, both creates' graces over: left, nothing deleted", matches: []candidate{theirs},
			buying: []client.Object{buyer(intent.Add(time.Second), intent.Add(time.Second))}, elapsed: 3 * grace, released: "theirs"},
		{name: "its own match, made before the other object's intent: deleted", matches: []candidate{own},
			buying: []client.Object{buyer(own.createdAt.Add(2*clockSkew), intent.Add(2*grace))}, elapsed: 2 * grace, wantID: "own"},
		{name: "two matches of its own: ambiguous, nothing deleted", matches: []candidate{own, own2}, elapsed: 10 * time.Second, ambiguous: true},
		{name: "a match made before its intent: someone else's, left unreported once the grace is over",
			matches: []candidate{{id: "old", createdAt: intent.Add(-2 * clockSkew)}}, elapsed: 2 * grace},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loser := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{
				Name: "shop-a", Namespace: "team", UID: types.UID("a"),
				CreationTimestamp: metav1.NewTime(intent.Add(-time.Second)),
				Annotations:       map[string]string{hostingv1alpha1.AnnotationCreatePending: intent.Format(time.RFC3339Nano)},
			}}
			if tc.digests != nil {
				loser.Annotations[hostingv1alpha1.AnnotationCreateDigest] = strings.Join(tc.digests, ",")
			}
			if !tc.crashed {
				loser.Annotations[hostingv1alpha1.AnnotationCreateLostAt] = intent.Add(time.Second).Format(time.RFC3339Nano)
			}
			in := pendingDeleteInput{obj: loser, matches: tc.matches, rivals: map[string][]client.Object{}, intents: tc.buying,
				now: intent.Add(tc.elapsed), grace: grace}
			for _, c := range tc.matches {
				for _, o := range tc.others {
					if externalIDAnnotation(o) == c.id {
						in.rivals[c.id] = append(in.rivals[c.id], o)
					}
				}
			}
			d := decidePendingDelete(in)
			if d.id != tc.wantID {
				t.Fatalf("id = %q, want %q (%+v)", d.id, tc.wantID, d)
			}
			if (d.action == pendingFound) != (tc.wantID != "") {
				t.Fatalf("action = %v with id %q", d.action, d.id)
			}
			if waiting := d.action == pendingWaitOwn || d.action == pendingWaitOthers; waiting != tc.wait {
				t.Fatalf("waiting = %v (%+v), want %v", waiting, d, tc.wait)
			}
			if d.recordLoss != tc.crashed {
				t.Fatalf("recordLoss = %v, want %v (the loss is recorded only when nothing did)", d.recordLoss, tc.crashed)
			}
			if ambiguous := d.action == pendingAmbiguous; ambiguous != tc.ambiguous {
				t.Fatalf("ambiguous = %v (%+v), want %v", ambiguous, d, tc.ambiguous)
			}
			if released := candidateIDs(append(d.theirs, d.shared...)); released != tc.released {
				t.Fatalf("released = %q, want %q", released, tc.released)
			}
		})
	}
}
