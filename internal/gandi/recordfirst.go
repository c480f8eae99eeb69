package gandi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ErrSendWindowPassed is why a request recorded before its sending was not
// sent: more time passed between its record and its turn to go out than
// the record allows (RecordBeforeSend). The process was paused (SIGSTOP, a
// frozen VM) or starved in between, and another process may by now have
// taken the request for lost and sent its own.
var ErrSendWindowPassed = errors.New("too late after its record")

type recordKey struct{}

// sendRecord is the record a request waits for (RecordBeforeSend).
type sendRecord struct {
	write   func(context.Context) (time.Duration, error)
	written bool
	// began is when write began, on the monotonic clock: a pause or a
	// wall-clock step cannot hide the time since.
	began  time.Time
	within time.Duration
}

// RecordBeforeSend has the request made with ctx (a create or a template
// apply, which Gandi has no idempotency key for) recorded by write once
// its turn in the request budget has come, and sent only if no more than
// the duration write returns has passed since write began.
//
// The turn comes first so that the only thing between the record and the
// request is the record's own write: a request that queued for the budget
// after its record could reach Gandi long after it, and another process,
// finding the record and nothing at Gandi a grace later, would send it
// again. write is what such a process reads (an annotation with the time
// of the record); the duration it returns must be short enough that a
// request sent within it shows at Gandi before any process can take the
// record for lost. A process that was paused between the record and the
// request (as a leader frozen past its lease is) thus drops its request,
// with ErrSendWindowPassed, instead of buying a second instance or
// running a second dispatch. What remains is the instant between the last
// check and the write on the socket, which only an idempotency key at
// Gandi could close.
//
// write runs at most once per ctx, on the request's first attempt (the
// clients never send a create twice on their own), with a context that no
// longer carries the record: requests write makes of its own (reads that
// check, after the record, whether the request is still to be sent) wait
// for their own turns and are not this request. Its error ends the call
// with a NotSentError wrapping it: nothing was sent, and Recorded is
// false; a write that records and then refuses says so to its caller.
func RecordBeforeSend(ctx context.Context, write func(context.Context) (within time.Duration, err error)) context.Context {
	return context.WithValue(ctx, recordKey{}, &sendRecord{write: write})
}

func recordOf(ctx context.Context) *sendRecord {
	r, _ := ctx.Value(recordKey{}).(*sendRecord)
	return r
}

// recordThenFence runs ctx's record, if any and not yet written, and
// refuses the request when its window since the record has passed. It
// comes right after the turn, before the request is written.
func (p *Pacer) recordThenFence(ctx context.Context, op Op) error {
	r := recordOf(ctx)
	if r == nil {
		return nil
	}
	if !r.written {
		r.began = time.Now()
		within, err := r.write(context.WithValue(ctx, recordKey{}, (*sendRecord)(nil)))
		if err != nil {
			return p.notSent(op, fmt.Errorf("record the request before sending it: %w", err))
		}
		r.written, r.within = true, within
	}
	if late := time.Since(r.began); late > r.within {
		p.log.LogAttrs(ctx, slog.LevelWarn, "gandi request recorded but not sent: too late after its record (was the process paused?)",
			slog.String("method", p.methodOf(op)), slog.String("route", op.Route),
			slog.Duration("since_record", late), slog.Duration("window", r.within))
		return p.notSent(op, fmt.Errorf("%w (%s after it, past the %s it allows)", ErrSendWindowPassed, late.Round(time.Millisecond), r.within))
	}
	return nil
}

// Recorded reports whether the record of the request made with ctx
// (RecordBeforeSend) was written: false when the call ended before its
// turn came or the record's write failed.
func Recorded(ctx context.Context) bool {
	r := recordOf(ctx)
	return r != nil && r.written
}
