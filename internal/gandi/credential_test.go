package gandi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const testToken = "pat_s3cr3t-T0KEN-value"

func TestCredentialNeverPrintsToken(t *testing.T) {
	cred := Credential{Token: testToken}
	cfg := Config{Credential: cred}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	values := []any{cred, &cred, cfg, &cfg, c}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"}
	outs := make([]string, 0, len(values)*len(verbs)+2) // + JSON and slog
	for _, v := range values {
		for _, verb := range verbs {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
	}
	// SA1026 objects that a Config is not always JSON-encodable: a set
	// HTTPClient holds a func. Here it is nil and encodes as null, and a JSON
	// dump of a Config is exactly what must not leak the token.
	j, err := json.Marshal(cfg) //nolint:staticcheck // SA1026: HTTPClient is nil, see above
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(j))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "cred", cred, "cfg", cfg)
	outs = append(outs, buf.String())
	for _, o := range outs {
		if strings.Contains(o, testToken) || strings.Contains(o, fmt.Sprintf("%x", testToken)) {
			t.Fatalf("token leaked: %s", o)
		}
	}
	if got := cred.String(); got != "Bearer [REDACTED]" {
		t.Errorf("String() = %q", got)
	}
	if got := (Credential{Token: "k", APIKey: true}).header(); got != "Apikey k" {
		t.Errorf("api key header = %q", got)
	}
}

func TestSecretMarshalsValueButPrintsRedacted(t *testing.T) {
	req := UpdateInstanceRequest{Password: "hunter2-hash"}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"password":"hunter2-hash"}` {
		t.Errorf("json = %s", b)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, req); strings.Contains(s, "hunter2") {
			t.Errorf("%s printed the password: %s", verb, s)
		}
	}
}

func TestNewValidatesConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no token":     {},
		"newline":      {Credential: Credential{Token: "a\nb"}},
		"relative url": {Credential: Credential{Token: "t"}, BaseURL: "/v5"},
		"ftp":          {Credential: Credential{Token: "t"}, BaseURL: "ftp://x"},
		"userinfo":     {Credential: Credential{Token: "t"}, BaseURL: "https://u:hunter2@x"},
		"ftp userinfo": {Credential: Credential{Token: "t"}, BaseURL: "ftp://u:hunter2@x"},
		"query":        {Credential: Credential{Token: "t"}, BaseURL: "https://u:hunter2@x/?a=1"},
	} {
		_, err := New(cfg)
		if err == nil {
			t.Errorf("%s: New accepted %v", name, cfg)
			continue
		}
		// The error reaches conditions and logs.
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error quotes the URL's password: %v", name, err)
		}
	}
	c, err := New(Config{Credential: Credential{Token: "t"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != DefaultBaseURL || !strings.HasPrefix(c.userAgent, "gandi-operator/") {
		t.Errorf("defaults: base %q ua %q", c.BaseURL(), c.userAgent)
	}
	if c.pacer.limiter == nil || c.pacer.limiter.Limit() != 10 {
		t.Errorf("default limiter = %v, want 10/s", c.pacer.limiter)
	}
}
