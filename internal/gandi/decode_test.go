package gandi

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDecodeAPIError(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   APIError
	}{
		{
			name:   "gandi body",
			status: 403,
			body:   `{"code":403,"message":"Access was denied to this resource.","object":"HTTPForbidden","cause":"Forbidden"}`,
			want:   APIError{StatusCode: 403, Code: 403, Message: "Access was denied to this resource.", Object: "HTTPForbidden", Cause: "Forbidden"},
		},
		{
			name:   "validation body",
			status: 400,
			body:   `{"status":"error","errors":[{"location":"body","name":"size","description":"Not a valid choice."}]}`,
			want: APIError{StatusCode: 400, Message: "Bad Request",
				Errors: []FieldError{{Location: "body", Name: "size", Description: "Not a valid choice."}}},
		},
		{
			name:   "both shapes, string code, bare string error",
			status: 422,
			body:   `{"code":"422","message":"bad","errors":["oops",{"name":"fqdn","description":"exists"}]}`,
			want: APIError{StatusCode: 422, Code: 422, Message: "bad",
				Errors: []FieldError{{Description: "oops"}, {Name: "fqdn", Description: "exists"}}},
		},
		{
			name:   "html from a proxy",
			status: 502,
			body:   "<html><body>Bad Gateway</body></html>",
			want:   APIError{StatusCode: 502, Message: "Bad Gateway"},
		},
		{
			name:   "plain text with control chars",
			status: 503,
			header: http.Header{"Retry-After": {"7"}},
			body:   "upstream\x00 down\r\n",
			want:   APIError{StatusCode: 503, Message: "upstream down", RetryAfter: 7 * time.Second},
		},
		{
			name:   "empty",
			status: 404,
			want:   APIError{StatusCode: 404, Message: "Not Found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			got := DecodeAPIError(tt.status, h, []byte(tt.body), nil)
			if got.Error() != tt.want.Error() {
				t.Errorf("got  %s\nwant %s", got, &tt.want)
			}
			if got.Code != tt.want.Code || got.Object != tt.want.Object || got.RetryAfter != tt.want.RetryAfter {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeAPIErrorRedacts(t *testing.T) {
	body := `{"message":"token pat_x1 is bad","cause":"pat_x1","errors":[{"name":"password","description":"pw123 too weak"}]}`
	redact := strings.NewReplacer("pat_x1", redacted, "pw123", redacted).Replace
	got := DecodeAPIError(400, http.Header{}, []byte(body), redact).Error()
	if strings.Contains(got, "pat_x1") || strings.Contains(got, "pw123") {
		t.Fatalf("secret in %q", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		" 1.5 ":                         1500 * time.Millisecond,
		"-4":                            0,
		"NaN":                           0,
		"99999999":                      maxRetryAfter,
		"soon":                          0,
		"Wed, 01 Jan 2025 00:00:30 GMT": 30 * time.Second,
		"Tue, 31 Dec 2024 23:00:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestTimeIsLenient(t *testing.T) {
	for in, want := range map[string]string{
		`"2020-09-29T14:57:14Z"`:        "2020-09-29T14:57:14Z",
		`"2020-09-29T14:57:14.5+02:00"`: "2020-09-29T12:57:14.5Z",
		`"2020-09-29T14:57:14"`:         "2020-09-29T14:57:14Z",
		`"2020-09-29T14:57:14+0000"`:    "2020-09-29T14:57:14Z",
		`null`:                          "",
		`""`:                            "",
		`"yesterday"`:                   "",
		`12`:                            "",
	} {
		var tm Time
		if err := tm.UnmarshalJSON([]byte(in)); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got := ""
		if !tm.IsZero() {
			got = tm.UTC().Format(time.RFC3339Nano)
		}
		if got != want {
			t.Errorf("%s -> %q, want %q", in, got, want)
		}
	}
}

func TestCleanBoundsMessages(t *testing.T) {
	long := strings.Repeat("é", 600)
	got := clean(long)
	if len(got) > maxMessageLen+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("len %d", len(got))
	}
	if got := clean("a\xffb"); got != "a\uFFFDb" {
		t.Errorf("invalid utf8 -> %q", got)
	}
}
