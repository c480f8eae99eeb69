//go:build e2e

// Package e2e runs the built manager binary, under the ServiceAccount and
// RBAC shipped in config/rbac, against a real kube-apiserver and etcd and
// the gandisim binary, and drives it with the built kubectl, as a user would.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

const (
	operatorNS = "gandi-operator-system"
	appNS      = "shop"
	token      = "pat_e2e-token-8f2d1c"
	orgID      = "5b0c3ee2-7c1e-11ee-b962-00163e816020"
)

// env is the running system under test.
type env struct {
	t          *testing.T
	root       string // repository root
	dir        string // scratch directory
	assets     string // control-plane binaries (KUBEBUILDER_ASSETS)
	adminKube  string // admin kubeconfig
	simURL     string
	metricsURL string
	manager    *exec.Cmd
	managerBin string
	managerKC  string // kubeconfig of the operator's ServiceAccount
}

func TestEndToEnd(t *testing.T) {
	g := NewWithT(t)
	e := start(t)

	// What `kubectl apply -f dist/install.yaml` installs, but for the
	// Deployment: no kubelet runs here, so the built binary takes its place,
	// with the Deployment's ServiceAccount and so exactly the shipped RBAC.
	e.kubectlStdin(withoutDeployments(e.kubectl("kustomize", filepath.Join(e.root, "config", "default"))), "apply", "-f", "-")
	e.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
	e.managerKC = e.serviceAccountKubeconfig()
	e.startManager()

	e.kubectl("create", "namespace", appNS)
	e.kubectl("-n", appNS, "create", "secret", "generic", "gandi-credentials", "--from-literal=token="+token)
	e.kubectl("-n", appNS, "create", "secret", "generic", "shop-password", "--from-literal=password=e2e-password-1")
	e.kubectl("-n", appNS, "apply", "-k", filepath.Join(e.root, "config", "samples"))

	t.Run("every sample becomes Ready", func(t *testing.T) {
		for _, obj := range []string{"hostinginstance/shop", "vhost/shop-www", "template/shop-domain", "templateapplication/shop-domain"} {
			e.kubectl("-n", appNS, "wait", "--for=condition=Ready", obj, "--timeout=120s")
		}
		state := e.simState()
		g.Expect(state.Instances).To(ContainElement(HaveField("Name", "shop")))
		g.Expect(state.Templates).To(ContainElement(HaveField("Name", "shop-domain")))
		g.Expect(state.Domains).To(ContainElement(And(HaveField("FQDN", "shop.example.com"), HaveField("Mailboxes", ContainElements("contact", "orders")))))
		g.Expect(e.kubectl("get", "gandi", "-A")).To(ContainSubstring("shop-www"))
	})

	t.Run("the connection Secret is written, marked, and kept under the shipped RBAC", func(t *testing.T) {
		e.kubectl("-n", appNS, "wait", "--for=condition=Synced", "hostinginstance/shop", "--timeout=60s")
		uid := e.kubectl("-n", appNS, "get", "hostinginstance", "shop", "-o", "jsonpath={.metadata.uid}")
		label := func() string {
			return e.kubectl("-n", appNS, "get", "secret", "shop-connection", "-o", `jsonpath={.metadata.labels.hosting\.gandi-operator\.dev/connection-secret-of}`)
		}
		g.Eventually(label).WithTimeout(60 * time.Second).WithPolling(200 * time.Millisecond).Should(Equal(uid))
		// An edit is put back: the manager patches its own Secret (the role
		// grants patch, not update).
		adminURL := func() string {
			return e.kubectl("-n", appNS, "get", "secret", "shop-connection", "-o", "jsonpath={.data.admin_url}")
		}
		want := adminURL()
		e.kubectl("-n", appNS, "patch", "secret", "shop-connection", "--type=merge", "-p", `{"stringData":{"admin_url":"https://tampered.example/"}}`)
		g.Eventually(adminURL).WithTimeout(60 * time.Second).WithPolling(200 * time.Millisecond).Should(Equal(want))
	})

	t.Run("an edit reaches Gandi", func(t *testing.T) {
		e.kubectl("-n", appNS, "patch", "hostinginstance", "shop", "--type=merge", "-p", `{"spec":{"snapshotEnabled":false}}`)
		g.Eventually(func() bool {
			for _, in := range e.simState().Instances {
				if in.Name == "shop" {
					return !in.SnapshotEnabled
				}
			}
			return false
		}).WithTimeout(60 * time.Second).WithPolling(200 * time.Millisecond).Should(BeTrue())
	})

	t.Run("a manager killed mid-create buys no duplicate", func(t *testing.T) {
		before := e.simCounters().PaidCreates
		// Slow the paid create down so the kill lands while it is in flight.
		e.simFault(map[string]any{"route": "POST /v5/simplehosting/instances", "kind": "latency", "latency_ms": 3000})
		e.kubectlStdin(secondInstance, "-n", appNS, "apply", "-f", "-")
		g.Eventually(func() string {
			return e.kubectl("-n", appNS, "get", "hostinginstance", "second", "-o", `jsonpath={.metadata.annotations.hosting\.gandi-operator\.dev/create-pending}`)
		}).WithTimeout(60 * time.Second).WithPolling(100 * time.Millisecond).ShouldNot(BeEmpty())
		g.Expect(e.manager.Process.Signal(syscall.SIGKILL)).To(Succeed())
		_ = e.manager.Wait()
		e.simClearFaults()
		e.startManager()
		e.kubectl("-n", appNS, "wait", "--for=condition=Ready", "hostinginstance/second", "--timeout=120s")
		g.Expect(e.simCounters().PaidCreates).To(Equal(before + 1))
	})

	t.Run("metrics are served", func(t *testing.T) {
		body := e.get(e.metricsURL)
		g.Expect(body).To(ContainSubstring("gandi_api_requests_total"))
		g.Expect(body).To(ContainSubstring("controller_runtime_reconcile_total"))
		g.Expect(body).To(ContainSubstring(`gandi_operator_objects{condition="Ready",kind="HostingInstance",status="True"}`))
		g.Expect(body).NotTo(ContainSubstring(token))
	})

	t.Run("deleting everything empties Gandi but for the Orphan template", func(t *testing.T) {
		e.kubectl("-n", appNS, "delete", "hostinginstance/second", "--wait=true", "--timeout=120s")
		e.kubectl("-n", appNS, "delete", "-k", filepath.Join(e.root, "config", "samples"), "--wait=true", "--timeout=120s")
		state := e.simState()
		g.Expect(state.Instances).To(BeEmpty())
		g.Expect(state.Templates).To(ConsistOf(HaveField("Name", "shop-domain")), "the sample Template is deletionPolicy: Orphan")
	})
}

func withoutDeployments(stream string) string {
	var keep []string
	for _, doc := range strings.Split(stream, "\n---\n") {
		if !strings.Contains("\n"+doc, "\nkind: Deployment\n") {
			keep = append(keep, doc)
		}
	}
	return strings.Join(keep, "\n---\n")
}

const secondInstance = `
apiVersion: hosting.gandi-operator.dev/v1alpha1
kind: HostingInstance
metadata:
  name: second
spec:
  credentialsRef: {name: gandi-credentials}
  location: LU
  size: advanced
  type:
    language: {name: python}
    database: {name: pgsql}
`

// start builds the binaries and starts the control plane and the simulator.
func start(t *testing.T) *env {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run `make test`")
	}
	e := &env{t: t, root: root, dir: t.TempDir(), assets: assets}
	e.build()

	cp := &envtest.Environment{}
	cfg, err := cp.Start()
	if err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	admin, err := cp.AddUser(envtest.User{Name: "e2e-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := admin.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	e.adminKube = filepath.Join(e.dir, "admin.kubeconfig")
	if err := os.WriteFile(e.adminKube, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	_ = cfg
	e.startSimulator()
	return e
}

// build compiles the manager and the simulator as `make build` does.
func (e *env) build() {
	e.managerBin = filepath.Join(e.dir, "manager")
	for bin, pkg := range map[string]string{e.managerBin: "./cmd", filepath.Join(e.dir, "gandisim"): "./cmd/gandisim"} {
		cmd := exec.CommandContext(e.t.Context(), "go", "build", "-trimpath", "-o", bin, pkg)
		cmd.Dir = e.root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			e.t.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
	}
}

func freeAddr(t *testing.T) string {
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

func (e *env) startSimulator() {
	seed := filepath.Join(e.dir, "seed.yaml")
	data := fmt.Sprintf(`accounts:
- token: %s
  user: e2e
  orgs: [{id: %s, name: e2e-org, can_bill: true}]
domains:
- {org: %s, fqdn: shop.example.com}
`, token, orgID, orgID)
	if err := os.WriteFile(seed, []byte(data), 0o600); err != nil {
		e.t.Fatal(err)
	}
	addr := freeAddr(e.t)
	e.simURL = "http://" + addr
	e.run(filepath.Join(e.dir, "gandisim"), "gandisim", "-listen", addr, "-seed", seed, "-fast")
	e.waitHTTP(e.simURL + "/_sim/counters")
}

func (e *env) startManager() {
	metrics, probes := freeAddr(e.t), freeAddr(e.t)
	e.metricsURL = "http://" + metrics + "/metrics"
	e.manager = e.run(e.managerBin, "manager",
		"--kubeconfig", e.managerKC,
		"--gandi-api-url", e.simURL,
		"--operator-namespace", operatorNS,
		"--metrics-bind-address", metrics,
		"--health-probe-bind-address", probes,
		"--poll-interval", "2s",
		"--transitional-interval", "200ms",
		"--create-grace", "5s",
		"--zap-encoder", "json",
	)
	e.waitHTTP("http://" + probes + "/readyz")
}

// run starts a binary in the background, logging to a file in the scratch
// directory, and stops it at the end of the test.
func (e *env) run(bin, name string, args ...string) *exec.Cmd {
	logf, err := os.Create(filepath.Join(e.dir, name+".log"))
	if err != nil {
		e.t.Fatal(err)
	}
	// Not the test's context: the processes are stopped with SIGTERM in the
	// cleanup below, so they can shut down as they would in production.
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start %s: %v", name, err)
	}
	e.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		_ = logf.Close()
		if e.t.Failed() {
			out, _ := os.ReadFile(logf.Name())
			e.t.Logf("--- %s log (last 4 KiB) ---\n%s", name, tail(out, 4096))
		}
	})
	return cmd
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func (e *env) waitHTTP(url string) {
	NewWithT(e.t).Eventually(func() error {
		resp, err := http.Get(url) //nolint:noctx // a test probe
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", url, resp.Status)
		}
		return nil
	}).WithTimeout(60 * time.Second).WithPolling(100 * time.Millisecond).Should(Succeed())
}

// kubectl runs the built kubectl as the cluster admin.
func (e *env) kubectl(args ...string) string {
	return e.kubectlStdin("", args...)
}

func (e *env) kubectlStdin(stdin string, args ...string) string {
	e.t.Helper()
	cmd := exec.CommandContext(e.t.Context(), filepath.Join(e.assets, "kubectl"), append([]string{"--kubeconfig", e.adminKube}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// serviceAccountKubeconfig writes a kubeconfig that authenticates as the
// operator's ServiceAccount, so the manager has exactly the shipped RBAC.
func (e *env) serviceAccountKubeconfig() string {
	sa := strings.TrimSpace(e.kubectl("-n", operatorNS, "get", "serviceaccounts", "-o", "jsonpath={.items[0].metadata.name}"))
	tok := strings.TrimSpace(e.kubectl("-n", operatorNS, "create", "token", sa, "--duration=2h"))
	path := filepath.Join(e.dir, "manager.kubeconfig")
	raw := e.kubectl("config", "view", "--raw", "--minify", "--flatten", "-o", "json")
	var kc map[string]any
	if err := json.Unmarshal([]byte(raw), &kc); err != nil {
		e.t.Fatal(err)
	}
	users := kc["users"].([]any)
	users[0].(map[string]any)["user"] = map[string]any{"token": tok}
	data, err := json.Marshal(kc)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

func (e *env) get(url string) string {
	resp, err := http.Get(url) //nolint:noctx // a test probe
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

type simState struct {
	Instances []struct {
		Name            string `json:"name"`
		SnapshotEnabled bool   `json:"snapshot_enabled"`
	} `json:"instances"`
	Templates []struct {
		Name string `json:"name"`
	} `json:"templates"`
	Domains []struct {
		FQDN      string   `json:"fqdn"`
		Mailboxes []string `json:"mailboxes"`
	} `json:"domains"`
}

func (e *env) simState() simState {
	var s simState
	if err := json.Unmarshal([]byte(e.get(e.simURL+"/_sim/state")), &s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

type simCounters struct {
	PaidCreates int `json:"paid_creates"`
}

func (e *env) simCounters() simCounters {
	var c simCounters
	if err := json.Unmarshal([]byte(e.get(e.simURL+"/_sim/counters")), &c); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) simFault(f map[string]any) {
	data, _ := json.Marshal(f)
	resp, err := http.Post(e.simURL+"/_sim/faults", "application/json", strings.NewReader(string(data))) //nolint:noctx // a test control call
	if err != nil {
		e.t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		e.t.Fatalf("set simulator fault: %s", resp.Status)
	}
}

func (e *env) simClearFaults() {
	req, _ := http.NewRequest(http.MethodDelete, e.simURL+"/_sim/faults", nil) //nolint:noctx // a test control call
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	_ = resp.Body.Close()
}
