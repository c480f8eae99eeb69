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
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/gandi-operator/gandi-operator/internal/testenv"
)

const (
	operatorNS = "gandi-operator-system"
	appNS      = "shop"
	token      = "pat_e2e-token-8f2d1c"
	orgID      = "5b0c3ee2-7c1e-11ee-b962-00163e816020"
	// apiKey is a legacy API key, the XML-RPC API's only credential.
	apiKey      = "e2e-legacy-apikey-41c7"
	legacyOrgID = "6e1f2a30-7c1e-11ee-b962-00163e816021"
)

// env is the running system under test. Its processes, scratch directory
// and logs belong to the test that started it (owner) and live until that
// test ends; every method that can fail takes the test (or subtest) it runs
// in, so a failure stops that one and nothing else.
type env struct {
	owner      testing.TB
	root       string // repository root
	dir        string // scratch directory
	assets     string // control-plane binaries (KUBEBUILDER_ASSETS)
	adminKube  string // admin kubeconfig
	simURL     string
	metricsURL string
	manager    *exec.Cmd
	managerBin string
	managerKC  string // kubeconfig of the operator's ServiceAccount
	logs       map[string]*os.File
}

func TestEndToEnd(t *testing.T) {
	e := start(t)
	e.install(t)
	// As the Deployment runs it: with leader election, under the shipped
	// RBAC, so a killed manager's successor takes the lease over.
	e.startManager(t, "--leader-elect")

	e.kubectl(t, "create", "namespace", appNS)
	e.kubectl(t, "-n", appNS, "create", "secret", "generic", "gandi-credentials", "--from-literal=token="+token)
	e.kubectl(t, "-n", appNS, "create", "secret", "generic", "shop-password", "--from-literal=password=e2e-password-1")
	e.kubectl(t, "-n", appNS, "create", "secret", "generic", "gandi-apikey", "--from-literal=apikey="+apiKey)
	e.kubectl(t, "-n", appNS, "create", "secret", "generic", "legacy-site-password", "--from-literal=password=e2e-password-2")
	e.kubectl(t, "-n", appNS, "apply", "-k", filepath.Join(e.root, "config", "samples"))

	// Every later phase works on the samples.
	if !t.Run("every sample becomes Ready", func(t *testing.T) {
		g := NewWithT(t)
		for _, obj := range []string{"hostinginstance/shop", "vhost/shop-www", "template/shop-domain", "templateapplication/shop-domain", "paasinstance/legacy-site"} {
			e.kubectl(t, "-n", appNS, "wait", "--for=condition=Ready", obj, "--timeout=120s")
		}
		state := e.simState(t)
		g.Expect(state.Instances).To(ContainElement(HaveField("Name", "shop")))
		g.Expect(state.Templates).To(ContainElement(HaveField("Name", "shop-domain")))
		g.Expect(state.Domains).To(ContainElement(And(HaveField("FQDN", "shop.example.com"), HaveField("Mailboxes", ContainElements("contact", "orders")))))
		g.Expect(state.PaasInstances).To(ContainElement(And(HaveField("Name", "legacy-site"), HaveField("Vhosts", ConsistOf("www.legacy.example.org")))))
		listed := e.kubectl(t, "get", "gandi", "-A")
		g.Expect(listed).To(ContainSubstring("shop-www"))
		g.Expect(listed).To(ContainSubstring("paasinstance.hosting.gandi-operator.dev/legacy-site"))
	}) {
		t.FailNow()
	}

	t.Run("the connection Secret is written, marked, and kept under the shipped RBAC", func(t *testing.T) {
		g := NewWithT(t)
		e.kubectl(t, "-n", appNS, "wait", "--for=condition=Synced", "hostinginstance/shop", "--timeout=60s")
		uid := e.kubectl(t, "-n", appNS, "get", "hostinginstance", "shop", "-o", "jsonpath={.metadata.uid}")
		label := func() string {
			return e.kubectl(t, "-n", appNS, "get", "secret", "shop-connection", "-o", `jsonpath={.metadata.labels.hosting\.gandi-operator\.dev/connection-secret-of}`)
		}
		g.Eventually(label).WithTimeout(60 * time.Second).WithPolling(200 * time.Millisecond).Should(Equal(uid))
		// An edit is put back: the manager patches its own Secret (the role
		// grants patch, not update).
		adminURL := func() string {
			return e.kubectl(t, "-n", appNS, "get", "secret", "shop-connection", "-o", "jsonpath={.data.admin_url}")
		}
		want := adminURL()
		e.kubectl(t, "-n", appNS, "patch", "secret", "shop-connection", "--type=merge", "-p", `{"stringData":{"admin_url":"https://tampered.example/"}}`)
		g.Eventually(adminURL).WithTimeout(60 * time.Second).WithPolling(200 * time.Millisecond).Should(Equal(want))
	})

	t.Run("an edit reaches Gandi", func(t *testing.T) {
		g := NewWithT(t)
		e.kubectl(t, "-n", appNS, "patch", "hostinginstance", "shop", "--type=merge", "-p", `{"spec":{"snapshotEnabled":false}}`)
		g.Eventually(func() bool {
			for _, in := range e.simState(t).Instances {
				if in.Name == "shop" {
					return !in.SnapshotEnabled
				}
			}
			return false
		}).WithTimeout(60 * time.Second).WithPolling(200 * time.Millisecond).Should(BeTrue())
	})

	// The later phases need the manager running again and the second
	// instance, which this phase creates.
	if !t.Run("a manager killed mid-create buys no duplicate", func(t *testing.T) {
		g := NewWithT(t)
		before := e.simCounters(t).PaidCreates
		// Slow the paid create down so the kill lands while it is in flight.
		e.simFault(t, map[string]any{"route": "POST /v5/simplehosting/instances", "kind": "latency", "latency_ms": 3000})
		e.kubectlStdin(t, secondInstance, "-n", appNS, "apply", "-f", "-")
		g.Eventually(func() string {
			return e.kubectl(t, "-n", appNS, "get", "hostinginstance", "second", "-o", `jsonpath={.metadata.annotations.hosting\.gandi-operator\.dev/create-pending}`)
		}).WithTimeout(60 * time.Second).WithPolling(100 * time.Millisecond).ShouldNot(BeEmpty())
		e.killManager(t)
		e.simClearFaults(t)
		e.startManager(t, "--leader-elect")
		e.kubectl(t, "-n", appNS, "wait", "--for=condition=Ready", "hostinginstance/second", "--timeout=120s")
		g.Expect(e.simCounters(t).PaidCreates).To(Equal(before + 1))
	}) {
		t.FailNow()
	}

	if !t.Run("a manager killed mid-create buys no duplicate PaaS instance", func(t *testing.T) {
		g := NewWithT(t)
		before := e.simCounters(t).PaasPaidCreates
		e.simFault(t, map[string]any{"route": "xmlrpc paas.create", "kind": "latency", "latency_ms": 3000})
		e.kubectlStdin(t, secondPaaS, "-n", appNS, "apply", "-f", "-")
		g.Eventually(func() string {
			return e.kubectl(t, "-n", appNS, "get", "paasinstance", "second-legacy", "-o", `jsonpath={.metadata.annotations.hosting\.gandi-operator\.dev/create-pending}`)
		}).WithTimeout(60 * time.Second).WithPolling(100 * time.Millisecond).ShouldNot(BeEmpty())
		e.killManager(t)
		e.simClearFaults(t)
		e.startManager(t, "--leader-elect")
		e.kubectl(t, "-n", appNS, "wait", "--for=condition=Ready", "paasinstance/second-legacy", "--timeout=120s")
		g.Expect(e.simCounters(t).PaasPaidCreates).To(Equal(before + 1))
	}) {
		t.FailNow()
	}

	t.Run("an instance ending without autorenew gets ExpiringSoon, one Warning event and its gauges", func(t *testing.T) {
		g := NewWithT(t)
		id := e.kubectl(t, "-n", appNS, "get", "hostinginstance", "shop", "-o", "jsonpath={.status.id}")
		end := time.Now().Add(5 * 24 * time.Hour).UTC().Truncate(time.Second)
		// As the owner would at Gandi: autorenew off, the end in 5 days,
		// within the default --expiry-warning-days (30).
		e.simControl(t, http.MethodPost, "/_sim/renewal", map[string]any{"instance_id": id, "expire_at": end.Format(time.RFC3339), "autorenew": false})
		e.kubectl(t, "-n", appNS, "wait", "--for=condition=ExpiringSoon", "hostinginstance/shop", "--timeout=60s")
		g.Expect(e.kubectl(t, "-n", appNS, "get", "hostinginstance", "shop", "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].status}`)).To(Equal("True"))
		g.Expect(e.kubectl(t, "-n", appNS, "get", "hostinginstance", "shop", "-o", `jsonpath={.status.conditions[?(@.type=="ExpiringSoon")].message}`)).To(ContainSubstring(end.Format(time.RFC3339)))
		warnings := func() string {
			return e.kubectl(t, "-n", appNS, "get", "events", "--field-selector", "reason=ExpiresWithoutRenewal,involvedObject.name=shop", "-o", "name")
		}
		g.Eventually(warnings).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).ShouldNot(BeEmpty())
		g.Eventually(func() string { return e.get(t, e.metricsURL) }).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(And(
			ContainSubstring(`gandi_operator_instance_expiry_timestamp_seconds{name="shop",namespace="`+appNS+`"}`),
			ContainSubstring(`gandi_operator_instance_autorenew{name="shop",namespace="`+appNS+`"} 0`)))
		g.Expect(strings.Split(strings.TrimSpace(warnings()), "\n")).To(HaveLen(1), "one event for one end date")
		// Autorenew back on: the condition turns False, so the later phases
		// see the instance as before.
		e.simControl(t, http.MethodPost, "/_sim/renewal", map[string]any{"instance_id": id, "autorenew": true})
		e.kubectl(t, "-n", appNS, "wait", "--for=condition=ExpiringSoon=false", "hostinginstance/shop", "--timeout=60s")
	})

	t.Run("metrics are served", func(t *testing.T) {
		g := NewWithT(t)
		body := e.get(t, e.metricsURL)
		g.Expect(body).To(ContainSubstring("gandi_api_requests_total"))
		g.Expect(body).To(ContainSubstring("controller_runtime_reconcile_total"))
		g.Expect(body).To(ContainSubstring(`gandi_operator_objects{condition="Ready",kind="HostingInstance",status="True"}`))
		g.Expect(body).NotTo(ContainSubstring(token))
		g.Expect(body).NotTo(ContainSubstring(apiKey))
		g.Expect(body).To(ContainSubstring(`route="paas.info"`))
	})

	t.Run("deleting everything empties Gandi but for the Orphan template", func(t *testing.T) {
		g := NewWithT(t)
		e.kubectl(t, "-n", appNS, "delete", "hostinginstance/second", "paasinstance/second-legacy", "--wait=true", "--timeout=120s")
		e.kubectl(t, "-n", appNS, "delete", "-k", filepath.Join(e.root, "config", "samples"), "--wait=true", "--timeout=120s")
		state := e.simState(t)
		g.Expect(state.Instances).To(BeEmpty())
		g.Expect(state.PaasInstances).To(BeEmpty())
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

const secondPaaS = `
apiVersion: hosting.gandi-operator.dev/v1alpha1
kind: PaaSInstance
metadata:
  name: second-legacy
spec:
  credentialsRef: {name: gandi-apikey}
  datacenterID: 3
  type: python3.6pgsql9.6
  size: s+
  passwordSecretRef: {name: legacy-site-password, key: password}
`

// start builds the binaries and starts the control plane and the simulator,
// for the lifetime of t.
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
	// envtest logs through controller-runtime; without a logger, a start
	// later than 30 s after the test binary's (a cold build) prints a
	// "log.SetLogger(...) was never called" stack. Its errors are returned.
	ctrllog.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	e := &env{owner: t, root: root, dir: t.TempDir(), assets: assets, logs: map[string]*os.File{}}
	e.build(t)

	cp, err := testenv.Start(testenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	e.adminKube = filepath.Join(e.dir, "admin.kubeconfig")
	if err := cp.AdminKubeconfig("e2e-admin", e.adminKube); err != nil {
		t.Fatal(err)
	}
	e.startSimulator(t)
	return e
}

// install does what `kubectl apply -f dist/install.yaml` does, but for the
// Deployment: no kubelet runs here, so the built binary takes its place (see
// startManager), with the Deployment's ServiceAccount and so exactly the
// shipped RBAC.
func (e *env) install(t testing.TB) {
	t.Helper()
	e.kubectlStdin(t, withoutDeployments(e.kubectl(t, "kustomize", filepath.Join(e.root, "config", "default"))), "apply", "-f", "-")
	e.kubectl(t, "wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
	e.managerKC = e.serviceAccountKubeconfig(t)
}

// build compiles the manager and the simulator as `make build` does.
func (e *env) build(t testing.TB) {
	t.Helper()
	e.managerBin = filepath.Join(e.dir, "manager")
	for bin, pkg := range map[string]string{e.managerBin: "./cmd", filepath.Join(e.dir, "gandisim"): "./cmd/gandisim"} {
		cmd := exec.CommandContext(t.Context(), "go", "build", "-trimpath", "-o", bin, pkg)
		cmd.Dir = e.root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

func (e *env) startSimulator(t testing.TB) {
	t.Helper()
	seed := filepath.Join(e.dir, "seed.yaml")
	data := fmt.Sprintf(`accounts:
- token: %s
  user: e2e
  orgs: [{id: %s, name: e2e-org, can_bill: true}]
- token: %s
  api_key: true
  user: e2e-legacy
  orgs: [{id: %s, name: e2e-legacy-org, can_bill: true}]
domains:
- {org: %s, fqdn: shop.example.com}
`, token, orgID, apiKey, legacyOrgID, orgID)
	if err := os.WriteFile(seed, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	e.simURL = "http://" + addr
	e.run(t, filepath.Join(e.dir, "gandisim"), "gandisim", "-listen", addr, "-seed", seed, "-fast")
	e.waitHTTP(t, e.simURL+"/_sim/counters")
}

// startManager starts the manager and waits until it is ready; extra flags
// come last, so they override the defaults here.
func (e *env) startManager(t testing.TB, extra ...string) {
	t.Helper()
	metrics, probes := freeAddr(t), freeAddr(t)
	e.metricsURL = "http://" + metrics + "/metrics"
	e.manager = e.run(t, e.managerBin, "manager", slices.Concat([]string{
		"--kubeconfig", e.managerKC,
		"--gandi-api-url", e.simURL,
		"--gandi-xmlrpc-url", e.simURL + "/xmlrpc/",
		"--operator-namespace", operatorNS,
		"--metrics-bind-address", metrics,
		"--health-probe-bind-address", probes,
		"--poll-interval", "2s",
		"--transitional-interval", "200ms",
		"--create-grace", "5s",
		"--zap-encoder", "json",
	}, extra)...)
	e.waitHTTP(t, "http://"+probes+"/readyz")
}

// killManager SIGKILLs the manager, as a node failure or an OOM kill would,
// and waits for it to be gone.
func (e *env) killManager(t testing.TB) {
	t.Helper()
	if err := e.manager.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill the manager: %v", err)
	}
	_ = e.manager.Wait()
}

// run starts a binary in the background and stops it when the owner test
// ends. Every process of one name logs to one file in the scratch directory
// (a restarted manager appends), whose tail is printed if the owner failed.
func (e *env) run(t testing.TB, bin, name string, args ...string) *exec.Cmd {
	t.Helper()
	logf, err := e.logFile(name)
	if err != nil {
		t.Fatal(err)
	}
	// Not the test's context: the processes are stopped with SIGTERM in the
	// cleanup below, so they can shut down as they would in production.
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	e.owner.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	return cmd
}

func (e *env) logFile(name string) (*os.File, error) {
	if f, ok := e.logs[name]; ok {
		return f, nil
	}
	dir := e.dir
	if d := os.Getenv("E2E_LOG_DIR"); d != "" {
		// Kept after the test, for a failure whose log tail is not enough.
		dir = d
	}
	f, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	e.logs[name] = f
	// Registered before the processes' cleanups, so it runs after them.
	e.owner.Cleanup(func() {
		_ = f.Close()
		if e.owner.Failed() {
			out, _ := os.ReadFile(f.Name())
			e.owner.Logf("--- %s log (last 4 KiB) ---\n%s", name, tail(out, 4096))
		}
	})
	return f, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func (e *env) waitHTTP(t testing.TB, url string) {
	t.Helper()
	NewWithT(t).Eventually(func() error {
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
func (e *env) kubectl(t testing.TB, args ...string) string {
	t.Helper()
	return e.kubectlStdin(t, "", args...)
}

func (e *env) kubectlStdin(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), filepath.Join(e.assets, "kubectl"), append([]string{"--kubeconfig", e.adminKube}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// serviceAccountKubeconfig writes a kubeconfig that authenticates as the
// operator's ServiceAccount, so the manager has exactly the shipped RBAC.
func (e *env) serviceAccountKubeconfig(t testing.TB) string {
	t.Helper()
	sa := strings.TrimSpace(e.kubectl(t, "-n", operatorNS, "get", "serviceaccounts", "-o", "jsonpath={.items[0].metadata.name}"))
	tok := strings.TrimSpace(e.kubectl(t, "-n", operatorNS, "create", "token", sa, "--duration=2h"))
	path := filepath.Join(e.dir, "manager.kubeconfig")
	raw := e.kubectl(t, "config", "view", "--raw", "--minify", "--flatten", "-o", "json")
	var kc map[string]any
	if err := json.Unmarshal([]byte(raw), &kc); err != nil {
		t.Fatal(err)
	}
	users := kc["users"].([]any)
	users[0].(map[string]any)["user"] = map[string]any{"token": tok}
	data, err := json.Marshal(kc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (e *env) get(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url) //nolint:noctx // a test probe
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
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
	PaasInstances []struct {
		Name   string   `json:"name"`
		Vhosts []string `json:"vhosts"`
	} `json:"paas_instances"`
}

func (e *env) simState(t testing.TB) simState {
	t.Helper()
	var s simState
	e.simGet(t, "/_sim/state", &s)
	return s
}

type simCounters struct {
	PaidCreates     int `json:"paid_creates"`
	PaasPaidCreates int `json:"paas_paid_creates"`
}

func (e *env) simCounters(t testing.TB) simCounters {
	t.Helper()
	var c simCounters
	e.simGet(t, "/_sim/counters", &c)
	return c
}

// simGet decodes a control route's answer into v.
func (e *env) simGet(t testing.TB, path string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(e.get(t, e.simURL+path)), v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

// simControl sends a control request to the simulator.
func (e *env) simControl(t testing.TB, method, path string, body any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = strings.NewReader(string(data))
	}
	req, err := http.NewRequestWithContext(t.Context(), method, e.simURL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("simulator %s %s: %s\n%s", method, path, resp.Status, msg)
	}
}

func (e *env) simFault(t testing.TB, f map[string]any) {
	t.Helper()
	e.simControl(t, http.MethodPost, "/_sim/faults", f)
}

func (e *env) simClearFaults(t testing.TB) {
	t.Helper()
	e.simControl(t, http.MethodDelete, "/_sim/faults", nil)
}
