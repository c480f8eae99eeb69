package gandi

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/time/rate"

	"github.com/gandi-operator/gandi-operator/internal/version"
)

// PacerConfig holds the settings both Gandi API clients (this package's
// and the XML-RPC one in paas) take from their Config: pacing, retries and
// the HTTP plumbing. ApplyDefaults fills its zero fields.
type PacerConfig struct {
	// Credential is the token or key: its place in Budget.
	Credential Credential
	ClientOptions

	// Method, when set, is the HTTP method of every request (the XML-RPC
	// API posts every call): an Op then names only its route, errors name
	// this method and log lines leave it out.
	Method string
	// LastErrOverLimiter makes a retry that the token bucket would hold
	// past the deadline end with the previous attempt's error, as a retry
	// held by a pause does, instead of a NotSentError.
	LastErrOverLimiter bool
}

// ApplyDefaults fills pc's zero fields: a negative MaxRetries means no
// retry, and MaxBackoff is never below MinBackoff.
func (pc *PacerConfig) ApplyDefaults() {
	if pc.UserAgent == "" {
		pc.UserAgent = "gandi-operator/" + version.Version
	}
	if pc.RequestsPerMinute == 0 {
		pc.RequestsPerMinute = DefaultRequestsPerMinute
	}
	if pc.Burst <= 0 {
		pc.Burst = DefaultBurst
	}
	if pc.HTTPClient == nil {
		pc.HTTPClient = defaultHTTPClient()
	}
	if pc.Logger == nil {
		pc.Logger = slog.New(slog.DiscardHandler)
	}
	if pc.MaxRetries == 0 {
		pc.MaxRetries = DefaultMaxRetries
	}
	if pc.MaxRetries < 0 {
		pc.MaxRetries = 0
	}
	if pc.MinBackoff <= 0 {
		pc.MinBackoff = DefaultMinBackoff
	}
	if pc.MaxBackoff <= 0 {
		pc.MaxBackoff = DefaultMaxBackoff
	}
	if pc.MaxBackoff < pc.MinBackoff {
		pc.MaxBackoff = pc.MinBackoff
	}
	if pc.MaxWait <= 0 {
		pc.MaxWait = DefaultMaxWait
	}
}

// Pacer is what both Gandi API clients do around each attempt: wait for a
// turn in the IP budget or the credential's token bucket, and decide, log
// and sleep a retry. One Pacer serves one client; it is safe for
// concurrent use.
type Pacer struct {
	limiter *rate.Limiter // nil: unpaced, or paced by member
	member  *BudgetMember // the credential's place in the IP budget; nil: none
	metrics *Metrics
	log     *slog.Logger
	method  string

	maxRetries  int
	minBackoff  time.Duration
	maxBackoff  time.Duration
	maxWait     time.Duration
	lastErrOver bool // PacerConfig.LastErrOverLimiter
}

// Op names one logical call in a Pacer's errors and log lines.
type Op struct {
	// Method is the HTTP method; empty when PacerConfig.Method gives it.
	Method string
	// Route is the route template or XML-RPC method name, never an ID.
	Route string
}

// NewPacer applies pc's defaults and returns its Pacer.
func NewPacer(pc PacerConfig) *Pacer {
	pc.ApplyDefaults()
	p := &Pacer{
		metrics:     pc.Metrics,
		log:         pc.Logger,
		method:      pc.Method,
		maxRetries:  pc.MaxRetries,
		minBackoff:  pc.MinBackoff,
		maxBackoff:  pc.MaxBackoff,
		maxWait:     pc.MaxWait,
		lastErrOver: pc.LastErrOverLimiter,
	}
	switch {
	case pc.Budget != nil:
		p.member = pc.Budget.Member(pc.Credential, pc.RequestsPerMinute, pc.Burst)
	case pc.RequestsPerMinute > 0:
		p.limiter = rate.NewLimiter(rate.Limit(float64(pc.RequestsPerMinute)/60), pc.Burst)
	}
	return p
}

// MayRetry reports whether the retry bound allows another attempt after
// attempt (from 0) failed; whether the call may be resent at all is the
// client's rule.
func (p *Pacer) MayRetry(attempt int) bool { return attempt < p.maxRetries }

// RetryDelay is the wait before retrying after attempt: its backoff, or
// the server's longer Retry-After (zero: none).
func (p *Pacer) RetryDelay(attempt int, retryAfter time.Duration) time.Duration {
	return max(p.Backoff(attempt), retryAfter)
}

// PauseBudget holds every credential of the IP budget for d, after a 429:
// Gandi's limit is per IP, so every token and key of the budget would draw
// the same answer. Without a budget it does nothing.
func (p *Pacer) PauseBudget(d time.Duration) {
	if p.member != nil {
		p.member.PauseFor(d)
	}
}

// WillRetry decides whether a retry after wait is worth it (not longer
// than MaxWait, not past the context's deadline) and logs the decision to
// retry; the caller waits, or has its next AwaitTurn wait.
func (p *Pacer) WillRetry(ctx context.Context, op Op, attempt int, wait time.Duration, cause error) bool {
	if p.tooLong(ctx, wait) {
		return false
	}
	attrs := make([]slog.Attr, 0, 5)
	if op.Method != "" {
		attrs = append(attrs, slog.String("method", op.Method))
	}
	attrs = append(attrs, slog.String("route", op.Route), slog.Int("attempt", attempt),
		slog.Duration("wait", wait), slog.String("error", cause.Error()))
	p.log.LogAttrs(ctx, slog.LevelInfo, "gandi request failed, retrying", attrs...)
	return true
}

// SleepRetry sleeps wait before a retry, unless WillRetry rejects it, and
// reports whether the retry goes ahead. reason, when set, counts the sleep
// in the wait metrics.
func (p *Pacer) SleepRetry(ctx context.Context, op Op, attempt int, wait time.Duration, cause error, reason string) bool {
	if !p.WillRetry(ctx, op, attempt, wait, cause) {
		return false
	}
	start := time.Now()
	if sleep(ctx, wait) != nil {
		return false
	}
	if reason != "" {
		p.metrics.observeWait(reason, time.Since(start))
	}
	return true
}

// AwaitTurn holds a request until the IP budget, or else the token bucket,
// lets it go, and then until its record (RecordBeforeSend) is written.
// lastErr, when set, is returned instead of a PausedError so that a
// retried call reports what Gandi said.
func (p *Pacer) AwaitTurn(ctx context.Context, op Op, lastErr error) error {
	if err := p.awaitTurn(ctx, op, lastErr); err != nil {
		return err
	}
	return p.recordThenFence(ctx, op)
}

// awaitTurn is AwaitTurn's wait for the budget or the token bucket.
func (p *Pacer) awaitTurn(ctx context.Context, op Op, lastErr error) error {
	if p.member != nil {
		return p.awaitBudget(ctx, op, lastErr)
	}
	if p.limiter == nil {
		return nil
	}
	r := p.limiter.Reserve()
	d := r.Delay()
	if d <= 0 {
		return nil
	}
	if exceedsDeadline(ctx, d) {
		r.Cancel()
		if p.lastErrOver && lastErr != nil {
			return lastErr
		}
		return p.notSent(op, fmt.Errorf("rate limiter wait of %s exceeds the deadline: %w", d.Round(time.Millisecond), context.DeadlineExceeded))
	}
	start := time.Now()
	err := sleep(ctx, d)
	p.metrics.observeWait(WaitTokenBucket, time.Since(start))
	if err != nil {
		r.Cancel()
		return p.notSent(op, fmt.Errorf("waiting for the rate limiter: %w", err))
	}
	return nil
}

// awaitBudget holds a request until the IP budget lets it go: after any
// Retry-After pause of the whole budget (refused at once, like the v5
// client's own, when longer than MaxWait or the deadline), then in the
// budget's queue at the context's priority.
func (p *Pacer) awaitBudget(ctx context.Context, op Op, lastErr error) error {
	if wait := p.member.PausedFor(); wait > 0 && p.tooLong(ctx, wait) {
		if lastErr != nil {
			return lastErr
		}
		return p.paused(op, wait)
	}
	waited, err := p.member.Wait(ctx)
	p.metrics.observeWait(BudgetWaitReason(PriorityOf(ctx)), waited)
	if err != nil {
		return p.notSent(op, fmt.Errorf("waiting for the IP request budget: %w", err))
	}
	return nil
}

// tooLong reports a wait longer than MaxWait or the context's deadline:
// the caller gets an error at once rather than a held worker.
func (p *Pacer) tooLong(ctx context.Context, wait time.Duration) bool {
	return wait > p.maxWait || exceedsDeadline(ctx, wait)
}

func (p *Pacer) methodOf(op Op) string {
	if op.Method == "" {
		return p.method
	}
	return op.Method
}

func (p *Pacer) notSent(op Op, err error) *NotSentError {
	return &NotSentError{Method: p.methodOf(op), Route: op.Route, Err: err}
}

func (p *Pacer) paused(op Op, wait time.Duration) *PausedError {
	return &PausedError{Wait: wait, Method: p.methodOf(op), Route: op.Route}
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
