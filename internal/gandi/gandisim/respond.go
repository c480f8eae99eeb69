//nolint:goconst // JSON keys of hand-built response bodies read best as literals
package gandisim

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// fieldError is one entry of a validation failure, shaped as the Dry-Run
// answer documents it.
type fieldError struct {
	Location    string `json:"location"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// apiError is Gandi's error body {code, message, object, cause}; validation
// failures add {status: "error", errors: [...]}.
type apiError struct {
	status     int
	message    string
	object     string
	errors     []fieldError
	retryAfter time.Duration
}

func newError(status int, message string) *apiError {
	return &apiError{status: status, message: message}
}

func (e *apiError) withObject(object string) *apiError {
	e.object = object
	return e
}

func validationError(errs []fieldError) *apiError {
	return &apiError{status: http.StatusBadRequest, message: "The request is invalid: " + summarize(errs), errors: errs}
}

func summarize(errs []fieldError) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		if e.Name != "" {
			parts = append(parts, e.Name+": "+e.Description)
		} else {
			parts = append(parts, e.Description)
		}
	}
	return strings.Join(parts, "; ")
}

func (e *apiError) body() map[string]any {
	object := e.object
	if object == "" {
		object = "HTTP" + strings.ReplaceAll(http.StatusText(e.status), " ", "")
	}
	b := map[string]any{
		"code":    e.status,
		"message": e.message,
		"object":  object,
		"cause":   http.StatusText(e.status),
	}
	if e.errors != nil {
		b["status"] = statusError
		b["errors"] = e.errors
	}
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(e.retryAfter)))
	}
	if e.status == http.StatusNoContent || e.status == http.StatusNotModified || e.status < 200 {
		// These statuses cannot carry a body; POST .../action documents 204 as
		// "the action cannot be performed", which tests inject this way.
		w.WriteHeader(e.status)
		return
	}
	writeJSON(w, e.status, e.body())
}

// retryAfterSeconds rounds up so that a client honouring the header never
// comes back early.
func retryAfterSeconds(d time.Duration) int {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return secs
}

func (c *call) fail(e *apiError) { writeError(c.w, e) }

func (c *call) json(status int, v any) { writeJSON(c.w, status, v) }

func (c *call) noContent() { c.w.WriteHeader(http.StatusNoContent) }

func (c *call) invalid(errs []fieldError) { c.fail(validationError(errs)) }

func notFound(object string) *apiError {
	return newError(http.StatusNotFound, "The "+strings.ToLower(object)+" could not be found.").withObject(object)
}

func forbidden(message string) *apiError {
	return newError(http.StatusForbidden, message)
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// discardWriter swallows the answer of a request whose connection is then
// dropped (commit then drop).
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// dropConnection closes the connection without a byte of answer. With reset,
// SO_LINGER 0 makes the close an RST, like a peer that crashed. When the
// connection cannot be hijacked (HTTP/2), aborting the handler resets the
// stream instead.
func dropConnection(w http.ResponseWriter, reset bool) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tcp, ok := conn.(*net.TCPConn); ok && reset {
				_ = tcp.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
