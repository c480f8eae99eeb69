package paas

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kolo/xmlrpc"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// isRead reports whether method only reads, so that resending it after a
// lost answer cannot do anything twice.
func isRead(method string) bool {
	if strings.HasPrefix(method, "paas.type.") || strings.HasPrefix(method, "paas.snapshot.") ||
		method == "paas.vhost.get_dns_entries" {
		return true
	}
	for _, suffix := range []string{".info", ".list", ".count"} {
		if strings.HasSuffix(method, suffix) {
			return true
		}
	}
	return false
}

// call sends method with the API key and args, and decodes the answer into
// result. secrets are argument values (passwords) to keep out of any error.
func (c *Client) call(ctx context.Context, method string, secrets []string, result any, args ...any) error {
	params := make([]any, 0, len(args)+1)
	params = append(params, c.key())
	for _, a := range args {
		params = append(params, toValue(a))
	}
	payload, err := xmlrpc.EncodeMethodCall(method, params...)
	if err != nil {
		// The encoder's error names a type, never a value.
		return fmt.Errorf("gandi paas: %s: encode request: %w", method, err)
	}
	redact := c.redactFunc(secrets)
	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := c.pacer.AwaitTurn(ctx, gandi.Op{Route: method}, lastErr); err != nil {
			return err
		}
		status, retryAfter, body, err := c.send(ctx, method, payload, attempt)
		if err == nil && status != http.StatusOK {
			err = &HTTPError{StatusCode: status, Method: method, RetryAfter: retryAfter}
			if status == http.StatusTooManyRequests {
				// A limit per IP: every key and token of the budget waits.
				c.pacer.PauseBudget(c.pacer.RetryDelay(attempt, retryAfter))
			}
		}
		if err == nil {
			return decodeAnswer(method, body, result, redact)
		}
		if !c.retry(ctx, method, attempt, err) {
			return err
		}
		lastErr = err
	}
}

// retry decides whether to resend a read after err and sleeps the backoff
// (or the longer Retry-After) first.
func (c *Client) retry(ctx context.Context, method string, attempt int, err error) bool {
	if _, fault := faultCode(err); fault || ctx.Err() != nil || !isRead(method) || !c.pacer.MayRetry(attempt) || !IsTransient(err) {
		return false
	}
	var ra time.Duration
	var he *HTTPError
	if errors.As(err, &he) {
		ra = he.RetryAfter
	}
	// Unlike the v5 client, this one keeps no pause of its own for the
	// next turn to wait out and count: a sleep for a Retry-After is
	// counted here.
	reason := ""
	if ra > 0 {
		reason = gandi.WaitRetryAfter
	}
	return c.pacer.SleepRetry(ctx, gandi.Op{Route: method}, attempt, c.pacer.RetryDelay(attempt, ra), err, reason)
}

// send makes one HTTP attempt and reads the whole answer.
func (c *Client) send(ctx context.Context, method string, payload []byte, attempt int) (int, time.Duration, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(payload))
	if err != nil {
		return 0, 0, nil, fmt.Errorf("gandi paas: %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("Accept", "text/xml")
	req.Header.Set("User-Agent", c.userAgent)

	ans, err := gandi.Exchange(c.hc, req)
	took := ans.Took
	if err != nil {
		err = fmt.Errorf("gandi paas: %s: %w", method, err)
		c.metrics.ObserveRequest(http.MethodPost, method, 0, took)
		c.log.LogAttrs(ctx, slog.LevelDebug, "gandi request", slog.String("route", method),
			slog.Int("attempt", attempt), slog.Duration("duration", took), slog.String("error", err.Error()))
		return 0, 0, nil, err
	}
	c.metrics.ObserveRequest(http.MethodPost, method, ans.Status, took)
	c.log.LogAttrs(ctx, slog.LevelDebug, "gandi request", slog.String("route", method),
		slog.Int("attempt", attempt), slog.Int("status", ans.Status), slog.Duration("duration", took))
	return ans.Status, retryAfter(ans.Header.Get("Retry-After")), ans.Body, nil
}

// retryAfter reads a Retry-After in seconds, capped so that a hostile value
// cannot park a worker.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, 10*time.Minute)
}

// redactFunc hides the key and this call's secrets in server strings, in
// case a fault ever echoes a parameter.
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

// decodeAnswer turns a 200 answer into result or a *Fault.
func decodeAnswer(method string, body []byte, result any, redact func(string) string) error {
	err := DecodeResponse(body, result)
	var f *Fault
	if errors.As(err, &f) {
		f.Method = method
		f.String = redact(f.String)
		return f
	}
	if err != nil {
		return fmt.Errorf("gandi paas: %s: %w: %s", method, ErrUndecodable, redact(err.Error()))
	}
	return nil
}

// DecodeResponse decodes an XML-RPC methodResponse into v, or returns its
// fault as a *Fault. It never panics, whatever the body.
func DecodeResponse(body []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed answer: %v", r)
		}
	}()
	resp := xmlrpc.Response(body)
	if ferr := resp.Err(); ferr != nil {
		var fe xmlrpc.FaultError
		if errors.As(ferr, &fe) {
			return &Fault{Code: fe.Code, String: fe.String}
		}
		return ferr
	}
	if !bytes.Contains(body, []byte("<methodResponse")) {
		return errors.New("not an XML-RPC methodResponse")
	}
	if v == nil {
		var discard any
		return resp.Unmarshal(&discard)
	}
	return resp.Unmarshal(v)
}
