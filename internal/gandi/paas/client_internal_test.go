package paas

import (
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
