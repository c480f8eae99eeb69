package controller

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// A "not found" is taken for "deleted at Gandi" only under the very
// credentials the ID was last seen under: another Secret, another key of
// it, the same Secret made again or changed since may reach another
// account, to which Gandi answers as for a deleted object.
func TestJudgeNotFound(t *testing.T) {
	seen := credentialSource{secret: types.NamespacedName{Namespace: "shop", Name: "gandi-apikey"}, key: "apikey", uid: "u-1", version: "41"}
	rec := observedCredentials("1234", seen)
	with := func(f func(*credentialSource)) credentialSource {
		s := seen
		f(&s)
		return s
	}
	for _, tc := range []struct {
		name string
		rec  *hostingv1alpha1.ObservedCredentials
		id   string
		src  credentialSource
		want notFoundVerdict
	}{
		{"seen under these very credentials: gone", &rec, "1234", seen, goneAtGandi},
		{"another Secret", &rec, "1234", with(func(s *credentialSource) { s.secret.Name = "other-apikey" }), seenElsewhere},
		{"another key of the same Secret", &rec, "1234", with(func(s *credentialSource) { s.key = "token" }), seenElsewhere},
		{"the same Secret deleted and made again", &rec, "1234", with(func(s *credentialSource) { s.uid = "u-2" }), seenElsewhere},
		{"the same Secret changed since (a key replaced in place)", &rec, "1234", with(func(s *credentialSource) { s.version = "57" }), seenElsewhere},
		{"the default Secret of another namespace", &rec, "1234", with(func(s *credentialSource) { s.secret.Namespace = "gandi-operator" }), seenElsewhere},
		{"no record (restored without status, an earlier version's status)", nil, "1234", seen, neverSeen},
		{"a record of another ID (the external-id changed since)", &rec, "5678", seen, neverSeen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := judgeNotFound(tc.rec, tc.id, tc.src); got != tc.want {
				t.Fatalf("judgeNotFound = %v, want %v", got, tc.want)
			}
		})
	}
}

// A new instance is bought only for one gone under the credentials it was
// seen under, and only when the user asked for it.
func TestDecideVanished(t *testing.T) {
	for _, tc := range []struct {
		name     string
		verdict  notFoundVerdict
		recreate bool
		want     vanishedAction
	}{
		{"gone, recreate asked: bought again", goneAtGandi, true, vanishRecreate},
		{"gone, not asked: reported", goneAtGandi, false, vanishReport},
		{"seen under other credentials, recreate asked: CredentialsChanged, nothing bought", seenElsewhere, true, vanishElsewhere},
		{"seen under other credentials, not asked: CredentialsChanged, not 'no longer exists'", seenElsewhere, false, vanishElsewhere},
		{"never seen, recreate asked: nothing bought until confirmed", neverSeen, true, vanishUnconfirmed},
		{"never seen, not asked: reported as before", neverSeen, false, vanishReport},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decideVanished(tc.verdict, tc.recreate); got != tc.want {
				t.Fatalf("decideVanished = %v, want %v", got, tc.want)
			}
		})
	}
}

// The record changes (and so the status is written) only when what was
// seen, or what it was seen under, changes; nothing is recorded without a
// Secret to name.
func TestSawUnder(t *testing.T) {
	src := credentialSource{secret: types.NamespacedName{Namespace: "shop", Name: "gandi-credentials"}, key: "token", uid: "u-1", version: "7"}
	pi := &hostingv1alpha1.PaaSInstance{}
	sawUnder(pi, "", src)
	sawUnder(pi, "42", credentialSource{})
	if pi.Status.ObservedWith != nil {
		t.Fatalf("recorded %+v without an ID or a Secret", pi.Status.ObservedWith)
	}
	sawUnder(pi, "42", src)
	first := pi.Status.ObservedWith
	want := hostingv1alpha1.ObservedCredentials{ID: "42", Secret: "shop/gandi-credentials", Key: "token", UID: "u-1", ResourceVersion: "7"}
	if first == nil || *first != want {
		t.Fatalf("recorded %+v, want %+v", first, want)
	}
	sawUnder(pi, "42", src)
	if pi.Status.ObservedWith != first {
		t.Fatal("the same sight replaced the record")
	}
	src.version = "8"
	sawUnder(pi, "42", src)
	if pi.Status.ObservedWith.ResourceVersion != "8" {
		t.Fatalf("a sight under the Secret's new version is not recorded: %+v", pi.Status.ObservedWith)
	}
}

// The report names the Secrets and says what changed, never a value.
func TestCredentialsChange(t *testing.T) {
	src := credentialSource{secret: types.NamespacedName{Namespace: "shop", Name: "gandi-apikey"}, key: "apikey", uid: "u-1", version: "57"}
	rec := hostingv1alpha1.ObservedCredentials{ID: "1", Secret: "shop/gandi-apikey", Key: "apikey", UID: "u-1", ResourceVersion: "41"}
	for _, tc := range []struct {
		name      string
		rec       hostingv1alpha1.ObservedCredentials
		then, now string
	}{
		{"changed in place", rec, `Secret shop/gandi-apikey (key "apikey") at resourceVersion 41, before it was changed`, `Secret shop/gandi-apikey (key "apikey") at resourceVersion 57`},
		{"made again", func() hostingv1alpha1.ObservedCredentials { r := rec; r.UID = "u-0"; return r }(), "before it was deleted and made again", "as made again"},
		{"another Secret", func() hostingv1alpha1.ObservedCredentials { r := rec; r.Secret = "shop/other"; return r }(), `Secret shop/other (key "apikey")`, `Secret shop/gandi-apikey (key "apikey")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			then, now := credentialsChange(&tc.rec, src)
			if !strings.Contains(then, tc.then) || !strings.Contains(now, tc.now) {
				t.Fatalf("credentialsChange = %q, %q; want them to hold %q, %q", then, now, tc.then, tc.now)
			}
		})
	}
}
