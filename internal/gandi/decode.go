package gandi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxRetryAfter bounds a Retry-After so that a garbled header cannot pause
// the client for days.
const maxRetryAfter = time.Hour

// errorBody is the union of the error shapes Gandi documents: the
// {code, message, cause, object} body and the {status, errors} validation
// body (which 4xx answers may also carry next to the first).
type errorBody struct {
	Code    json.RawMessage   `json:"code"`
	Message string            `json:"message"`
	Cause   string            `json:"cause"`
	Object  string            `json:"object"`
	Status  string            `json:"status"`
	Errors  []json.RawMessage `json:"errors"`
}

// DecodeAPIError builds the *APIError for an answer. It accepts any body,
// JSON or not; redact is applied to every string taken from it (nil: none).
func DecodeAPIError(status int, header http.Header, body []byte, redact func(string) string) *APIError {
	if redact == nil {
		redact = func(s string) string { return s }
	}
	e := &APIError{StatusCode: status, RetryAfter: parseRetryAfter(header.Get("Retry-After"), time.Now())}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err == nil {
		e.FromGandi = true
		e.Code = decodeCode(eb.Code)
		e.Message = redact(clean(eb.Message))
		e.Cause = redact(clean(eb.Cause))
		e.Object = redact(clean(eb.Object))
		e.Errors = decodeFieldErrors(eb.Errors, redact)
	} else if text := clean(string(body)); text != "" && !looksLikeMarkup(text) {
		// A proxy's plain-text answer is still worth showing, briefly.
		e.Message = redact(text)
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

func decodeCode(raw json.RawMessage) int {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0
	}
	if i, err := n.Int64(); err == nil && i >= -1<<31 && i < 1<<31 {
		return int(i)
	}
	return 0
}

func decodeFieldErrors(raws []json.RawMessage, redact func(string) string) []FieldError {
	var out []FieldError
	for _, raw := range raws {
		var f FieldError
		if err := json.Unmarshal(raw, &f); err != nil {
			// Tolerate a bare string in the list.
			var s string
			if json.Unmarshal(raw, &s) != nil {
				continue
			}
			f.Description = s
		}
		f.Location = redact(clean(f.Location))
		f.Name = redact(clean(f.Name))
		f.Description = redact(clean(f.Description))
		out = append(out, f)
	}
	return out
}

const maxMessageLen = 512

// clean makes a server string safe for one log line: valid UTF-8, no control
// characters, bounded length.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxMessageLen {
		cut := maxMessageLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func looksLikeMarkup(s string) bool {
	return strings.HasPrefix(s, "<")
}

// parseRetryAfter reads delay-seconds or an HTTP-date; absent, malformed or
// past values give zero.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 || secs != secs { // negative, zero or NaN
			return 0
		}
		if secs >= maxRetryAfter.Seconds() {
			return maxRetryAfter
		}
		d = time.Duration(secs * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d <= 0 {
		return 0
	}
	return min(d, maxRetryAfter)
}

// decodeJSON decodes a success body; an empty body leaves v untouched.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %w", ErrUndecodable, err)
	}
	return nil
}

// Time is a timestamp from the API. It accepts RFC 3339 with or without a
// zone or fraction, null and "", so that an unexpected date format never
// makes a whole object unreadable: an unparseable value decodes as zero.
type Time struct{ time.Time }

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// UnmarshalJSON is lenient, see Time: it never fails, whatever b holds.
func (t *Time) UnmarshalJSON(b []byte) error {
	t.Time = parseLenientTime(b)
	return nil
}

// parseLenientTime returns the time the JSON value b names, or the zero time
// when b is not a string in one of timeLayouts.
func parseLenientTime(b []byte) time.Time {
	var s string
	if json.Unmarshal(b, &s) != nil {
		return time.Time{} // null, a number, anything else: unknown date
	}
	for _, layout := range timeLayouts {
		if p, err := time.Parse(layout, s); err == nil {
			return p
		}
	}
	return time.Time{}
}

// MarshalJSON writes RFC 3339, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Format(time.RFC3339Nano))
}
