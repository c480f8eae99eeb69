package gandi

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPacerDefaults(t *testing.T) {
	var pc PacerConfig
	pc.ApplyDefaults()
	if pc.RequestsPerMinute != DefaultRequestsPerMinute || pc.Burst != DefaultBurst || pc.MaxRetries != DefaultMaxRetries ||
		pc.MinBackoff != DefaultMinBackoff || pc.MaxBackoff != DefaultMaxBackoff || pc.MaxWait != DefaultMaxWait ||
		pc.HTTPClient == nil || pc.Logger == nil || !strings.HasPrefix(pc.UserAgent, "gandi-operator/") {
		t.Errorf("defaults: %+v", pc)
	}
	pc = PacerConfig{ClientOptions: ClientOptions{MaxRetries: -1, MinBackoff: time.Second, MaxBackoff: time.Millisecond}}
	pc.ApplyDefaults()
	if pc.MaxRetries != 0 || pc.MaxBackoff != time.Second {
		t.Errorf("normalised: retries %d, max backoff %s", pc.MaxRetries, pc.MaxBackoff)
	}
}

func TestPacerRetryLogNamesTheMethod(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	v5 := NewPacer(PacerConfig{ClientOptions: ClientOptions{Logger: log}})
	if !v5.WillRetry(context.Background(), Op{Method: http.MethodGet, Route: "/r"}, 0, time.Second, errors.New("boom")) {
		t.Fatal("retry refused")
	}
	if line := buf.String(); !strings.Contains(line, "method=GET route=/r attempt=0 wait=1s error=boom") {
		t.Errorf("v5 line: %s", line)
	}
	buf.Reset()
	rpc := NewPacer(PacerConfig{Method: http.MethodPost, ClientOptions: ClientOptions{Logger: log}})
	_ = rpc.WillRetry(context.Background(), Op{Route: "paas.info"}, 1, time.Second, errors.New("boom"))
	if line := buf.String(); strings.Contains(line, "method=") || !strings.Contains(line, "route=paas.info attempt=1") {
		t.Errorf("single-method line: %s", line)
	}
	if rpc.WillRetry(context.Background(), Op{Route: "paas.info"}, 1, DefaultMaxWait+time.Second, errors.New("boom")) {
		t.Error("retry past MaxWait granted")
	}
}

func TestPacerLimiterPastDeadline(t *testing.T) {
	last := errors.New("previous attempt")
	for _, keep := range []bool{false, true} {
		p := NewPacer(PacerConfig{Method: http.MethodPost, LastErrOverLimiter: keep, ClientOptions: ClientOptions{RequestsPerMinute: 60, Burst: 1}})
		if err := p.AwaitTurn(context.Background(), Op{Route: "paas.info"}, nil); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		err := p.AwaitTurn(ctx, Op{Route: "paas.info"}, last)
		cancel()
		var ns *NotSentError
		switch {
		case keep && !errors.Is(err, last):
			t.Errorf("keeping the last error: %v", err)
		case !keep && (!errors.As(err, &ns) || ns.Method != http.MethodPost || !errors.Is(err, context.DeadlineExceeded)):
			t.Errorf("not keeping the last error: %v", err)
		}
	}
}
