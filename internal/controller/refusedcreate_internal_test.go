package controller

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// A create Gandi refused for a name this key cannot see is refused again
// while the other owner holds it: it is sent again when something it
// depends on changed, or at the slow interval, unless this object's own
// earlier create may have made the vhost.
func TestSendVhostCreateOnlyWhenSomethingChangedOrDue(t *testing.T) {
	for _, tc := range []struct {
		name                           string
		earlier, refused, changed, due bool
		send                           bool
	}{
		{name: "never refused: sent", send: true},
		{name: "refused, nothing changed since, not due: not sent", refused: true},
		{name: "refused, then the spec changed or a reconcile was requested: sent", refused: true, changed: true, send: true},
		{name: "refused a detail interval ago: sent, the owner may have let it go", refused: true, due: true, send: true},
		{name: "recorded by a create whose answer was lost: sent, only the refusal tells", earlier: true, refused: true, send: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sendVhostCreate(tc.earlier, tc.refused, tc.changed, tc.due); got != tc.send {
				t.Fatalf("sendVhostCreate = %v, want %v", got, tc.send)
			}
		})
	}
}

func TestRefusalDue(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		at   *metav1.Time
		due  bool
	}{
		{name: "no time recorded (an older build's record): due", due: true},
		{name: "refused a minute ago: not due", at: &metav1.Time{Time: now.Add(-time.Minute)}},
		{name: "refused just under the interval ago: not due", at: &metav1.Time{Time: now.Add(-30*time.Minute + time.Second)}},
		{name: "refused the interval ago: due", at: &metav1.Time{Time: now.Add(-30 * time.Minute)}, due: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := refusalDue(tc.at, now, 30*time.Minute); got != tc.due {
				t.Fatalf("refusalDue = %v, want %v", got, tc.due)
			}
		})
	}
}

// A Vhost whose create Gandi refused for an FQDN another instance serves
// (status.createRefusedAt) sends it again only when its spec changed, a
// reconcile was requested, the detail interval passed since, or its own
// earlier create may have made the vhost; otherwise the refusal stands and
// nothing is sent. A refusal met again when nothing changed since the
// recorded one (the create sent because it was due, or its answer lost)
// is no news: no second event (repeat).
func TestVhostCreateAfterRefusal(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 30, 0, 0, time.UTC)
	l := &lifecycle{now: func() time.Time { return now }, timing: Timing{Poll: time.Minute, Detail: 30 * time.Minute}}
	ago := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(-d)} }
	for _, tc := range []struct {
		name string
		// generation, observed: metadata.generation, status.observedGeneration.
		generation, observed int64
		// requested, handled: the requested-at annotation ("" none), status.lastHandledReconcileAt.
		requested, handled string
		refusedAt          *metav1.Time
		pending            bool
		send, repeat       bool
	}{
		{name: "never refused: sent", generation: 1, observed: 1, send: true},
		{name: "refused, nothing changed since: not sent", generation: 1, observed: 1, refusedAt: ago(time.Minute), repeat: true},
		{name: "refused, reconcile request handled by the refusal: not sent", generation: 1, observed: 1, requested: "r1", handled: "r1", refusedAt: ago(time.Minute), repeat: true},
		{name: "refused, then the spec changed: sent", generation: 2, observed: 1, refusedAt: ago(time.Minute), send: true},
		{name: "refused, then a reconcile was requested: sent", generation: 1, observed: 1, requested: "r2", handled: "r1", refusedAt: ago(time.Minute), send: true},
		{name: "refused a detail interval ago: sent, the other may have let the name go", generation: 1, observed: 1, refusedAt: ago(30 * time.Minute), send: true, repeat: true},
		{name: "refused, and its own create intent is open: sent, only the refusal tells", generation: 1, observed: 1, refusedAt: ago(time.Minute), pending: true, send: true, repeat: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vh := &hostingv1alpha1.Vhost{
				ObjectMeta: metav1.ObjectMeta{Name: "www", Namespace: "web", Generation: tc.generation},
				Status: hostingv1alpha1.VhostStatus{ObservedGeneration: tc.observed, LastHandledReconcileAt: tc.handled,
					CreateRefusedAt: tc.refusedAt},
			}
			if tc.requested != "" {
				vh.Annotations = map[string]string{hostingv1alpha1.AnnotationRequestedAt: tc.requested}
			}
			const refusal = "create vhost www.example.com: refused; nothing was created or bought at Gandi"
			setCondition(vh, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreateRefused, refusal)
			ext := &vhostExternal{vh: vh}
			if repeat := refusalRecorded(ext); repeat != tc.repeat {
				t.Fatalf("refusalRecorded = %v, want %v", repeat, tc.repeat)
			}
			res := l.refusalStands(vh, ext, tc.pending)
			if sent := res == nil; sent != tc.send {
				t.Fatalf("create sent = %v, want %v", sent, tc.send)
			}
			if res != nil && (res.stall == nil || *res.stall != (stall{hostingv1alpha1.ReasonCreateRefused, refusal})) {
				t.Fatalf("a standing refusal stays stalled on the recorded report: %+v", res.stall)
			}
			if res != nil && (res.err != nil || res.requeue <= 0 || res.requeue > l.timing.Poll*11/10 || res.observed) {
				t.Fatalf("a standing refusal looks again at the poll interval and moves nothing: %+v", *res)
			}
			if vh.Status.CreateRefusedAt != tc.refusedAt {
				t.Fatalf("createRefusedAt = %v, want it kept (%v)", vh.Status.CreateRefusedAt, tc.refusedAt)
			}
		})
	}
}

// The note says when the create goes out again, in words for a zero
// interval (every poll), not "every 0s".
func TestResentNote(t *testing.T) {
	for every, want := range map[time.Duration]string{
		30 * time.Minute: "sent again every 30m0s,",
		0:                "sent again at every poll,",
	} {
		if got := resentNote(every); !strings.Contains(got, want) {
			t.Errorf("resentNote(%v) = %q, want it to contain %q", every, got, want)
		}
	}
}
