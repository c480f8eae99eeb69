package gandi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"
)

func apiErr(status int, method, route string) error {
	return fmt.Errorf("wrapped: %w", &APIError{StatusCode: status, Method: method, Route: route})
}

func TestClassification(t *testing.T) {
	type want struct{ notFound, unauth, forbidden, conflict, invalid, exists, limited, transient bool }
	tests := []struct {
		name string
		err  error
		want want
	}{
		{"404", apiErr(404, "GET", RouteInstance), want{notFound: true}},
		{"401", apiErr(401, "GET", RouteInstance), want{unauth: true}},
		{"403", apiErr(403, "GET", RouteInstance), want{forbidden: true}},
		{"409 template create", apiErr(409, "POST", RouteTemplates), want{conflict: true, exists: true}},
		{"409 patch", apiErr(409, "PATCH", RouteTemplate), want{conflict: true}},
		{"409 vhost create on a busy instance", apiErr(409, "POST", RouteVhosts), want{conflict: true}},
		{"400", apiErr(400, "POST", RouteInstances), want{invalid: true}},
		{"422 vhost create", apiErr(422, "POST", RouteVhosts), want{invalid: true, exists: true}},
		{"422 elsewhere", apiErr(422, "PATCH", RouteVhost), want{invalid: true}},
		{"429", apiErr(429, "GET", RouteInstances), want{limited: true, transient: true}},
		{"500", apiErr(500, "GET", RouteInstances), want{transient: true}},
		{"503", apiErr(503, "DELETE", RouteInstance), want{transient: true}},
		{"action 204", apiErr(204, "POST", RouteAction), want{transient: true}},
		{"dry-run", &ValidationError{Errors: []FieldError{{Name: "size"}}}, want{invalid: true}},
		{"paused", &PausedError{Wait: time.Second}, want{limited: true, transient: true}},
		{"eof", fmt.Errorf("x: %w", io.EOF), want{transient: true}},
		{"unexpected eof", io.ErrUnexpectedEOF, want{transient: true}},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, want{transient: true}},
		{"refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, want{transient: true}},
		{"timeout", &net.DNSError{IsTimeout: true}, want{transient: true}},
		{"deadline", context.DeadlineExceeded, want{transient: true}},
		{"canceled", context.Canceled, want{}},
		{"nil", nil, want{}},
		{"plain", errors.New("boom"), want{}},
	}
	for _, tt := range tests {
		got := want{IsNotFound(tt.err), IsUnauthorized(tt.err), IsForbidden(tt.err), IsConflict(tt.err),
			IsInvalid(tt.err), IsAlreadyExists(tt.err), IsRateLimited(tt.err), IsTransient(tt.err)}
		if got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestActionNotPerformedIs(t *testing.T) {
	err := fmt.Errorf("x: %w", &APIError{StatusCode: http.StatusNoContent, Method: "POST", Route: RouteAction})
	if !errors.Is(err, ErrActionNotPerformed) {
		t.Error("204 on action is not ErrActionNotPerformed")
	}
	if errors.Is(&APIError{StatusCode: 204, Route: RouteInstance}, ErrActionNotPerformed) {
		t.Error("204 elsewhere matched")
	}
}

func TestRetryAfterAndFieldErrors(t *testing.T) {
	e := fmt.Errorf("w: %w", &APIError{StatusCode: 429, RetryAfter: 3 * time.Second, Errors: []FieldError{{Name: "a"}}})
	if RetryAfter(e) != 3*time.Second || len(FieldErrors(e)) != 1 {
		t.Errorf("RetryAfter %s FieldErrors %v", RetryAfter(e), FieldErrors(e))
	}
	if RetryAfter(&PausedError{Wait: time.Minute}) != time.Minute {
		t.Error("paused retry-after")
	}
	if RetryAfter(errors.New("x")) != 0 || FieldErrors(errors.New("x")) != nil {
		t.Error("plain error")
	}
	ve := &ValidationError{Errors: []FieldError{{Location: "body", Name: "size", Description: "bad"}}, Method: "POST", Route: RouteInstances}
	if got := ve.Error(); got != "gandi: POST /v5/simplehosting/instances: dry-run refused the request: body.size: bad" {
		t.Errorf("ValidationError = %q", got)
	}
}

func TestAPIErrorString(t *testing.T) {
	e := &APIError{StatusCode: 404, Message: "The resource could not be found.", Cause: "Not Found",
		Method: "GET", Route: RouteInstance, RetryAfter: 2 * time.Second}
	want := "gandi: GET /v5/simplehosting/instances/{instance_id}: 404 Not Found: The resource could not be found. (Not Found) (retry after 2s)"
	if e.Error() != want {
		t.Errorf("got  %s\nwant %s", e.Error(), want)
	}
}

// TestNotApplied pins which failures prove Gandi did not act (safe to send
// again) and which may hide a request that reached it.
func TestNotApplied(t *testing.T) {
	gandiBody := func(status int) error {
		return fmt.Errorf("wrapped: %w", &APIError{StatusCode: status, FromGandi: true, Method: http.MethodPost})
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"422 refusal", apiErr(http.StatusUnprocessableEntity, http.MethodPost, RouteVhosts), true},
		{"429 on a paid POST", apiErr(http.StatusTooManyRequests, http.MethodPost, RouteInstances), true},
		{"503 with Gandi's error body", gandiBody(http.StatusServiceUnavailable), true},
		{"502 page of a proxy", apiErr(http.StatusBadGateway, http.MethodPost, RouteInstances), false},
		{"connection refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{"held back by a pause", &PausedError{Wait: time.Second}, true},
		{"held back by the limiter", &NotSentError{Err: context.DeadlineExceeded}, true},
		{"empty ID in the path", fmt.Errorf("apply template: %w: id", ErrEmptyArgument), true},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), false},
		{"answer cut short", io.ErrUnexpectedEOF, false},
		{"timeout", context.DeadlineExceeded, false},
		{"cancelled mid-request", context.Canceled, false},
		{"created without an ID", ErrNoID, false},
		{"undecodable answer", fmt.Errorf("%w: bad", ErrUndecodable), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := NotApplied(c.err); got != c.want {
				t.Fatalf("NotApplied(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
}
