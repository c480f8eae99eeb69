package gandi

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultBaseURL = "https://api.gandi.net"
	// DefaultRequestsPerMinute stays well below Gandi's documented 1,000
	// requests per minute, leaving room for the user's other tools.
	DefaultRequestsPerMinute = 600
	DefaultBurst             = 20
	DefaultMaxRetries        = 3
	DefaultMinBackoff        = 250 * time.Millisecond
	DefaultMaxBackoff        = 15 * time.Second
	DefaultMaxWait           = time.Minute
)

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	// BaseURL is the API root, without /v5 (default https://api.gandi.net).
	BaseURL    string
	Credential Credential
	ClientOptions
}

// ClientOptions are the settings both API clients (this package's and the
// XML-RPC one in paas) take alike: pacing, retries and the HTTP plumbing.
// One struct, so that a setting added here reaches both clients and the
// manager passes the v5 client's settings on to the XML-RPC one whole.
type ClientOptions struct {
	// UserAgent defaults to "gandi-operator/<version>".
	UserAgent string
	// RequestsPerMinute paces the client (one client per token); negative
	// disables pacing (tests, benchmarks).
	RequestsPerMinute int
	Burst             int
	// Budget, when set, is the request budget of the egress IP, shared
	// with every other client of the process (either API): each attempt
	// waits for it, at the priority its context carries (WithPriority),
	// and the token's own RequestsPerMinute and Burst become its bound
	// there, one bound for the clients of one token.
	Budget *Budget
	// HTTPClient defaults to a client without an overall timeout (deadlines
	// come from each call's context) over a transport with dial, TLS and
	// response-header timeouts, that does not follow redirects.
	HTTPClient *http.Client
	Metrics    *Metrics // may be nil
	// Logger receives one debug line per HTTP attempt and one info line per
	// retry; nil discards them.
	Logger *slog.Logger
	// MaxRetries bounds the retries of the calls that may be repeated
	// (v5: GET, PATCH and DELETE; XML-RPC: read methods); negative: none.
	MaxRetries int
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MaxWait is the longest a call blocks for a Retry-After; a longer pause
	// is returned at once as a rate-limited error carrying RetryAfter, so the
	// caller can requeue instead of holding a worker.
	MaxWait time.Duration
}

// Client talks to Gandi's v5 API with one credential. It is safe for
// concurrent use; share one per token so pacing and Retry-After apply to
// everything done with that token.
type Client struct {
	base      *url.URL
	baseStr   string // scheme://host/path without trailing slash
	auth      func() string
	userAgent string
	hc        *http.Client
	pacer     *Pacer // the budget or token bucket, and the retry bounds
	metrics   *Metrics
	log       *slog.Logger
	redactor  *strings.Replacer

	mu        sync.Mutex
	notBefore time.Time // set by a 429: no request leaves before it
}

// New validates cfg, applies defaults and returns a Client.
func New(cfg Config) (*Client, error) {
	if err := cfg.Credential.validate(); err != nil {
		return nil, err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	pc := cfg.pacerConfig()
	pc.ApplyDefaults()
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}

	// The header value lives in a closure rather than a field so that even a
	// reflective dump of the Client (%+v on the struct) cannot print it.
	header := cfg.Credential.header()
	token := cfg.Credential.Token
	return &Client{
		base:      base,
		baseStr:   base.String(),
		auth:      func() string { return header },
		userAgent: pc.UserAgent,
		hc:        pc.HTTPClient,
		pacer:     NewPacer(pc),
		metrics:   pc.Metrics,
		log:       pc.Logger,
		redactor:  strings.NewReplacer(token, redacted),
	}, nil
}

// pacerConfig is cfg's share of the settings both API clients take.
func (cfg *Config) pacerConfig() PacerConfig {
	return PacerConfig{Credential: cfg.Credential, ClientOptions: cfg.ClientOptions}
}

// parseBaseURL checks that raw is an absolute http(s) URL with nothing but
// a scheme, host and path, and returns it without a trailing slash.
func parseBaseURL(raw string) (*url.URL, error) {
	base, err := ParseEndpoint(strings.TrimRight(raw, "/"))
	if err != nil {
		return nil, fmt.Errorf("gandi: base URL: %w", err)
	}
	if base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("gandi: base URL %q must not carry a query or fragment", base.Redacted())
	}
	return base, nil
}

// ParseEndpoint checks that raw is an absolute http(s) URL without user
// info, for either API. Its errors never quote a password raw may hold:
// they reach conditions and logs.
func ParseEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("the URL does not parse")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// Not quoted: what is not a URL with a host (u:pass@host parses
		// as an opaque one) has nothing Redacted would hide.
		return nil, errors.New("it must be an absolute http(s) URL")
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q must not carry user info (credentials come from Secrets)", u.Redacted())
	}
	return u, nil
}

// String describes the client without its credential.
func (c *Client) String() string { return "gandi.Client(" + c.baseStr + ")" }

// GoString keeps %#v from walking the struct.
func (c *Client) GoString() string { return c.String() }

// Format keeps every fmt verb from walking the struct.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// BaseURL is the API root the client talks to.
func (c *Client) BaseURL() string { return c.baseStr }

func defaultHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: tr,
		// The API never redirects; following one could carry the
		// Authorization header somewhere unexpected.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// DefaultHTTPClient is the HTTP client New uses when Config has none; other
// Gandi API clients share its timeouts and its refusal to follow redirects.
func DefaultHTTPClient() *http.Client { return defaultHTTPClient() }
