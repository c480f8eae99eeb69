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
	var payload []byte
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return nil, fmt.Errorf("gandi: %s %s: encode request: %w", cl.method, cl.route, err)
		}
		payload = b
	}
	target := cl.next
	if target == "" {
		target = c.baseStr + cl.path
		if len(cl.query) > 0 {
			target += "?" + cl.query.Encode()
		}
	}
	// POST creates (and pays for) things: the client never sends one twice.
	// The caller must look before it posts again.
	retryable := cl.method != http.MethodPost

	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := c.awaitTurn(ctx, cl, lastErr); err != nil {
			return nil, err
		}
		res, err := c.send(ctx, cl, target, payload, attempt)
		if err != nil {
			if ctx.Err() != nil || !retryable || attempt >= c.maxRetries || !isNetworkTransient(err) {
				return nil, err
			}
			delay := c.backoff(attempt)
			if !c.willRetry(ctx, cl, attempt, delay, err) || sleep(ctx, delay) != nil {
				return nil, err
			}
			lastErr = err
			continue
		}
		if res.status >= 200 && res.status < 300 {
			return res, nil
		}
		apiErr := DecodeAPIError(res.status, res.header, res.body, c.redactFunc(cl.secrets))
		apiErr.Method, apiErr.Route = cl.method, cl.route
		if res.status == http.StatusTooManyRequests {
			// Gandi rate-limits the token, not this request: everything
			// this client sends waits, so the pause is shared.
			pause := apiErr.RetryAfter
			if pause <= 0 {
				pause = c.backoff(attempt)
			}
			c.pauseFor(pause)
		}
		retryStatus := res.status == http.StatusTooManyRequests || res.status >= 500
		if !retryable || !retryStatus || attempt >= c.maxRetries {
			return nil, apiErr
		}
		if res.status == http.StatusTooManyRequests {
			// awaitTurn waits out the pause, and counts it, like it does
			// for every other request of this client.
			if !c.willRetry(ctx, cl, attempt, c.pausedFor(), apiErr) {
				return nil, apiErr
			}
		} else {
			delay := max(c.backoff(attempt), apiErr.RetryAfter)
			if !c.willRetry(ctx, cl, attempt, delay, apiErr) || sleep(ctx, delay) != nil {
				return nil, apiErr
			}
		}
		lastErr = apiErr
	}
}

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

	start := time.Now()
	res, err := c.hc.Do(req)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(res.Body, maxBodyBytes+1))
		_ = res.Body.Close()
		if err == nil && len(data) > maxBodyBytes {
			err = fmt.Errorf("answer larger than %d bytes", maxBodyBytes)
		}
	}
	took := time.Since(start)
	if err != nil {
		// The *url.Error around it repeats the URL; the route says enough.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		err = fmt.Errorf("gandi: %s %s: %w", cl.method, cl.route, err)
		c.metrics.observeRequest(cl.method, cl.route, 0, took)
		c.log.LogAttrs(ctx, slog.LevelDebug, "gandi request",
			slog.String("method", cl.method), slog.String("route", cl.route),
			slog.Int("attempt", attempt), slog.Duration("duration", took),
			slog.String("error", err.Error()))
		return nil, err
	}
	c.metrics.observeRequest(cl.method, cl.route, res.StatusCode, took)
	c.log.LogAttrs(ctx, slog.LevelDebug, "gandi request",
		slog.String("method", cl.method), slog.String("route", cl.route),
		slog.Int("attempt", attempt), slog.Int("status", res.StatusCode),
		slog.Duration("duration", took), slog.Bool("dryRun", cl.dryRun))
	return &response{status: res.StatusCode, header: res.Header, body: data, url: res.Request.URL}, nil
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

// willRetry decides whether a retry after wait is worth it (not longer than
// MaxWait, not past the context's deadline) and logs the decision to retry.
func (c *Client) willRetry(ctx context.Context, cl *call, attempt int, wait time.Duration, cause error) bool {
	if wait > c.maxWait || exceedsDeadline(ctx, wait) {
		return false
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "gandi request failed, retrying",
		slog.String("method", cl.method), slog.String("route", cl.route),
		slog.Int("attempt", attempt), slog.Duration("wait", wait),
		slog.String("error", cause.Error()))
	return true
}

// awaitTurn holds a request until Gandi's last Retry-After has elapsed and
// the token bucket lets it go. lastErr, when set, is returned instead of a
// PausedError so that a retried call reports what Gandi said.
func (c *Client) awaitTurn(ctx context.Context, cl *call, lastErr error) error {
	for {
		wait := c.pausedFor()
		if wait <= 0 {
			break
		}
		if wait > c.maxWait || exceedsDeadline(ctx, wait) {
			if lastErr != nil {
				return lastErr
			}
			return &PausedError{Wait: wait, Method: cl.method, Route: cl.route}
		}
		start := time.Now()
		err := sleep(ctx, wait)
		c.metrics.observeWait(WaitRetryAfter, time.Since(start))
		if err != nil {
			return fmt.Errorf("gandi: %s %s: waiting for Retry-After: %w", cl.method, cl.route, err)
		}
	}
	if c.limiter == nil {
		return nil
	}
	r := c.limiter.Reserve()
	d := r.Delay()
	if d <= 0 {
		return nil
	}
	if exceedsDeadline(ctx, d) {
		r.Cancel()
		return fmt.Errorf("gandi: %s %s: rate limiter wait of %s exceeds the deadline: %w",
			cl.method, cl.route, d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	start := time.Now()
	err := sleep(ctx, d)
	c.metrics.observeWait(WaitTokenBucket, time.Since(start))
	if err != nil {
		r.Cancel()
		return fmt.Errorf("gandi: %s %s: waiting for the rate limiter: %w", cl.method, cl.route, err)
	}
	return nil
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

func exceedsDeadline(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < d
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
