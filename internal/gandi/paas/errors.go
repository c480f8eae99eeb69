package paas

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// Fault is an XML-RPC fault answer: the API refused the call.
type Fault struct {
	Code   int    // faultCode
	String string // faultString, with the key and passwords redacted
	Method string
}

func (e *Fault) Error() string {
	return fmt.Sprintf("gandi paas: %s: fault %d: %s", e.Method, e.Code, e.String)
}

// NotApplied is true: the server raised instead of acting. With NotFound
// and AlreadyExists it lets the v5 package's classifiers (gandi.NotApplied,
// gandi.IsNotFound, gandi.IsAlreadyExists), which the shared lifecycle
// uses, read a fault.
func (e *Fault) NotApplied() bool { return true }

// NotFound reports the not-found fault.
func (e *Fault) NotFound() bool { return e.Code == FaultNotFound }

// AlreadyExists reports the already-exists fault.
func (e *Fault) AlreadyExists() bool { return e.Code == FaultExists }

// HTTPError is an answer other than 200: a proxy or the server failing
// before XML-RPC. Its body is not kept, since it is not the API's.
type HTTPError struct {
	StatusCode int
	Method     string
	RetryAfter time.Duration
}

// NotApplied reports a 429: only that says the server refused before acting; a 5xx page
// from a proxy may follow a change.
func (e *HTTPError) NotApplied() bool { return e.StatusCode == http.StatusTooManyRequests }

// NotFound is false: an HTTP error is not the API's answer.
func (e *HTTPError) NotFound() bool { return false }

// AlreadyExists is false: an HTTP error is not the API's answer.
func (e *HTTPError) AlreadyExists() bool { return false }

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("gandi paas: %s: HTTP %d %s", e.Method, e.StatusCode, http.StatusText(e.StatusCode))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// ErrUndecodable means a 200 answer was no XML-RPC answer of the expected
// shape: Gandi may have acted, and what it said is unknown.
var ErrUndecodable = errors.New("the answer could not be decoded")

// Fault codes. The API doc gives none; these are the simulator's
// (gandisim's package doc), chosen after Gandi's 5xxyyy style, plus the
// XML-RPC interop codes for calls the server cannot parse. Callers use the
// classifiers, so a change of codes stays in this block.
const (
	FaultUnknownMethod = -32601 // no such method
	FaultBadParams     = -32602 // wrong number or type of parameters
	FaultParse         = -32700 // not XML-RPC
	FaultBadKey        = 510150 // unknown or wrong API key
	FaultInvalid       = 510400 // a parameter is missing or invalid
	FaultNoCredit      = 510402 // the prepaid account cannot pay
	FaultNotFound      = 510404 // no such object for this key
	FaultBadState      = 510409 // the object is not in a state for this
	FaultExists        = 510422 // the object (vhost, name) already exists
)

func faultCode(err error) (int, bool) {
	var f *Fault
	if errors.As(err, &f) {
		return f.Code, true
	}
	return 0, false
}

func isFault(err error, codes ...int) bool {
	c, ok := faultCode(err)
	if !ok {
		return false
	}
	for _, want := range codes {
		if c == want {
			return true
		}
	}
	return false
}

// IsNotFound reports a fault saying the object does not exist (or is not
// this key's).
func IsNotFound(err error) bool { return isFault(err, FaultNotFound) }

// IsInvalid reports a call refused for its parameters; resending it
// unchanged cannot succeed.
func IsInvalid(err error) bool {
	return isFault(err, FaultInvalid, FaultBadParams, FaultUnknownMethod, FaultParse)
}

// IsUnauthorized reports a wrong API key.
func IsUnauthorized(err error) bool { return isFault(err, FaultBadKey) }

// IsNoCredit reports a paid call the prepaid account could not pay.
func IsNoCredit(err error) bool { return isFault(err, FaultNoCredit) }

// IsBadState reports a call refused because the object is busy or not
// running (e.g. a vhost create while the instance is being created):
// worth retrying once the state changed.
func IsBadState(err error) bool { return isFault(err, FaultBadState) }

// IsAlreadyExists reports a create refused because the object exists.
func IsAlreadyExists(err error) bool { return isFault(err, FaultExists) }

// NotApplied reports an error after which Gandi certainly did not act, so
// sending the call again cannot do it twice: any fault (the server raised
// instead of acting), a request never sent, or a refused connection.
// Anything else (a reset, a timeout, a proxy's 502, an undecodable answer)
// may follow a change: look before sending a write again.
func NotApplied(err error) bool {
	if err == nil {
		return false
	}
	return gandi.NotApplied(err)
}

// IsTransient reports an error worth retrying later unchanged: HTTP 429 or
// 5xx, a fault saying the object is busy, a request never sent, a timeout,
// a reset, or an answer cut short.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	if _, ok := faultCode(err); ok {
		return IsBadState(err)
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.StatusCode == http.StatusTooManyRequests || he.StatusCode >= 500
	}
	var ns *gandi.NotSentError
	return errors.As(err, &ns) || gandi.IsNetworkTransient(err)
}
