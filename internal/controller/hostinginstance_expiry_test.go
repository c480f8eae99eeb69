package controller

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

func TestDecideExpiry(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *metav1.Time { mt := metav1.NewTime(now.Add(d)); return &mt }
	in18 := at(18*Day + time.Hour)
	window := 30 * Day
	cases := []struct {
		name     string
		in       expiryInput
		expiring bool
		reason   string
		warn     bool
		says     []string // the message mentions each
	}{
		{"warnings off", expiryInput{expireAt: in18}, false, hostingv1alpha1.ReasonExpiryWarningsOff, false, nil},
		{"no end date", expiryInput{window: window}, false, hostingv1alpha1.ReasonExpiryUnknown, false, nil},
		{"autorenew on, within the window", expiryInput{expireAt: in18, autorenew: true, window: window}, false, hostingv1alpha1.ReasonAutorenewEnabled, false, []string{"2026-12-19T13:00:00Z"}},
		{"autorenew off, beyond the window", expiryInput{expireAt: at(45 * Day), window: window}, false, hostingv1alpha1.ReasonNotExpiringSoon, false, []string{"2027-01-15T12:00:00Z", "window of 30 days"}},
		{"autorenew off, just beyond the window", expiryInput{expireAt: at(window + time.Second), window: window}, false, hostingv1alpha1.ReasonNotExpiringSoon, false, nil},
		{"autorenew off, on the window's edge", expiryInput{expireAt: at(window), window: window}, true, hostingv1alpha1.ReasonExpiresWithoutRenewal, true, []string{"in 30 days"}},
		{"autorenew off, within the window: warn", expiryInput{expireAt: in18, window: window}, true, hostingv1alpha1.ReasonExpiresWithoutRenewal, true, []string{"2026-12-19T13:00:00Z", "in 18 days", "autorenew is off"}},
		{"already warned for this date", expiryInput{expireAt: in18, window: window, warnedFor: at(18*Day + time.Hour)}, true, hostingv1alpha1.ReasonExpiresWithoutRenewal, false, nil},
		{"warned for an earlier date (renewed, still close)", expiryInput{expireAt: in18, window: window, warnedFor: at(-2 * Day)}, true, hostingv1alpha1.ReasonExpiresWithoutRenewal, true, nil},
		{"autorenew on but the subscription cancelled", expiryInput{expireAt: in18, autorenew: true, cancelled: true, window: window}, true, hostingv1alpha1.ReasonExpiresWithoutRenewal, true, []string{"subscription is cancelled"}},
		{"less than a day left", expiryInput{expireAt: at(3 * time.Hour), window: window}, true, hostingv1alpha1.ReasonExpiresWithoutRenewal, true, []string{"in less than a day"}},
		{"one day left", expiryInput{expireAt: at(Day + time.Hour), window: window}, true, hostingv1alpha1.ReasonExpiresWithoutRenewal, true, []string{"in 1 day,"}},
		{"the end has passed", expiryInput{expireAt: at(-3 * Day), window: window}, true, hostingv1alpha1.ReasonExpired, true, []string{"3 days ago"}},
		{"the end has passed, warned before it", expiryInput{expireAt: at(-3 * Day), window: window, warnedFor: at(-3 * Day)}, true, hostingv1alpha1.ReasonExpired, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.now = now
			got := decideExpiry(c.in)
			if got.expiring != c.expiring || got.reason != c.reason || got.warn != c.warn {
				t.Fatalf("decideExpiry = expiring %v, reason %s, warn %v; want %v, %s, %v (%s)", got.expiring, got.reason, got.warn, c.expiring, c.reason, c.warn, got.message)
			}
			if got.message == "" {
				t.Error("no message")
			}
			checkMentions(t, got.message, c.says, nil)
		})
	}
}
