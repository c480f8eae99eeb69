package controller

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

func TestPasswordMemory(t *testing.T) {
	m := newPasswordMemory()
	uid := types.UID("object")
	if m.holds(uid, "1", "u/2", []byte("first")) {
		t.Fatal("an empty memory knows a password")
	}
	m.remember(uid, "1", "u/2", []byte("first"))
	for _, tc := range []struct {
		name              string
		instance, version string
		value             string
		expect            bool
	}{
		{"the value, instance and revision remembered", "1", "u/2", "first", true},
		{"another value", "1", "u/2", "second", false},
		{"another instance (re-pointed)", "2", "u/2", "first", false},
		{"another accepted revision than the one remembered", "1", "u/1", "first", false},
		{"an empty value", "1", "u/2", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := m.holds(uid, tc.instance, tc.version, []byte(tc.value)); got != tc.expect {
				t.Fatalf("holds = %v, want %v", got, tc.expect)
			}
		})
	}
	if other := newPasswordMemory(); string(other.digest([]byte("first"))) == string(m.digest([]byte("first"))) {
		t.Fatal("two processes share a digest key")
	}
	m.forget(uid)
	if m.holds(uid, "1", "u/2", []byte("first")) {
		t.Fatal("a forgotten object's password is still known")
	}
	var none *passwordMemory
	none.remember(uid, "1", "u/2", []byte("first"))
	if none.holds(uid, "1", "u/2", []byte("first")) {
		t.Fatal("a nil memory knows a password")
	}
}

func TestPasswordRule(t *testing.T) {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pw", UID: "u", ResourceVersion: "7"}}
	for _, tc := range []struct {
		name, stored, want string
		reason             string // "" when the password may be sent
	}{
		{"a password as typed", "correct horse", "correct horse", ""},
		{"a file's final LF (echo pw > f)", "correct horse\n", "correct horse", ""},
		{"a final CRLF", "correct horse\r\n", "correct horse", ""},
		{"line breaks only at the end are dropped", "correct\nhorse\n\n", "correct\nhorse", ""},
		{"other whitespace is kept: it can be typed", " correct horse\t", " correct horse\t", ""},
		{"8 characters", "12345678", "12345678", ""},
		{"8 characters counted as characters, not bytes", "éééééééé", "éééééééé", ""},
		{"200 characters", strings.Repeat("a", 200), strings.Repeat("a", 200), ""},
		{"7 characters", "1234567", "1234567", hostingv1alpha1.ReasonPasswordInvalid},
		{"7 characters and a line break", "1234567\n", "1234567", hostingv1alpha1.ReasonPasswordInvalid},
		{"201 characters", strings.Repeat("a", 201), strings.Repeat("a", 201), hostingv1alpha1.ReasonPasswordInvalid},
		{"empty", "", "", hostingv1alpha1.ReasonPasswordNotFound},
		{"a line break only", "\r\n", "", hostingv1alpha1.ReasonPasswordNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secret.Data = map[string][]byte{"password": []byte(tc.stored)}
			pw := readPasswordRevision(secret, "password")
			if string(pw.value) != tc.want || pw.version != "u/7" {
				t.Fatalf("read %q at %q, want %q at u/7", pw.value, pw.version, tc.want)
			}
			err := pw.sendable()
			if got := reasonOf(err); got != tc.reason {
				t.Fatalf("reason %q, want %q (%v)", got, tc.reason, err)
			}
			if err != nil && (!strings.Contains(err.Error(), `ns/pw`) || tc.want != "" && strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("the message must name the Secret, never the password: %v", err)
			}
		})
	}
}

// reasonOf is the condition reason an error is reported with, "" for none.
func reasonOf(err error) string {
	if err == nil {
		return ""
	}
	return classify(err).reason
}
