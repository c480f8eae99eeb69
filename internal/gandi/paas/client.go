package paas

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

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
	// ClientOptions are the v5 client's settings, and mean the same here
	// (one Pacer runs both): both APIs count against the same account and
	// IP. The calls that may be repeated are the read methods.
	gandi.ClientOptions
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
	u, err := gandi.ParseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("gandi paas: endpoint: %w", err)
	}
	key := cfg.APIKey
	pc := gandi.PacerConfig{
		Credential:    gandi.Credential{Token: key, APIKey: true},
		ClientOptions: cfg.ClientOptions,
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
