package controller

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// A password change, shared by HostingInstance and PaaSInstance.
//
// The durable record of a password is the password Secret's revision (its
// UID and resourceVersion, passwordVersion): nothing derived from the
// password is ever stored, in status, annotations or logs. But any write
// to the Secret makes a new revision: a label (the watch label the README
// asks for), a tool's annotation, a delete and create with the same data.
// Sending the password again for each would rotate it to what it already
// is, with a PasswordChanged event the user never asked for.
//
// So the process remembers, per object, a keyed digest (HMAC-SHA256 under
// a random key drawn at start, never written anywhere) of the value Gandi
// has: the one it sent, or the Secret's value while its revision is the
// one recorded as accepted. A new revision with the same digest only moves
// the record to it (no send, no event). After a restart or a leader
// handover the process knows no value until a pass sees the Secret at the
// accepted revision: an edit made in between sends the password once.

// passwordKnown is the password the process knows Gandi has for one object.
type passwordKnown struct {
	instance string // the Gandi object it is set on
	version  string // the password Secret revision recorded as accepted
	digest   []byte // HMAC of the value under passwordMemory.key
}

// passwordMemory holds each object's passwordKnown, in this process only.
type passwordMemory struct {
	key      []byte
	mu       sync.Mutex
	byObject map[types.UID]passwordKnown
}

func newPasswordMemory() *passwordMemory {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand, Go 1.24 on)
	return &passwordMemory{key: key, byObject: map[types.UID]passwordKnown{}}
}

func (m *passwordMemory) digest(value []byte) []byte {
	h := hmac.New(sha256.New, m.key)
	h.Write(value)
	return h.Sum(nil)
}

// holds says the process knows that Gandi has value on instance for uid,
// set there as revision version. A nil memory (a reconciler built without
// one) knows nothing.
func (m *passwordMemory) holds(uid types.UID, instance, version string, value []byte) bool {
	if m == nil || version == "" || len(value) == 0 {
		return false
	}
	m.mu.Lock()
	k, ok := m.byObject[uid]
	m.mu.Unlock()
	return ok && k.instance == instance && k.version == version && hmac.Equal(k.digest, m.digest(value))
}

// remember records that Gandi has value on instance for uid, as revision
// version.
func (m *passwordMemory) remember(uid types.UID, instance, version string, value []byte) {
	if m == nil || version == "" || len(value) == 0 {
		return
	}
	d := m.digest(value)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byObject[uid] = passwordKnown{instance: instance, version: version, digest: d}
}

// forget drops what the process knows of uid (the object is gone).
func (m *passwordMemory) forget(uid types.UID) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.byObject, uid)
}

// passwordRevision is the password Secret at one revision, as a pass reads it.
type passwordRevision struct {
	version string
	value   []byte
	// secret (namespace/name) and key say where the password is, for
	// messages, never what it is.
	secret, key string
}

// readPasswordRevision reads the password under key of s by the one rule
// both kinds share (passwordValue), so that what is hashed, sent and
// remembered is the password a person types.
func readPasswordRevision(s *corev1.Secret, key string) passwordRevision {
	return passwordRevision{version: passwordVersion(s), value: passwordValue(s.Data[key]),
		secret: s.Namespace + "/" + s.Name, key: key}
}

// passwordValue is a password as stored, without its trailing line
// breaks (CR and LF): a Secret made with --from-file from a file written
// by `echo pw > f` holds "pw\n", and no SFTP, git or control panel prompt
// can send the line break. Unlike a credential (CredentialValue), other
// whitespace is kept: a space at either end may be meant, and a person
// can type it.
func passwordValue(stored []byte) []byte { return bytes.TrimRight(stored, "\r\n") }

// The clear-text password Gandi takes. Its API docs state no length rule
// (the REST docs only say it "can be provided in clear text or in unix
// crypt format"); its simulator, modelling what Gandi answers, refuses "A
// clear text password must be 8 to 200 characters long" (and paas.create
// "password must have at least 8 characters"). A HostingInstance sends a
// crypt hash, whose length Gandi cannot check, so the operator checks the
// rule itself, for both kinds, before any create or change carries it.
const (
	passwordMinChars = 8
	passwordMaxChars = 200
)

// missing refuses a password Secret key that is absent or empty (or holds
// only a line break).
func (pw passwordRevision) missing() error {
	if len(pw.value) > 0 {
		return nil
	}
	return &CredentialsError{Reason: hostingv1alpha1.ReasonPasswordNotFound,
		Message: fmt.Sprintf("password Secret %s has no key %q (or it is empty)", pw.secret, pw.key)}
}

// sendable refuses a password no create or change may carry: missing, or
// outside the clear-text length Gandi takes. The message names where the
// password is and the rule, never the password.
func (pw passwordRevision) sendable() error {
	if err := pw.missing(); err != nil {
		return err
	}
	n := utf8.RuneCount(pw.value)
	if n >= passwordMinChars && n <= passwordMaxChars {
		return nil
	}
	which := fmt.Sprintf("shorter than %d", passwordMinChars)
	if n > passwordMaxChars {
		which = fmt.Sprintf("longer than %d", passwordMaxChars)
	}
	return &specError{reason: hostingv1alpha1.ReasonPasswordInvalid, msg: fmt.Sprintf(
		"password Secret %s key %q holds a password %s characters (a trailing line break not counted): Gandi takes a clear-text password of %d to %d characters and cannot check a hashed one, so nothing is sent with it; put one of %d to %d characters in the Secret",
		pw.secret, pw.key, which, passwordMinChars, passwordMaxChars, passwordMinChars, passwordMaxChars)}
}

// decidePasswordChange decides what a pass of obj does about the password
// revision pw on its Gandi object instance, and carries out what needs no
// request to Gandi: it remembers the value of the revision Gandi accepted,
// and moves the record to a new revision holding the same value
// (rotationSameValue). The caller sends on rotationSend, then calls
// passwordSent. The rule is every rotation's (decideRotation): after a
// revision recorded as maybe sent, any other is sent, whatever its value.
func (b *Base) decidePasswordChange(ctx context.Context, obj client.Object, instance string, pw passwordRevision) (rotationDecision, error) {
	uid := obj.GetUID()
	d := rotationFor(obj, effectPassword, pw.version, b.passwords.holds(uid, instance, confirmedRotation(obj, effectPassword), pw.value))
	switch d {
	case rotationAccepted:
		b.passwords.remember(uid, instance, pw.version, pw.value)
	case rotationSameValue:
		// With the version check: a pass holding a stale copy looks again.
		if err := patchAnnotations(ctx, b.Client, obj, annotationPatch{set: acceptedRecord(effectPassword, pw.version)}); err != nil {
			return d, fmt.Errorf("move the password record to the Secret's revision %s, which holds the same password: %w", pw.version, err)
		}
		b.passwords.remember(uid, instance, pw.version, pw.value)
	}
	return d, nil
}

// passwordSent remembers that Gandi accepted revision pw on instance.
func (b *Base) passwordSent(obj client.Object, instance string, pw passwordRevision) {
	b.passwords.remember(obj.GetUID(), instance, pw.version, pw.value)
}
