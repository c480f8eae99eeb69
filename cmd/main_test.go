package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseFlagsBudgets(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr bool
		perTok  int
		perIP   int
	}{
		{"defaults", nil, false, 300, 900},
		// A contract with Gandi may raise the limit: accepted, warned about in run.
		{"above the documented limit", []string{"--gandi-requests-per-minute=5000", "--gandi-ip-requests-per-minute=6000"}, false, 5000, 6000},
		{"no shared budget", []string{"--gandi-ip-requests-per-minute=0"}, false, 300, 0},
		{"zero per token", []string{"--gandi-requests-per-minute=0"}, true, 0, 0},
		{"negative per IP", []string{"--gandi-ip-requests-per-minute=-1"}, true, 0, 0},
		// Refused at start, not on each object's pass, and credentials
		// come from Secrets, never from a flag.
		{"xmlrpc url with user info", []string{"--gandi-xmlrpc-url=https://u:p@rpc.example/xmlrpc/"}, true, 0, 0},
		{"relative api url", []string{"--gandi-api-url=/v5"}, true, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := parseFlags(tc.args)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseFlags(%v) error = %v, want error %v", tc.args, err, tc.wantErr)
			}
			if err == nil && (c.requestsPerMinute != tc.perTok || c.ipPerMinute != tc.perIP) {
				t.Fatalf("per token %d, per IP %d; want %d, %d", c.requestsPerMinute, c.ipPerMinute, tc.perTok, tc.perIP)
			}
		})
	}
	if ipBudget(0) >= 0 || ipBudget(900) != 900 {
		t.Fatal("ipBudget must map 0 to off")
	}
}

// TestRestConfigSameLimits: --kubeconfig and $KUBECONFIG give the API
// server client the same client-side limits (in-cluster goes through the
// same withClientLimits).
func TestRestConfigSameLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	kubeconfig := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: u, user: {token: not-a-real-token}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`
	if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	byFlag, err := restConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
	byEnv, err := restConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if byFlag.QPS != clientQPS || byFlag.Burst != clientBurst || byEnv.QPS != byFlag.QPS || byEnv.Burst != byFlag.Burst {
		t.Fatalf("--kubeconfig: QPS %v burst %d; $KUBECONFIG: QPS %v burst %d; want %v, %d for both",
			byFlag.QPS, byFlag.Burst, byEnv.QPS, byEnv.Burst, float32(clientQPS), clientBurst)
	}
}

// TestLoggerVerbosityLimited: whatever --zap-log-level asks, the manager
// writes nothing above controller.MaxLogVerbosity, where client-go logs
// the API server's answers (Secret data included), and says so at start.
func TestLoggerVerbosityLimited(t *testing.T) {
	for _, tc := range []struct {
		level       string
		wantLimited bool
		wantLines   []string
	}{
		{"info", false, []string{"info"}},
		{"debug", false, []string{"info", "v1"}},
		{"7", false, []string{"info", "v1", "v7"}},
		{"10", true, []string{"info", "v1", "v7"}},
	} {
		t.Run(tc.level, func(t *testing.T) {
			_, zopts, err := parseFlags([]string{"--zap-log-level=" + tc.level})
			if err != nil {
				t.Fatal(err)
			}
			if got := verbosityLimited(zopts); got != tc.wantLimited {
				t.Errorf("verbosityLimited = %v, want %v", got, tc.wantLimited)
			}
			var buf bytes.Buffer
			zopts.DestWriter = &buf
			l := newLogger(zopts)
			l.Info("info")
			l.V(1).Info("v1")
			l.V(7).Info("v7")
			l.V(8).Info("v8")
			l.WithName("client-go").WithValues("k", "v").V(10).Info("v10")
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			got := make([]string, 0, len(lines))
			for _, line := range lines {
				var entry struct {
					Msg string `json:"msg"`
				}
				if err := json.Unmarshal([]byte(line), &entry); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				got = append(got, entry.Msg)
			}
			if !slices.Equal(got, tc.wantLines) {
				t.Errorf("written %q, want %q", got, tc.wantLines)
			}
		})
	}
}
