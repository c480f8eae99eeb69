package gandi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// FieldError is one entry of Gandi's validation list
// ({"location", "name", "description"}), in 4xx bodies and Dry-Run answers.
type FieldError struct {
	// Location is where the field was: header, path, querystring or body.
	Location string `json:"location"`
	// Name is the field's path, e.g. "storage_additional_size".
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (f FieldError) String() string {
	var b strings.Builder
	if f.Location != "" {
		b.WriteString(f.Location)
		b.WriteByte('.')
	}
	b.WriteString(f.Name)
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(f.Description)
	return b.String()
}

func joinFieldErrors(fe []FieldError) string {
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.String()
	}
	return strings.Join(parts, "; ")
}

// APIError is an HTTP answer Gandi gave instead of success. It carries
// Gandi's error body ({code, message, cause, object}, and the field errors of
// a validation failure) but never the request body, so neither the token nor
// a password can end up in its text.
type APIError struct {
	StatusCode int
	Code       int
	Message    string
	Cause      string
	Object     string
	Errors     []FieldError
	// FromGandi says the body was Gandi's JSON error body, not a proxy's
	// page: Gandi itself answered, so it did not act on the request.
	FromGandi bool
	// RetryAfter is the answer's Retry-After, zero when absent.
	RetryAfter time.Duration
	Method     string
	// Route is the route template (no IDs).
	Route string
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("gandi: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Route)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d", e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	if e.Message != "" && e.Message != http.StatusText(e.StatusCode) {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Cause != "" && e.Cause != e.Message {
		b.WriteString(" (")
		b.WriteString(e.Cause)
		b.WriteByte(')')
	}
	if len(e.Errors) > 0 {
		b.WriteString(" [")
		b.WriteString(joinFieldErrors(e.Errors))
		b.WriteByte(']')
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Is lets errors.Is(err, ErrActionNotPerformed) match the 204 of an action.
func (e *APIError) Is(target error) bool {
	return target == ErrActionNotPerformed && e.StatusCode == http.StatusNoContent && e.Route == RouteAction
}

// ErrActionNotPerformed means POST .../action answered 204, which the docs define
// as "An internal error has occurred and the action cannot be performed".
// It is a failure although the status is 2xx.
var ErrActionNotPerformed = errors.New("gandi: the instance action could not be performed")

// ValidationError is a Dry-Run refusal: Gandi answers 200 with
// {"status": "error", "errors": [...]} when the request would be refused.
type ValidationError struct {
	Errors []FieldError
	Method string
	Route  string
}

func (e *ValidationError) Error() string {
	msg := "gandi: " + e.Method + " " + e.Route + ": dry-run refused the request"
	if len(e.Errors) > 0 {
		msg += ": " + joinFieldErrors(e.Errors)
	}
	return msg
}

// PausedError is returned without contacting Gandi when an earlier 429's
// Retry-After still pauses the client for longer than the caller can wait.
type PausedError struct {
	Wait   time.Duration
	Method string
	Route  string
}

func (e *PausedError) Error() string {
	return fmt.Sprintf("gandi: %s %s: not sent, client paused %s by Gandi's Retry-After",
		e.Method, e.Route, e.Wait.Round(time.Millisecond))
}

// ErrNoID means a create succeeded but its answer named no object (no or an
// unexpected Content-Location/Location). The object may exist: look it up by
// its name before creating again.
var ErrNoID = errors.New("gandi: created, but the answer carries no usable ID")

// ErrUndecodable means a success answer's body could not be decoded: Gandi
// acted, but what it said is unknown. Trying again unchanged will not help.
var ErrUndecodable = errors.New("gandi: the answer could not be decoded")

// NotSentError is returned when a request was held back before anything
// was written to the network (the rate limiter or a Retry-After pause
// outlasted the caller's deadline, or the caller gave up while waiting).
type NotSentError struct {
	Method string
	Route  string
	Err    error
}

func (e *NotSentError) Error() string {
	return fmt.Sprintf("gandi: %s %s: not sent: %v", e.Method, e.Route, e.Err)
}

func (e *NotSentError) Unwrap() error { return e.Err }

// NotApplied reports an error after which Gandi certainly did not act on
// the request, so sending it again cannot do it twice: Gandi answered with
// a refusal (any 4xx, 429 included), Gandi's own error body came with a
// 5xx, the connection was refused, or the request was never sent (held
// back, or refused by the client for an empty ID in its path). Anything
// else (a reset, a timeout, an answer cut short, a proxy's 502 page, a
// cancelled context) may have reached Gandi after the request was written:
// the caller must look at what Gandi shows before it sends again.
func NotApplied(err error) bool {
	if err == nil {
		return false
	}
	var m meaning
	if errors.As(err, &m) {
		return m.NotApplied()
	}
	var ae *APIError
	if errors.As(err, &ae) {
		if errors.Is(err, ErrActionNotPerformed) {
			return true
		}
		return ae.StatusCode < 500 || ae.FromGandi
	}
	var pe *PausedError
	var ns *NotSentError
	return errors.As(err, &pe) || errors.As(err, &ns) || errors.Is(err, ErrEmptyArgument) ||
		errors.Is(err, syscall.ECONNREFUSED)
}

func statusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// meaning is implemented by the errors of Gandi's XML-RPC API (package
// paas), so that the steps shared by both APIs (create, delete, side
// effects) read either through the classifiers of this package.
type meaning interface {
	NotApplied() bool
	NotFound() bool
	AlreadyExists() bool
}

// IsNotFound reports a 404 (or the XML-RPC API's not-found fault).
func IsNotFound(err error) bool {
	var m meaning
	if errors.As(err, &m) {
		return m.NotFound()
	}
	return statusOf(err) == http.StatusNotFound
}

// IsUnauthorized reports a 401: per the docs, a wrong API key.
func IsUnauthorized(err error) bool { return statusOf(err) == http.StatusUnauthorized }

// IsForbidden reports a 403: an expired, unknown or under-privileged bearer
// token, or no access to the object. Like 401, a credentials problem.
func IsForbidden(err error) bool { return statusOf(err) == http.StatusForbidden }

// IsConflict reports a 409.
func IsConflict(err error) bool { return statusOf(err) == http.StatusConflict }

// IsInvalid reports a refused request: 400, 422 or a Dry-Run refusal.
func IsInvalid(err error) bool {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return true
	}
	s := statusOf(err)
	return s == http.StatusBadRequest || s == http.StatusUnprocessableEntity
}

// IsAlreadyExists reports a create refused because the object exists: the
// documented 422 of a vhost create, or a 409 on a template create (the docs
// say a name is unique in an organization but not how a duplicate is
// refused; 409 is the conventional answer). A 409 elsewhere means "not in a
// state for this" (e.g. the instance is still being created), not a
// duplicate.
func IsAlreadyExists(err error) bool {
	var m meaning
	if errors.As(err, &m) {
		return m.AlreadyExists()
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Method != http.MethodPost {
		return false
	}
	switch ae.Route {
	case RouteVhosts:
		return ae.StatusCode == http.StatusUnprocessableEntity
	case RouteTemplates:
		return ae.StatusCode == http.StatusConflict
	}
	return false
}

// IsRateLimited reports a 429, or a request held back by an earlier one.
func IsRateLimited(err error) bool {
	var pe *PausedError
	return statusOf(err) == http.StatusTooManyRequests || errors.As(err, &pe)
}

// FieldErrors returns the field errors of an *APIError or *ValidationError.
func FieldErrors(err error) []FieldError {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Errors
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Errors
	}
	return nil
}

// RetryAfter is how long Gandi asked to wait before trying again (zero when
// it did not say).
func RetryAfter(err error) time.Duration {
	var pe *PausedError
	if errors.As(err, &pe) {
		return pe.Wait
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.RetryAfter
	}
	return 0
}

// IsTransient reports an error worth retrying later unchanged: 429, 5xx, a
// refused action (Gandi calls it an internal error), a pause, a timeout, a
// reset or refused connection, an answer cut short, or a list whose pages
// did not make one whole list (ErrIncompleteList).
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrIncompleteList) {
		return true
	}
	if s := statusOf(err); s != 0 {
		return s == http.StatusTooManyRequests || s >= 500 || errors.Is(err, ErrActionNotPerformed)
	}
	var pe *PausedError
	if errors.As(err, &pe) {
		return true
	}
	return isNetworkTransient(err)
}

// isNetworkTransient classifies errors that come without an HTTP answer.
func isNetworkTransient(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, target := range []error{
		io.EOF, io.ErrUnexpectedEOF,
		syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.ECONNABORTED, syscall.EPIPE,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	// net/http reports a peer that closed mid-answer without a typed error.
	msg := err.Error()
	return strings.Contains(msg, "connection reset") ||
		strings.Contains(msg, "server closed idle connection") ||
		strings.Contains(msg, "transport connection broken")
}

// IsNetworkTransient reports an error without an HTTP answer that is worth
// retrying (a timeout, a reset or refused connection, an answer cut short).
func IsNetworkTransient(err error) bool { return err != nil && isNetworkTransient(err) }
