package controller

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
