package gandi

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gandi-operator/gandi-operator/internal/promreg"
)

// Metrics counts the client's traffic. One Metrics may serve many clients
// (one per token): labels never carry a token or an object ID.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	waits    *prometheus.HistogramVec
}

// Reasons a request waited before leaving, the "reason" label of
// gandi_api_rate_limit_wait_seconds.
const (
	WaitTokenBucket = "token_bucket" // the client's own pacing
	WaitRetryAfter  = "retry_after"  // a pause set by Gandi's 429
	// The IP budget (Budget), by the request's priority; it includes the
	// token's own bound when a budget is in use.
	WaitBudgetUrgent  = "ip_budget_urgent"
	WaitBudgetRoutine = "ip_budget_routine"
)

// BudgetWaitReason is the wait reason of a request of priority p in the
// IP budget.
func BudgetWaitReason(p Priority) string {
	if p == PriorityRoutine {
		return WaitBudgetRoutine
	}
	return WaitBudgetUrgent
}

// NewMetrics creates the collectors and registers them with reg (nil: not
// registered). Registering twice with the same registry reuses the
// collectors already there instead of failing.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gandi_api_requests_total",
			Help: "HTTP requests sent to the Gandi API, by method, route template and status code (\"error\" when no answer came).",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gandi_api_request_duration_seconds",
			Help:    "Latency of Gandi API requests, by method and route template.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route"}),
		waits: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gandi_api_rate_limit_wait_seconds",
			Help:    "Time requests waited before being sent: the client's token bucket, a pause after Gandi's 429 Retry-After, or the IP budget shared by every token (by priority).",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60},
		}, []string{"reason"}),
	}
	if reg != nil {
		m.requests = promreg.Register(reg, m.requests)
		m.duration = promreg.Register(reg, m.duration)
		m.waits = promreg.Register(reg, m.waits)
	}
	return m
}

func (m *Metrics) observeRequest(method, route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	code := "error"
	if status > 0 {
		code = strconv.Itoa(status)
	}
	m.requests.WithLabelValues(method, route, code).Inc()
	m.duration.WithLabelValues(method, route).Observe(took.Seconds())
}

func (m *Metrics) observeWait(reason string, waited time.Duration) {
	if m == nil || waited <= 0 {
		return
	}
	m.waits.WithLabelValues(reason).Observe(waited.Seconds())
}

// ObserveRequest counts one request of another Gandi API client (the
// XML-RPC one) in the same collectors, so one dashboard covers both APIs.
// route must be a template or a method name, never an ID or a key.
func (m *Metrics) ObserveRequest(method, route string, status int, took time.Duration) {
	m.observeRequest(method, route, status, took)
}

// ObserveWait records a wait before a request of another Gandi API client;
// reason is WaitTokenBucket or WaitRetryAfter.
func (m *Metrics) ObserveWait(reason string, waited time.Duration) {
	m.observeWait(reason, waited)
}
