package paas

import (
	"strings"
	"testing"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// An unset MaxBackoff is DefaultMaxBackoff, as the Config doc says: the
// client used to cap it at MinBackoff, so its retries never grew.
func TestUnsetMaxBackoffGrows(t *testing.T) {
	c, err := New(Config{APIKey: "k", ClientOptions: gandi.ClientOptions{MinBackoff: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	// Attempt 6 is nominally 640ms; equal jitter keeps at least half.
	if d := c.pacer.Backoff(6); d < 320*time.Millisecond {
		t.Errorf("backoff after 6 attempts with MinBackoff 10ms: %s, want it to grow towards %s", d, DefaultMaxBackoff)
	}
}

// The endpoint's error reaches every PaaSInstance's conditions: it must
// not quote a password the URL carries.
func TestEndpointErrorRedacted(t *testing.T) {
	for _, ep := range []string{"https://u:hunter2@h/xmlrpc/", "ftp://u:hunter2@h/", "u:hunter2@h"} {
		_, err := New(Config{Endpoint: ep, APIKey: "k"})
		if err == nil {
			t.Errorf("%s: accepted", ep)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error quotes the password: %v", ep, err)
		}
	}
}
