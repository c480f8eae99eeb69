package gandi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// scripted answers requests with the next status in its script, then 200.
type scripted struct {
	mu      sync.Mutex
	script  []int
	headers []http.Header
	seen    []*http.Request
	bodies  []string
	answer  string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b, _ := io.ReadAll(r.Body)
	s.seen = append(s.seen, r)
	s.bodies = append(s.bodies, string(b))
	status := http.StatusOK
	if len(s.script) > 0 {
		status, s.script = s.script[0], s.script[1:]
		if len(s.headers) > 0 {
			for k, v := range s.headers[0] {
				w.Header()[k] = v
			}
			s.headers = s.headers[1:]
		}
	}
	answer := s.answer
	s.mu.Unlock()
	if status == -1 { // drop the connection without an answer
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		_ = conn.Close()
		return
	}
	w.WriteHeader(status)
	if status >= 400 {
		_, _ = io.WriteString(w, `{"code":`+strconv.Itoa(status)+`,"message":"scripted failure"}`)
		return
	}
	_, _ = io.WriteString(w, answer)
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

func newScripted(t *testing.T, answer string, script ...int) (*scripted, *Client) {
	t.Helper()
	s := &scripted{script: script, answer: answer}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, testClient(t, srv.URL)
}

func TestRequestHeaders(t *testing.T) {
	s, c := newScripted(t, `{"status":"success"}`)
	c.userAgent = "gandi-operator/test"
	if err := c.DryRunCreateInstance(context.Background(), CreateInstanceRequest{Location: "FR"}, CreateOptions{SharingID: "org1"}); err != nil {
		t.Fatal(err)
	}
	r := s.seen[0]
	for h, want := range map[string]string{
		"Authorization": "Bearer " + testToken,
		"User-Agent":    "gandi-operator/test",
		"Accept":        "application/json",
		"Content-Type":  "application/json",
		"Dry-Run":       "1",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if r.URL.Query().Get("sharing_id") != "org1" || s.bodies[0] != `{"location":"FR"}` {
		t.Errorf("query %q body %s", r.URL.RawQuery, s.bodies[0])
	}

	// Without Dry-Run, the header is absent; an API key uses its scheme.
	c2, _ := New(Config{BaseURL: c.BaseURL(), Credential: Credential{Token: "k", APIKey: true}, ClientOptions: ClientOptions{RequestsPerMinute: -1}})
	if _, err := c2.GetInstance(context.Background(), "i1"); err != nil {
		t.Fatal(err)
	}
	if r := s.seen[1]; r.Header.Get("Authorization") != "Apikey k" || r.Header.Get("Dry-Run") != "" || r.URL.Path != "/v5/simplehosting/instances/i1" {
		t.Errorf("second request: %v %s", r.Header, r.URL)
	}
}

func TestIdempotentRequestsAreRetried(t *testing.T) {
	s, c := newScripted(t, `{"id":"i1","name":"web"}`, 503, 502, -1)
	inst, err := c.GetInstance(context.Background(), "i1")
	if err != nil || inst.Name != "web" {
		t.Fatalf("%v %v", inst, err)
	}
	if s.count() != 4 {
		t.Errorf("%d requests, want 4", s.count())
	}
	s, c = newScripted(t, ``, 500, 204)
	if err := c.DeleteInstance(context.Background(), "i1"); err != nil || s.count() != 2 {
		t.Errorf("delete: %v after %d", err, s.count())
	}
	s, c = newScripted(t, `{}`, 503, 202)
	if err := c.UpdateInstance(context.Background(), "i1", UpdateInstanceRequest{Name: "x"}); err != nil || s.count() != 2 {
		t.Errorf("patch: %v after %d", err, s.count())
	}
	if s.bodies[0] != s.bodies[1] || s.bodies[1] != `{"name":"x"}` {
		t.Errorf("retried body differs: %q", s.bodies)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	s, c := newScripted(t, `{}`, 503, 503, 503, 503, 503, 503)
	_, err := c.GetInstance(context.Background(), "i1")
	if !IsTransient(err) || statusOf(err) != 503 || s.count() != DefaultMaxRetries+1 {
		t.Errorf("err %v after %d requests", err, s.count())
	}
	s, c = newScripted(t, `{}`, 404)
	if _, err := c.GetInstance(context.Background(), "i1"); !IsNotFound(err) || s.count() != 1 {
		t.Errorf("404 retried: %v after %d", err, s.count())
	}
}

func TestPostIsNeverRetried(t *testing.T) {
	for _, status := range []int{503, 429, -1} {
		s, c := newScripted(t, ``, status, 202)
		_, err := c.CreateInstance(context.Background(), CreateInstanceRequest{Name: "web"}, CreateOptions{})
		if err == nil || !IsTransient(err) || s.count() != 1 {
			t.Errorf("status %d: err %v after %d requests", status, err, s.count())
		}
	}
}

// A PATCH or DELETE made WithoutResend is sent once, like a POST: a paid
// resize or a cache purge whose answer is lost is not repeated. The same
// request without it is retried.
func TestWithoutResendIsNeverRetried(t *testing.T) {
	once := WithoutResend(context.Background())
	for _, status := range []int{503, 429, -1} {
		s, c := newScripted(t, `{}`, status, 202)
		err := c.UpdateInstance(once, "i1", UpdateInstanceRequest{Size: "m"})
		if err == nil || !IsTransient(err) || s.count() != 1 {
			t.Errorf("PATCH, status %d: err %v after %d requests", status, err, s.count())
		}
		s, c = newScripted(t, ``, status, 204)
		err = c.PurgeVhostCache(context.Background(), "i1", "a.example")
		if err == nil || !IsTransient(err) || s.count() != 1 {
			t.Errorf("cache purge, status %d: err %v after %d requests", status, err, s.count())
		}
		s, c = newScripted(t, `{}`, status, 202)
		if err := c.UpdateInstance(context.Background(), "i1", UpdateInstanceRequest{Size: "m"}); err != nil || s.count() != 2 {
			t.Errorf("PATCH without WithoutResend, status %d: err %v after %d requests", status, err, s.count())
		}
	}
}

func TestCreateReadsContentLocation(t *testing.T) {
	s := &scripted{script: []int{202}, headers: []http.Header{{"Content-Location": {"https://api.gandi.net/v5/simplehosting/instances/abc-1"}}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	id, err := testClient(t, srv.URL).CreateInstance(context.Background(), CreateInstanceRequest{}, CreateOptions{})
	if err != nil || id != "abc-1" {
		t.Errorf("id %q err %v", id, err)
	}
	s.script, s.headers = []int{202}, []http.Header{{}}
	if _, err := testClient(t, srv.URL).CreateInstance(context.Background(), CreateInstanceRequest{}, CreateOptions{}); !errors.Is(err, ErrNoID) {
		t.Errorf("no header: %v", err)
	}
}

func TestDryRunAnswers(t *testing.T) {
	_, c := newScripted(t, `{"status":"error","errors":[{"location":"body","name":"size","description":"bad size"}]}`)
	err := c.DryRunCreateInstance(context.Background(), CreateInstanceRequest{}, CreateOptions{})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) != 1 || ve.Errors[0].Name != "size" || !IsInvalid(err) {
		t.Errorf("refusal: %v", err)
	}
	_, c = newScripted(t, `{}`)
	if err := c.DryRunCreateInstance(context.Background(), CreateInstanceRequest{}, CreateOptions{}); err == nil {
		t.Error("a dry-run without status was taken for success")
	}
	_, c = newScripted(t, `{"message":"created"}`, 202)
	if err := c.DryRunCreateInstance(context.Background(), CreateInstanceRequest{}, CreateOptions{}); err == nil || !strings.Contains(err.Error(), "may have been created") {
		t.Errorf("ignored dry-run: %v", err)
	}
}

func TestActionNoContentIsAnError(t *testing.T) {
	_, c := newScripted(t, ``, 204)
	err := c.InstanceAction(context.Background(), "i1", ActionRestart)
	if !errors.Is(err, ErrActionNotPerformed) {
		t.Errorf("204: %v", err)
	}
	s, c := newScripted(t, `{"message":"ok"}`, 202)
	if err := c.InstanceAction(context.Background(), "i1", ActionConsole); err != nil || s.bodies[0] != `{"action":"console"}` {
		t.Errorf("202: %v %q", err, s.bodies)
	}
}

func TestEmptyUpdatesSendNothing(t *testing.T) {
	s, c := newScripted(t, `{}`)
	ctx := context.Background()
	_ = c.UpdateInstance(ctx, "i", UpdateInstanceRequest{})
	_ = c.UpdateVhost(ctx, "i", "a.example", UpdateVhostRequest{})
	_ = c.UpdateTemplate(ctx, "t", UpdateTemplateRequest{})
	if s.count() != 0 {
		t.Errorf("%d requests for empty updates", s.count())
	}
}

func TestRetryAfterPausesTheWholeClient(t *testing.T) {
	s := &scripted{script: []int{429}, headers: []http.Header{{"Retry-After": {"1"}}}, answer: `{"id":"x"}`}
	srv := httptest.NewServer(s)
	defer srv.Close()
	reg := prometheus.NewRegistry()
	c, _ := New(Config{BaseURL: srv.URL, Credential: Credential{Token: testToken}, ClientOptions: ClientOptions{RequestsPerMinute: -1, Metrics: NewMetrics(reg)}})

	start := time.Now()
	var wg sync.WaitGroup
	var secondAt atomic.Int64
	wg.Go(func() {
		if _, err := c.GetInstance(context.Background(), "a"); err != nil {
			t.Errorf("first: %v", err)
		}
	})
	// The second request starts once the 429 has been answered.
	for s.count() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	wg.Go(func() {
		if _, err := c.GetInstance(context.Background(), "b"); err != nil {
			t.Errorf("second: %v", err)
		}
		secondAt.Store(int64(time.Since(start)))
	})
	wg.Wait()
	if d := time.Duration(secondAt.Load()); d < 900*time.Millisecond {
		t.Errorf("second request went out after %s, before the Retry-After elapsed", d)
	}
	if n := testutil.CollectAndCount(reg, "gandi_api_rate_limit_wait_seconds"); n == 0 {
		t.Error("no rate-limit wait recorded")
	}

	// A caller that cannot wait that long gets a rate-limited error at once.
	c.pauseFor(time.Hour)
	_, err := c.GetInstance(context.Background(), "c")
	if !IsRateLimited(err) || RetryAfter(err) < 59*time.Minute {
		t.Errorf("paused client: %v", err)
	}
}

func TestContextDeadlineStopsRetries(t *testing.T) {
	s := &scripted{script: []int{503, 503}, headers: []http.Header{{"Retry-After": {"30"}}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := testClient(t, srv.URL).GetInstance(ctx, "i")
	if statusOf(err) != 503 || RetryAfter(err) != 30*time.Second || time.Since(start) > 500*time.Millisecond {
		t.Errorf("err %v after %s", err, time.Since(start))
	}
}

func TestTokenBucketPaces(t *testing.T) {
	_, c := newScripted(t, `{}`)
	c2, _ := New(Config{BaseURL: c.BaseURL(), Credential: Credential{Token: "t"}, ClientOptions: ClientOptions{RequestsPerMinute: 600, Burst: 1}})
	start := time.Now()
	for range 3 {
		if _, err := c2.GetInstanceUsage(context.Background(), "i"); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 180*time.Millisecond {
		t.Errorf("3 requests at 10/s burst 1 took %s", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if _, err := c2.GetInstanceUsage(ctx, "i"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("limiter past deadline: %v", err)
	}
}

func TestMetricsUseRouteTemplates(t *testing.T) {
	_, c := newScripted(t, `{}`, 404)
	reg := prometheus.NewRegistry()
	c.metrics = NewMetrics(reg)
	if NewMetrics(reg) == nil { // registering twice must not panic
		t.Fatal("nil metrics")
	}
	_, _ = c.GetInstance(context.Background(), "secret-id-123")
	_, _ = c.GetInstance(context.Background(), "secret-id-123")
	want := `
# HELP gandi_api_requests_total HTTP requests sent to the Gandi API, by method, route template and status code ("error" when no answer came).
# TYPE gandi_api_requests_total counter
gandi_api_requests_total{code="200",method="GET",route="/v5/simplehosting/instances/{instance_id}"} 1
gandi_api_requests_total{code="404",method="GET",route="/v5/simplehosting/instances/{instance_id}"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "gandi_api_requests_total"); err != nil {
		t.Error(err)
	}
}

func TestRequestBodiesOmitUnsetFields(t *testing.T) {
	for name, tt := range map[string]struct {
		v    any
		want string
	}{
		"empty create": {CreateInstanceRequest{}, `{}`},
		"create": {CreateInstanceRequest{Location: "FR", Size: "starter",
			Type:            InstanceType{Database: DatabaseType{Name: "mysql"}, Language: LanguageType{Name: "php", Version: "8.2"}},
			SnapshotEnabled: Ptr(false), StorageAdditionalSize: Ptr(0)},
			`{"location":"FR","size":"starter","type":{"database":{"name":"mysql"},"language":{"name":"php","version":"8.2"}},"snapshot_enabled":false,"storage_additional_size":0}`},
		"patch false": {UpdateInstanceRequest{SnapshotEnabled: Ptr(false), Booster: Ptr(false)}, `{"booster":false,"snapshot_enabled":false}`},
		"vhost": {CreateVhostRequest{FQDN: "xn--bcher-kva.example", LinkedDNSZone: &LinkedDNSZoneRequest{}},
			`{"fqdn":"xn--bcher-kva.example","linked_dns_zone":{"allow_alteration":false}}`},
		"livedns": {TemplatePayload{Nameservers: &NameserversNS{Service: "livedns"}, DNSRecords: &DNSRecordsNS{Default: true}},
			`{"dns:records":{"default":true},"domain:nameservers":{"addresses":[],"service":"livedns"}}`},
		"records": {DNSRecordsNS{Records: []DNSRecord{{Name: "@", Type: "A", Values: []string{"203.0.113.1"}}}},
			`{"records":[{"name":"@","type":"A","values":["203.0.113.1"]}]}`},
		"template patch": {UpdateTemplateRequest{Description: Ptr("")}, `{"description":""}`},
		"apply":          {ApplyTemplateRequest{ObjectType: "domain", ObjectID: "d"}, `{"object_type":"domain","object_id":"d"}`},
	} {
		b, err := json.Marshal(tt.v)
		if err != nil || string(b) != tt.want {
			t.Errorf("%s:\n got  %s %v\n want %s", name, b, err, tt.want)
		}
	}
}
