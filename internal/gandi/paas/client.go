package paas

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// DefaultEndpoint is Gandi's published XML-RPC endpoint. The API doc itself
// names none, so it is configurable.
const DefaultEndpoint = "https://rpc.gandi.net/xmlrpc/"

// Defaults applied by New to zero Config fields: the v5 client's budget,
// since both APIs count against the same account.
const (
	DefaultRequestsPerMinute = gandi.DefaultRequestsPerMinute
	DefaultBurst             = gandi.DefaultBurst
	DefaultMaxRetries        = gandi.DefaultMaxRetries
	DefaultMinBackoff        = gandi.DefaultMinBackoff
	DefaultMaxBackoff        = gandi.DefaultMaxBackoff
	DefaultMaxWait           = gandi.DefaultMaxWait
)

// ErrNoAPIKey is New's refusal of an empty key: this API authenticates with
// a legacy API key only and accepts no personal access token.
var ErrNoAPIKey = errors.New("gandi paas: an API key is required (the XML-RPC API accepts no personal access token)")

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	// Endpoint is the XML-RPC URL (default DefaultEndpoint).
	Endpoint string
	// APIKey is sent as the first parameter of every call.
	APIKey string
	// UserAgent defaults to "gandi-operator/<version>".
	UserAgent string
	// RequestsPerMinute paces this client; negative disables pacing.
	RequestsPerMinute int
	Burst             int
	// Budget, when set, is the egress IP's request budget, shared with the
	// v5 clients of the process (see gandi.Budget); the key's own
	// RequestsPerMinute and Burst become its bound there, one bound with
	// a v5 client of the same API key.
	Budget *gandi.Budget
	// HTTPClient defaults to gandi.DefaultHTTPClient().
	HTTPClient *http.Client
	Metrics    *gandi.Metrics // may be nil
	// Logger receives one debug line per HTTP attempt and one info line
	// per retry; nil discards them.
	Logger *slog.Logger
	// MaxRetries bounds the retries of read methods (negative: none).
	MaxRetries int
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MaxWait is the longest one retry waits (a longer Retry-After ends
	// the call with the error instead).
	MaxWait time.Duration
}

// Client calls the XML-RPC API with one API key. It is safe for concurrent
// use.
type Client struct {
	endpoint  string
	key       func() string // a closure, so no dump of the struct prints it
	userAgent string
	hc        *http.Client
	pacer     *gandi.Pacer // the budget or token bucket, and the retry bounds
	metrics   *gandi.Metrics
	log       *slog.Logger
	redactor  *strings.Replacer
}

// New validates cfg, applies defaults and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.APIKey == "" {
		return nil, ErrNoAPIKey
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("gandi paas: endpoint %q must be an absolute http(s) URL without user info", cfg.Endpoint)
	}
	key := cfg.APIKey
	pc := gandi.PacerConfig{
		Credential:        gandi.Credential{Token: key, APIKey: true},
		UserAgent:         cfg.UserAgent,
		RequestsPerMinute: cfg.RequestsPerMinute,
		Burst:             cfg.Burst,
		Budget:            cfg.Budget,
		HTTPClient:        cfg.HTTPClient,
		Metrics:           cfg.Metrics,
		Logger:            cfg.Logger,
		MaxRetries:        cfg.MaxRetries,
		MinBackoff:        cfg.MinBackoff,
		MaxBackoff:        cfg.MaxBackoff,
		MaxWait:           cfg.MaxWait,
		// Every call is a POST to one endpoint; the method name is the
		// route.
		Method:             http.MethodPost,
		LastErrOverLimiter: true,
	}
	pc.ApplyDefaults()
	return &Client{
		endpoint:  u.String(),
		key:       func() string { return key },
		userAgent: pc.UserAgent,
		hc:        pc.HTTPClient,
		pacer:     gandi.NewPacer(pc),
		metrics:   pc.Metrics,
		log:       pc.Logger,
		redactor:  strings.NewReplacer(key, redacted),
	}, nil
}

const redacted = "[REDACTED]"

// String describes the client without its key.
func (c *Client) String() string { return "paas.Client(" + c.endpoint + ")" }

// GoString keeps %#v from walking the struct.
func (c *Client) GoString() string { return c.String() }

// Format keeps every fmt verb from walking the struct.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// Endpoint is the URL the client posts to.
func (c *Client) Endpoint() string { return c.endpoint }
