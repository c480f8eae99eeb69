package gandi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBodyBytes bounds what the client reads from one answer.
const maxBodyBytes = 16 << 20

// call is one logical API call; do may send it several times.
type call struct {
	method string
	route  string // template, for metrics, logs and errors
	path   string // expanded and escaped
	query  url.Values
	// next is an absolute URL taken from a Link header; it replaces path
	// and query.
	next    string
	body    any
	dryRun  bool
	secrets []string // request values (passwords) to keep out of error text
}

type response struct {
	status int
	header http.Header
	body   []byte
	url    *url.URL
}

// do sends cl, pacing it and retrying it when that is safe, and returns the
// 2xx answer; any other answer is an *APIError.
func (c *Client) do(ctx context.Context, cl *call) (*response, error) {
	payload, err := encodeBody(cl)
	if err != nil {
		return nil, err
	}
	target := c.target(cl)

	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := c.awaitTurn(ctx, cl, lastErr); err != nil {
			return nil, err
		}
		res, err := c.send(ctx, cl, target, payload, attempt)
		if err != nil {
			if !c.retryNetworkError(ctx, cl, attempt, err) {
				return nil, err
			}
			lastErr = err
			continue
		}
		if res.status >= 200 && res.status < 300 {
			return res, nil
		}
		apiErr := c.apiError(cl, res)
		if res.status == http.StatusTooManyRequests {
			// Gandi rate-limits the token, not this request: everything
			// this client sends waits, so the pause is shared (even when
			// this call itself is not retried).
			pause := c.rateLimitPause(apiErr, attempt)
			c.pauseFor(pause)
			c.pacer.PauseBudget(pause)
		}
		if !c.retryAPIError(ctx, cl, attempt, apiErr) {
			return nil, apiErr
		}
		lastErr = apiErr
	}
}

// encodeBody returns cl's JSON request body, or nil when it has none.
func encodeBody(cl *call) ([]byte, error) {
	if cl.body == nil {
		return nil, nil
	}
	b, err := json.Marshal(cl.body)
	if err != nil {
		return nil, fmt.Errorf("gandi: %s %s: encode request: %w", cl.method, cl.route, err)
	}
	return b, nil
}

// target is the absolute URL cl is sent to: its Link-header next page, or
// its path and query under the base URL.
func (c *Client) target(cl *call) string {
	if cl.next != "" {
		return cl.next
	}
	target := c.baseStr + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	return target
}

// apiError decodes a non-2xx answer to cl.
func (c *Client) apiError(cl *call, res *response) *APIError {
	apiErr := DecodeAPIError(res.status, res.header, res.body, c.redactFunc(cl.secrets))
	apiErr.Method, apiErr.Route = cl.method, cl.route
	return apiErr
}

// rateLimitPause is how long a 429 pauses the client: Gandi's Retry-After,
// or the attempt's backoff when the answer gives none.
func (c *Client) rateLimitPause(apiErr *APIError, attempt int) time.Duration {
	if apiErr.RetryAfter > 0 {
		return apiErr.RetryAfter
	}
	return c.pacer.Backoff(attempt)
}

type sendOnceKey struct{}

// WithoutResend marks every Gandi request made with ctx as one the client
// sends once and never again on its own, whatever the method: a request
// with a side effect that must not happen twice (a paid change, a
// password change, a cache purge), whose lost answer the caller resolves by looking, or by
// reporting it unconfirmed. A refusal (429 included) comes back to the
// caller too: gandi.NotApplied says it may be sent again.
func WithoutResend(ctx context.Context) context.Context {
	return context.WithValue(ctx, sendOnceKey{}, true)
}

func sentOnce(ctx context.Context) bool {
	once, _ := ctx.Value(sendOnceKey{}).(bool)
	return once
}

// mayRetry reports whether cl may be sent again after attempt failed.
func (c *Client) mayRetry(ctx context.Context, cl *call, attempt int) bool {
	// POST creates (and pays for) things: the client never sends one twice.
	// The caller must look before it posts again. So for a request made
	// WithoutResend.
	return cl.method != http.MethodPost && !sentOnce(ctx) && c.pacer.MayRetry(attempt)
}

// retryNetworkError decides whether to resend cl after a transient network
// failure and, if so, sleeps the backoff first.
func (c *Client) retryNetworkError(ctx context.Context, cl *call, attempt int, err error) bool {
	if ctx.Err() != nil || !c.mayRetry(ctx, cl, attempt) || !isNetworkTransient(err) {
		return false
	}
	return c.sleepBeforeRetry(ctx, cl, attempt, c.pacer.Backoff(attempt), err)
}

// retryAPIError decides whether to resend cl after a 429 or 5xx answer and,
// for a 5xx, sleeps the backoff (or the longer Retry-After) first.
func (c *Client) retryAPIError(ctx context.Context, cl *call, attempt int, apiErr *APIError) bool {
	status := apiErr.StatusCode
	if !c.mayRetry(ctx, cl, attempt) || (status != http.StatusTooManyRequests && status < 500) {
		return false
	}
	if status == http.StatusTooManyRequests {
		// awaitTurn waits out the pause, and counts it, like it does
		// for every other request of this client.
		return c.pacer.WillRetry(ctx, cl.op(), attempt, c.pausedFor(), apiErr)
	}
	return c.sleepBeforeRetry(ctx, cl, attempt, c.pacer.RetryDelay(attempt, apiErr.RetryAfter), apiErr)
}

// sleepBeforeRetry sleeps delay before a retry, unless the pacer rejects
// it; it reports whether the retry goes ahead. The sleep is not counted as
// a wait: only the pauses awaitTurn waits out are.
func (c *Client) sleepBeforeRetry(ctx context.Context, cl *call, attempt int, delay time.Duration, cause error) bool {
	return c.pacer.SleepRetry(ctx, cl.op(), attempt, delay, cause, "")
}

// op names cl for the pacer.
func (cl *call) op() Op { return Op{Method: cl.method, Route: cl.route} }

// send makes one HTTP attempt and reads the whole answer.
func (c *Client) send(ctx context.Context, cl *call, target string, payload []byte, attempt int) (*response, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("gandi: %s %s: %w", cl.method, cl.route, err)
	}
	req.Header.Set("Authorization", c.auth())
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.dryRun {
		req.Header.Set("Dry-Run", "1")
	}

	ans, err := Exchange(c.hc, req)
	took := ans.Took
	if err != nil {
		err = fmt.Errorf("gandi: %s %s: %w", cl.method, cl.route, err)
		c.metrics.observeRequest(cl.method, cl.route, 0, took)
		c.log.LogAttrs(ctx, slog.LevelDebug, "gandi request",
			slog.String("method", cl.method), slog.String("route", cl.route),
			slog.Int("attempt", attempt), slog.Duration("duration", took),
			slog.String("error", err.Error()))
		return nil, err
	}
	c.metrics.observeRequest(cl.method, cl.route, ans.Status, took)
	c.log.LogAttrs(ctx, slog.LevelDebug, "gandi request",
		slog.String("method", cl.method), slog.String("route", cl.route),
		slog.Int("attempt", attempt), slog.Int("status", ans.Status),
		slog.Duration("duration", took), slog.Bool("dryRun", cl.dryRun))
	return &response{status: ans.Status, header: ans.Header, body: ans.Body, url: ans.URL}, nil
}

// Answer is what Exchange read of one HTTP answer; the body is closed.
type Answer struct {
	Status int
	Header http.Header
	URL    *url.URL
	Body   []byte
	Took   time.Duration
}

// Exchange sends req and reads the whole answer, at most maxBodyBytes, for
// both of Gandi's APIs. A network error comes without the *url.Error around
// it, which repeats the URL; the caller names the route. Took is set either
// way, for the request metrics.
func Exchange(hc *http.Client, req *http.Request) (Answer, error) {
	start := time.Now()
	res, err := hc.Do(req)
	var a Answer
	if err == nil {
		a = Answer{Status: res.StatusCode, Header: res.Header, URL: res.Request.URL}
		a.Body, err = io.ReadAll(io.LimitReader(res.Body, maxBodyBytes+1))
		_ = res.Body.Close()
		if err == nil && len(a.Body) > maxBodyBytes {
			err = fmt.Errorf("answer larger than %d bytes", maxBodyBytes)
		}
	}
	a.Took = time.Since(start)
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return a, err
}

// redactFunc hides the token and this call's secrets in server strings, in
// case an answer ever echoes them.
func (c *Client) redactFunc(secrets []string) func(string) string {
	return func(s string) string {
		s = c.redactor.Replace(s)
		for _, sec := range secrets {
			if sec != "" {
				s = strings.ReplaceAll(s, sec, redacted)
			}
		}
		return s
	}
}

// awaitTurn holds a request until Gandi's last Retry-After has elapsed and
// the pacer lets it go. lastErr, when set, is returned instead of a
// PausedError so that a retried call reports what Gandi said.
func (c *Client) awaitTurn(ctx context.Context, cl *call, lastErr error) error {
	for {
		wait := c.pausedFor()
		if wait <= 0 {
			break
		}
		if c.pacer.tooLong(ctx, wait) {
			if lastErr != nil {
				return lastErr
			}
			return c.pacer.paused(cl.op(), wait)
		}
		start := time.Now()
		err := sleep(ctx, wait)
		c.metrics.observeWait(WaitRetryAfter, time.Since(start))
		if err != nil {
			return c.pacer.notSent(cl.op(), fmt.Errorf("waiting for Retry-After: %w", err))
		}
	}
	return c.pacer.AwaitTurn(ctx, cl.op(), lastErr)
}

func (c *Client) pauseFor(d time.Duration) {
	until := time.Now().Add(d)
	c.mu.Lock()
	if until.After(c.notBefore) {
		c.notBefore = until
	}
	c.mu.Unlock()
}

func (c *Client) pausedFor() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Until(c.notBefore)
}
