package gandi_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// A create recorded before its sending (RecordBeforeSend) is recorded
// only once its turn came, and sent only within the window its record
// allows: a process paused between the two drops the create, which
// another process may have sent meanwhile, instead of buying twice.
func TestRecordBeforeSend(t *testing.T) {
	errAPI := errors.New("the API server refused the write")
	for _, tc := range []struct {
		name      string
		write     func(context.Context) (time.Duration, error)
		sent      bool
		recorded  bool
		notSent   bool
		tooLate   bool
		wrapsErrs error
	}{
		{name: "sent within its window", write: func(context.Context) (time.Duration, error) { return time.Minute, nil },
			sent: true, recorded: true},
		{name: "paused between its record and its request", write: func(context.Context) (time.Duration, error) {
			time.Sleep(30 * time.Millisecond) // the record lands, then the process stops
			return 10 * time.Millisecond, nil
		}, recorded: true, notSent: true, tooLate: true},
		{name: "its record refused", write: func(context.Context) (time.Duration, error) { return time.Minute, errAPI },
			notSent: true, wrapsErrs: errAPI},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := gandi.RecordBeforeSend(ctx(t), tc.write)
			id, err := e.c.CreateInstance(ctx, validCreate("recorded-first"), gandi.CreateOptions{})
			_ = e.keep(err)
			if got := e.sim.Requests(gandisim.RouteCreateInstance) == 1 && e.sim.PaidCreates() == 1; got != tc.sent {
				t.Fatalf("sent %v (requests %d, paid %d), want %v", got, e.sim.Requests(gandisim.RouteCreateInstance), e.sim.PaidCreates(), tc.sent)
			}
			if tc.sent && (err != nil || id == "") {
				t.Fatalf("create: %q %v", id, err)
			}
			if got := gandi.Recorded(ctx); got != tc.recorded {
				t.Errorf("Recorded %v, want %v", got, tc.recorded)
			}
			var ns *gandi.NotSentError
			if got := errors.As(err, &ns); got != tc.notSent {
				t.Errorf("NotSentError %v, want %v: %v", got, tc.notSent, err)
			}
			if tc.notSent && !gandi.NotApplied(err) {
				t.Errorf("a request not sent must read as not applied: %v", err)
			}
			if got := errors.Is(err, gandi.ErrSendWindowPassed); got != tc.tooLate {
				t.Errorf("ErrSendWindowPassed %v, want %v: %v", got, tc.tooLate, err)
			}
			if tc.wrapsErrs != nil && !errors.Is(err, tc.wrapsErrs) {
				t.Errorf("the record's error is lost: %v", err)
			}
		})
	}
}

// The record waits for the request's turn: what a request queued for the
// budget after its record would take from its window is spent before it.
func TestRecordBeforeSendRecordsOnlyOnceItsTurnCame(t *testing.T) {
	e := newEnv(t)
	c := e.client(token, false, func(cfg *gandi.Config) { cfg.RequestsPerMinute, cfg.Burst = 120, 1 })
	if _, err := c.ListInstances(ctx(t), gandi.ListInstancesOptions{}); e.keep(err) != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var recordedAfter atomic.Int64
	rctx := gandi.RecordBeforeSend(ctx(t), func(context.Context) (time.Duration, error) {
		recordedAfter.Store(int64(time.Since(start)))
		return 50 * time.Millisecond, nil
	})
	if _, err := c.CreateInstance(rctx, validCreate("queued"), gandi.CreateOptions{}); e.keep(err) != nil {
		t.Fatalf("a create recorded after its 500 ms turn must be sent within its 50 ms window: %v", err)
	}
	if waited := time.Duration(recordedAfter.Load()); waited < 400*time.Millisecond {
		t.Errorf("recorded %s after the call began, before the token bucket's turn (500 ms)", waited)
	}
}

// A write that makes requests of its own after its record (the reads that
// check the request is still to be sent) gets a context without the
// record: those requests wait for their own turns and are sent, and the
// record is written once, before the request it goes with.
func TestRecordBeforeSendWriteMakesItsOwnRequests(t *testing.T) {
	e := newEnv(t)
	var writes atomic.Int32
	var readErr error
	rctx := gandi.RecordBeforeSend(ctx(t), func(ctx context.Context) (time.Duration, error) {
		if writes.Add(1) > 1 {
			return 0, errors.New("the record written again, by the write's own read")
		}
		_, readErr = e.c.ListInstances(ctx, gandi.ListInstancesOptions{})
		return time.Minute, nil
	})
	if _, err := e.c.CreateInstance(rctx, validCreate("checked"), gandi.CreateOptions{}); e.keep(err) != nil {
		t.Fatalf("create: %v", err)
	}
	if readErr != nil {
		t.Errorf("the write's own read: %v", readErr)
	}
	if n := writes.Load(); n != 1 {
		t.Errorf("the record was written %d times, want once", n)
	}
	if n := e.sim.PaidCreates(); n != 1 {
		t.Errorf("paid creates %d, want 1", n)
	}
}
