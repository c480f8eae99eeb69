package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/log/zap"
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

// TestParseFlagsValues: a value the manager cannot work with is refused at
// start, naming the flag and the value, instead of being changed or
// ignored later: a zero requeue is no requeue (a bought instance stayed
// Creating with --transitional-interval=0), controller-runtime turns 0
// workers into 1, an invalid namespace is watched as nothing and an
// invalid Secret or Lease name fails on every read. The boundaries that do
// work are accepted.
func TestParseFlagsValues(t *testing.T) {
	t.Setenv("POD_NAMESPACE", "")
	saved := serviceAccountNamespaceFile
	t.Cleanup(func() { serviceAccountNamespaceFile = saved })
	outside := filepath.Join(t.TempDir(), "no-service-account")
	inside := filepath.Join(t.TempDir(), "namespace")
	if err := os.WriteFile(inside, []byte("ops"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		// wantErr holds what the error must name; empty: accepted.
		wantErr []string
		// inCluster: the service account's namespace file exists, which
		// controller-runtime reads when no Lease namespace is given.
		inCluster bool
	}{
		{name: "defaults", args: nil},
		{name: "zero poll interval", args: []string{"--poll-interval=0"}, wantErr: []string{"--poll-interval", "0s"}},
		{name: "negative poll interval", args: []string{"--poll-interval=-1m"}, wantErr: []string{"--poll-interval", "-1m0s"}},
		{name: "zero transitional interval", args: []string{"--transitional-interval=0"}, wantErr: []string{"--transitional-interval", "0s"}},
		{name: "negative transitional interval", args: []string{"--transitional-interval=-5s"}, wantErr: []string{"--transitional-interval", "-5s"}},
		{name: "zero usage interval", args: []string{"--usage-interval=0"}, wantErr: []string{"--usage-interval", "0s"}},
		{name: "negative usage interval", args: []string{"--usage-interval=-1m"}, wantErr: []string{"--usage-interval", "-1m0s"}},
		// 0 is documented: a detail GET per object per poll.
		{name: "zero detail interval", args: []string{"--detail-interval=0"}},
		{name: "negative detail interval", args: []string{"--detail-interval=-1m"}, wantErr: []string{"--detail-interval", "-1m0s"}},
		// No time to look for a create whose answer was lost would buy again at once.
		{name: "zero create grace", args: []string{"--create-grace=0"}, wantErr: []string{"--create-grace", "0s"}},
		{name: "negative create grace", args: []string{"--create-grace=-1m"}, wantErr: []string{"--create-grace", "-1m0s"}},
		{name: "one worker", args: []string{"--max-concurrent-reconciles=1"}},
		{name: "zero workers", args: []string{"--max-concurrent-reconciles=0"}, wantErr: []string{"--max-concurrent-reconciles", "0"}},
		{name: "negative workers", args: []string{"--max-concurrent-reconciles=-3"}, wantErr: []string{"--max-concurrent-reconciles", "-3"}},
		{name: "watched namespaces with spaces", args: []string{"--watch-namespaces=shop, blog,"}},
		{name: "invalid watched namespace", args: []string{"--watch-namespaces=Bad_NS"}, wantErr: []string{"--watch-namespaces", `"Bad_NS"`}},
		{name: "one invalid watched namespace of two", args: []string{"--watch-namespaces=shop,Prod"}, wantErr: []string{"--watch-namespaces", `"Prod"`}},
		{name: "invalid default Secret name", args: []string{"--allow-default-credentials", "--operator-namespace=ops", "--default-credentials-secret=Bad/Name"},
			wantErr: []string{"--default-credentials-secret", `"Bad/Name"`}},
		{name: "invalid operator namespace", args: []string{"--leader-elect", "--operator-namespace=Bad_NS"}, wantErr: []string{"--operator-namespace", `"Bad_NS"`}},
		{name: "leader election with a namespace", args: []string{"--leader-elect", "--operator-namespace=ops"}},
		{name: "leader election in a cluster", args: []string{"--leader-elect"}, inCluster: true},
		// controller-runtime's own error names a Go field, not the flag to pass.
		{name: "leader election outside a cluster without a namespace", args: []string{"--leader-elect"}, wantErr: []string{"--leader-elect", "--operator-namespace"}},
		{name: "default credentials without a namespace", args: []string{"--allow-default-credentials"}, wantErr: []string{"--allow-default-credentials", "--operator-namespace"}},
		{name: "every bad value at once", args: []string{"--poll-interval=0", "--max-concurrent-reconciles=0"}, wantErr: []string{"--poll-interval", "--max-concurrent-reconciles"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serviceAccountNamespaceFile = outside
			if tc.inCluster {
				serviceAccountNamespaceFile = inside
			}
			_, _, err := parseFlags(tc.args)
			switch {
			case len(tc.wantErr) == 0 && err != nil:
				t.Fatalf("parseFlags(%q): %v; want it accepted", tc.args, err)
			case len(tc.wantErr) > 0 && err == nil:
				t.Fatalf("parseFlags(%q) accepted; want an error naming %q", tc.args, tc.wantErr)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("parseFlags(%q): %q does not name %s", tc.args, err, want)
				}
			}
		})
	}
}

// TestReadmeFlags: the README's "Manager flags" table names every flag the
// manager has (zap's own, documented by controller-runtime, except) and no
// other, so what it says is allowed is said of every flag.
func TestReadmeFlags(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n### Manager flags\n")
	if !ok {
		t.Fatal("README.md has no Manager flags section")
	}
	section, _, _ = strings.Cut(section, "\n#")
	documented := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		first, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " |")
		for _, m := range regexp.MustCompile("`--([a-z-]+)`").FindAllStringSubmatch(first, -1) {
			documented[m[1]] = true
		}
	}
	var c config
	fs := newFlagSet(&c, &zap.Options{})
	fs.VisitAll(func(f *flag.Flag) {
		if !documented[f.Name] && !strings.HasPrefix(f.Name, "zap-") {
			t.Errorf("--%s is not in the README's Manager flags table", f.Name)
		}
		delete(documented, f.Name)
	})
	for name := range documented {
		t.Errorf("the README's Manager flags table names --%s, which the manager does not have", name)
	}
}
