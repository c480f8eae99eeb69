package controller

import (
	"context"
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

func TestSyncedVerdict(t *testing.T) {
	unsupported := problem{hostingv1alpha1.ReasonUnsupportedChange, "spec.size is xl but the instance is starter"}
	unconfirmed := problem{hostingv1alpha1.ReasonActionUnconfirmed, "the restart may not have happened"}
	onItsWay := problem{hostingv1alpha1.ReasonUpdating, "Gandi accepted the paid change to size l; waiting for the instance to show it"}
	cases := []struct {
		name       string
		sent       []string
		problems   []problem
		ok         bool
		reason     string
		message    string
		describing bool // the pass's status describes the generation
	}{
		{"nothing sent, nothing wrong", nil, nil, true, hostingv1alpha1.ReasonUpToDate, "the vhost matches the spec", true},
		{"a change sent: not UpToDate before a read shows it", []string{"application"}, nil, false, hostingv1alpha1.ReasonUpdating,
			"sent application to Gandi; waiting for Gandi to show the vhost as the spec asks", false},
		{"several fields sent", []string{"application", "linked_dns_zone"}, nil, false, hostingv1alpha1.ReasonUpdating,
			"sent application, linked_dns_zone to Gandi; waiting for Gandi to show the vhost as the spec asks", false},
		{"a problem, nothing sent", nil, []problem{unsupported}, false, hostingv1alpha1.ReasonUnsupportedChange, unsupported.message, true},
		{"a problem comes first, and what was sent is said too", []string{"name"}, []problem{unsupported}, false, hostingv1alpha1.ReasonUnsupportedChange,
			unsupported.message + "; sent name to Gandi; waiting for Gandi to show the vhost as the spec asks", false},
		{"every problem is said, the first gives the reason", nil, []problem{unconfirmed, unsupported}, false, hostingv1alpha1.ReasonActionUnconfirmed,
			unconfirmed.message + "; " + unsupported.message, true},
		{"a change on its way says least: another problem gives the reason", nil, []problem{onItsWay, unsupported}, false, hostingv1alpha1.ReasonUnsupportedChange,
			unsupported.message + "; " + onItsWay.message, true},
		{"a change on its way alone gives the reason", nil, []problem{onItsWay}, false, hostingv1alpha1.ReasonUpdating, onItsWay.message, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, reason, msg := syncedVerdict("vhost", c.sent, c.problems)
			if ok != c.ok || reason != c.reason || msg != c.message {
				t.Fatalf("syncedVerdict = %v, %q, %q; want %v, %q, %q", ok, reason, msg, c.ok, c.reason, c.message)
			}
			vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
			res := reportSynced(vh, "vhost", c.sent, c.problems, result{})
			res.observed = true
			if got := res.describesGeneration(); got != c.describing {
				t.Fatalf("describesGeneration = %v, want %v", got, c.describing)
			}
			if got := vh.Status.Conditions; len(got) != 1 || got[0].Reason != c.reason || got[0].ObservedGeneration != 2 {
				t.Fatalf("Synced = %+v", got)
			}
		})
	}
}

func TestDescribesGeneration(t *testing.T) {
	cases := []struct {
		name string
		res  result
		want bool
	}{
		{"read at Gandi, nothing sent", result{observed: true}, true},
		{"read, then a change sent: the read is from before it", result{observed: true, sent: true}, false},
		{"never read (waiting, paused, failed before the read)", result{}, false},
		{"a change sent, then a later step failed", result{observed: true, sent: true, err: errors.New("write connection Secret")}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.res.describesGeneration(); got != c.want {
				t.Fatalf("describesGeneration = %v, want %v", got, c.want)
			}
		})
	}
}

func TestConfirmedAndLegacyPassword(t *testing.T) {
	const (
		record    = "effects.hosting.gandi-operator.dev/password"
		confirmed = record + ".confirmed"
		onA       = "uid/1"
	)
	cases := []struct {
		name          string
		annotations   map[string]string
		statusID      string
		status        string
		wantConfirmed string
		wantLegacy    string
	}{
		{"confirmed on the instance it names", map[string]string{hostingv1alpha1.AnnotationEffectsFor: "A", record: onA, confirmed: onA}, "A", onA, onA, ""},
		{"records dropped for B, status still A's (an interrupted pass)", map[string]string{hostingv1alpha1.AnnotationEffectsFor: "B"}, "A", onA, "", ""},
		{"records dropped for B, status already written", map[string]string{hostingv1alpha1.AnnotationEffectsFor: "B"}, "B", "", "", ""},
		{"an earlier build's record, without effects-for", map[string]string{record: onA}, "A", onA, onA, ""},
		{"from before the records: status is the record", nil, "A", onA, "", onA},
		{"from before the records, status about another instance", nil, "B", onA, "", ""},
		{"from before the records, nothing applied", nil, "A", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Annotations: c.annotations}}
			hi.Status.ID, hi.Status.PasswordSecretVersion = c.statusID, c.status
			if got := confirmedPassword(hi); got != c.wantConfirmed {
				t.Fatalf("confirmedPassword = %q, want %q", got, c.wantConfirmed)
			}
			if got := legacyPassword(hi, "A"); got != c.wantLegacy {
				t.Fatalf("legacyPassword = %q, want %q", got, c.wantLegacy)
			}
		})
	}
}

// A vhost that is not running takes no PATCH: the pass still says whether
// the spec differs (reportHeld), for this generation.
func TestVhostHeld(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spec   func(*hostingv1alpha1.VhostSpec)
		reason string
		says   string
	}{
		{"nothing differs", nil, hostingv1alpha1.ReasonUpToDate, "the vhost matches the spec"},
		{"a linked zone differs", func(s *hostingv1alpha1.VhostSpec) {
			s.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}
		}, hostingv1alpha1.ReasonWaitingForState, "while it is locked; not sent until it leaves that state: linked_dns_zone"},
		{"a cache purge asked", func(s *hostingv1alpha1.VhostSpec) { s.CachePurgeRequest = "p1" },
			hostingv1alpha1.ReasonWaitingForState, "spec.cachePurgeRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
			vh.Status.Conditions = []metav1.Condition{{Type: hostingv1alpha1.ConditionSynced, Status: metav1.ConditionTrue,
				Reason: hostingv1alpha1.ReasonUpToDate, ObservedGeneration: 1}}
			if tc.spec != nil {
				tc.spec(&vh.Spec)
			}
			observed := &gandi.Vhost{FQDN: "www.example.com", Status: gandi.VhostLocked,
				LinkedDNSZone: &gandi.LinkedDNSZone{AllowAlteration: false}}
			res := (&VhostReconciler{}).update(context.Background(), nil, vh, "i", observed)
			c := vh.Status.Conditions
			if len(c) != 1 || c[0].Reason != tc.reason || !strings.Contains(c[0].Message, tc.says) || c[0].ObservedGeneration != 2 || res.sent {
				t.Fatalf("Synced = %+v; want %s saying %q", c, tc.reason, tc.says)
			}
		})
	}
}
