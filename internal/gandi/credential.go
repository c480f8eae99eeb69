package gandi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

const redacted = "[REDACTED]"

// Credential authenticates the client: a personal access token (sent as
// "Bearer <token>") or, when APIKey is true, a legacy API key ("Apikey <key>").
//
// Every way of printing a Credential (fmt verbs, %#v, JSON, slog) hides the
// token, so a Config or Credential that ends up in a log line leaks nothing.
type Credential struct {
	Token  string
	APIKey bool
}

func (c Credential) scheme() string {
	if c.APIKey {
		return "Apikey"
	}
	return "Bearer"
}

// validate rejects an empty token, and one with a line break: it is sent in
// the Authorization header, which a line break would split.
func (c Credential) validate() error {
	if c.Token == "" {
		return errors.New("gandi: no credential token")
	}
	if strings.ContainsAny(c.Token, "\r\n") {
		return errors.New("gandi: credential token contains a line break")
	}
	return nil
}

func (c Credential) header() string { return c.scheme() + " " + c.Token }

// Key identifies the credential as a map key without keeping the token in
// clear (a heap dump then shows a hash): every per-credential table (the
// IP budget's members, the clients of each API) keys by it.
func (c Credential) Key() string {
	h := sha256.New()
	if c.APIKey {
		h.Write([]byte("apikey\x00"))
	} else {
		h.Write([]byte("bearer\x00"))
	}
	h.Write([]byte(c.Token))
	return hex.EncodeToString(h.Sum(nil))
}

// String describes the credential without its token.
func (c Credential) String() string { return c.scheme() + " " + redacted }

// GoString keeps %#v from printing the struct fields.
func (c Credential) GoString() string { return "gandi.Credential{" + c.String() + "}" }

// Format applies to every verb, so %x or %q cannot reveal the token either.
func (c Credential) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// MarshalJSON keeps the token out of JSON dumps of a Config.
func (c Credential) MarshalJSON() ([]byte, error) { return []byte(`"` + c.String() + `"`), nil }

// LogValue keeps the token out of structured logs.
func (c Credential) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Secret is a string sent to Gandi (an instance password or its crypt hash)
// that must never be printed: JSON encoding sends the real value, every other
// rendering shows [REDACTED].
type Secret string

// String hides the value.
func (s Secret) String() string { return redacted }

// GoString hides the value from %#v.
func (s Secret) GoString() string { return redacted }

// Format hides the value from every fmt verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue hides the value from structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
