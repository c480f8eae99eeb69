package gandi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/; `go test` runs them
// as regular tests, `go test -fuzz FuzzX` explores further.

func FuzzDecodeAPIError(f *testing.F) {
	f.Add(403, "", []byte(`{"code":403,"message":"Access was denied to this resource.","object":"HTTPForbidden","cause":"Forbidden"}`))
	const token = "pat_fuzz-token"
	redact := strings.NewReplacer(token, redacted).Replace
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		e := DecodeAPIError(status, h, body, redact)
		e.Method, e.Route = http.MethodGet, RouteInstance
		msg := e.Error()
		if strings.Contains(msg, token) {
			t.Fatalf("token in error string %q", msg)
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter {
			t.Fatalf("retry-after %s out of bounds", e.RetryAfter)
		}
		_ = IsTransient(e)
		_ = IsInvalid(e)
	})
}

func FuzzDecodeInstance(f *testing.F) {
	f.Add([]byte(`{"id":"i1","name":"web","status":"active","created_at":"2020-09-29T14:57:14Z","upgrade_to":[{"id":"u","name":"php","type":"language","version":"8.3"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var inst Instance
		if err := decodeJSON(body, &inst); err != nil {
			return
		}
		// What decodes must encode again (status writes rely on it).
		if _, err := json.Marshal(inst); err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var v Vhost
		_ = decodeJSON(body, &v)
	})
}

func FuzzDecodeDispatch(f *testing.F) {
	f.Add([]byte(`{"id":"d","state":0,"task_status":{"dns:records":{"status":20}},"payload":{"dns:records":{"default":true}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var d Dispatch
		if err := decodeJSON(body, &d); err != nil {
			return
		}
		running := d.Running()
		fails := d.Failures()
		if d.State >= DispatchDone && running {
			t.Fatal("running with state >= 20")
		}
		if d.State == DispatchError && len(fails) == 0 {
			t.Fatal("state 30 without a failure")
		}
	})
}

func FuzzNextLink(f *testing.F) {
	f.Add(`<https://api.gandi.net/v5/simplehosting/instances?page=2>; rel="next", <https://api.gandi.net/v5/simplehosting/instances?page=9>; rel="last"`)
	req, _ := url.Parse("https://api.gandi.net/v5/simplehosting/instances")
	f.Fuzz(func(t *testing.T, header string) {
		if u, ok := nextLink([]string{header}, req); ok && !u.IsAbs() {
			t.Fatalf("relative next link %s", u)
		}
	})
}

func FuzzIDFromLocation(f *testing.F) {
	f.Add("https://api.gandi.net/v5/simplehosting/instances/0b9d9a57-3c61-4a0f-8d6e-0c7d8f1b2a33")
	f.Fuzz(func(t *testing.T, loc string) {
		id, err := IDFromLocation(loc, RouteInstances)
		if err == nil && (id == "" || id == "." || id == "..") {
			t.Fatalf("accepted ID %q from %q", id, loc)
		}
	})
}
