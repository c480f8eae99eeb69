package main

import (
	"os"
	"path/filepath"
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
