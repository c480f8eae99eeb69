// Package install_test checks the two install paths users run: the Helm
// chart (charts/gandi-operator) and the kustomize output behind
// dist/install.yaml (config/default). It renders both with the tools users
// run (bin/helm from the Makefile, kubectl from hack/control-plane.sh),
// checks that they install the same thing for the same settings, and applies
// both with `kubectl apply --dry-run=server` against a real kube-apiserver.
package install_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/gandi-operator/gandi-operator/internal/testenv"
)

const (
	namespace   = "gandi-operator-system"
	releaseName = "gandi-operator" // so the chart's names equal config/default's namePrefix
	chartDir    = "charts/gandi-operator"
)

// root is the repository root; the tests run in test/install.
var root = func() string {
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return dir
}()

// ---------------------------------------------------------------------------
// Tools

// helmBin is the Makefile's pinned Helm. `make test` builds it first; a
// developer running `go test ./...` without it gets a skip, CI a failure.
func helmBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("HELM")
	if bin == "" {
		mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^HELM_VERSION \?= (\S+)$`).FindSubmatch(mk)
		if m == nil {
			t.Fatal("Makefile: no HELM_VERSION")
		}
		bin = filepath.Join(root, "bin", "helm-"+string(m[1]))
	}
	if _, err := os.Stat(bin); err != nil {
		msg := fmt.Sprintf("Helm is missing at %s: `make test` builds the pinned one into bin/", bin)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// assets is the control-plane directory (kube-apiserver, etcd, kubectl):
// $KUBEBUILDER_ASSETS, or what hack/control-plane.sh builds or finds.
func assets(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	out, err := exec.CommandContext(t.Context(), filepath.Join(root, "hack", "control-plane.sh")).Output()
	if err != nil {
		t.Fatalf("hack/control-plane.sh: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	t.Setenv("KUBEBUILDER_ASSETS", dir)
	return dir
}

func kubectlBin(t *testing.T) string { return filepath.Join(assets(t), "kubectl") }

// run runs a command in the repository root and returns its stdout and
// stderr; a failure ends the test with both.
func run(t *testing.T, stdin []byte, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, err := tryRun(t, stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout, stderr
}

func tryRun(t *testing.T, stdin []byte, name string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// renderKustomize is dist/install.yaml as `make build-installer` writes it
// (before the image override, which only replaces the tag).
func renderKustomize(t *testing.T) []byte {
	t.Helper()
	out, _ := run(t, nil, kubectlBin(t), "kustomize", "config/default")
	return []byte(out)
}

// renderChart is `helm template` of the chart in the release namespace, CRDs
// included, with the given --set flags.
func renderChart(t *testing.T, sets ...string) []byte {
	t.Helper()
	args := make([]string, 0, 6+2*len(sets))
	args = append(args, "template", releaseName, chartDir, "--namespace", namespace, "--include-crds")
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	out, _ := run(t, nil, helmBin(t), args...)
	return []byte(out)
}

// ---------------------------------------------------------------------------
// Objects

type object struct {
	Kind, Namespace, Name string
	raw                   map[string]any
}

func (o object) key() string { return o.Kind + " " + o.Namespace + "/" + o.Name }

// into converts the object into a typed API struct.
func (o object) into(t *testing.T, v any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.raw, v); err != nil {
		t.Fatalf("%s: %v", o.key(), err)
	}
}

type objects []object

func parse(t *testing.T, stream []byte) objects {
	t.Helper()
	dec := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(stream), 4096)
	var objs objects
	for {
		var raw map[string]any
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("parse YAML: %v", err)
		}
		if raw == nil {
			continue // an empty document, e.g. a template that rendered nothing
		}
		meta, _ := raw["metadata"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		kind, _ := raw["kind"].(string)
		objs = append(objs, object{Kind: kind, Namespace: ns, Name: name, raw: raw})
	}
	return objs
}

func (objs objects) ofKind(kind string) objects {
	var out objects
	for _, o := range objs {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}

func (objs objects) one(t *testing.T, kind string) object {
	t.Helper()
	of := objs.ofKind(kind)
	if len(of) != 1 {
		t.Fatalf("want exactly one %s, got %d", kind, len(of))
	}
	return of[0]
}

func (objs objects) keys() []string {
	keys := make([]string, 0, len(objs))
	for _, o := range objs {
		keys = append(keys, o.key())
	}
	sort.Strings(keys)
	return keys
}

// prerequisites are what must exist before a server-side dry run can judge
// the rest of a manifest: its Namespace and its CRDs.
func prerequisites(t *testing.T, stream []byte) []byte {
	t.Helper()
	var docs [][]byte
	for _, o := range parse(t, stream) {
		if o.Kind != "Namespace" && o.Kind != "CustomResourceDefinition" {
			continue
		}
		doc, err := json.Marshal(o.raw)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	// JSON is YAML: kubectl reads the documents as they are.
	return bytes.Join(docs, []byte("\n---\n"))
}

// ---------------------------------------------------------------------------
// The chart and the kustomize output install the same thing

// TestChartMatchesKustomize renders both install paths with their defaults
// and compares them object by object.
func TestChartMatchesKustomize(t *testing.T) {
	kz := parse(t, renderKustomize(t))
	hm := parse(t, renderChart(t))

	t.Run("same objects", func(t *testing.T) {
		// The chart does not create its namespace (helm --create-namespace
		// does); everything else is the same set, under the same names.
		var want objects
		for _, o := range kz {
			if o.Kind != "Namespace" {
				want = append(want, o)
			}
		}
		if d := cmp.Diff(want.keys(), hm.keys()); d != "" {
			t.Errorf("objects differ (-config/default +chart):\n%s", d)
		}
	})

	t.Run("CRDs are identical", func(t *testing.T) {
		// The chart ships copies of config/crd/bases in crds/; make
		// manifests writes both. Byte for byte, file for file.
		bases := yamlFiles(t, "config/crd/bases")
		copies := yamlFiles(t, chartDir+"/crds")
		if d := cmp.Diff(slices.Sorted(maps.Keys(bases)), slices.Sorted(maps.Keys(copies))); d != "" {
			t.Fatalf("chart crds/ and config/crd/bases hold different files (run `make manifests`):\n%s", d)
		}
		for name, b := range bases {
			if !bytes.Equal(b, copies[name]) {
				t.Errorf("%s/crds/%s differs from config/crd/bases/%s: run `make manifests`", chartDir, name, name)
			}
		}
		// And as rendered: every CRD, whole.
		kcrds, hcrds := kz.ofKind("CustomResourceDefinition"), hm.ofKind("CustomResourceDefinition")
		if len(kcrds) != len(bases) || len(hcrds) != len(bases) {
			t.Fatalf("rendered CRDs: config/default %d, chart %d, config/crd/bases %d", len(kcrds), len(hcrds), len(bases))
		}
		for _, k := range kcrds {
			h := find(hm, k.Kind, k.Name)
			if h == nil {
				t.Errorf("chart has no CRD %s", k.Name)
				continue
			}
			if d := cmp.Diff(k.raw, h.raw); d != "" {
				t.Errorf("CRD %s differs (-config/default +chart):\n%s", k.Name, d)
			}
		}
	})

	t.Run("RBAC is identical", func(t *testing.T) {
		role, err := os.ReadFile(filepath.Join(root, "config/rbac/role.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		roleCopy, err := os.ReadFile(filepath.Join(root, chartDir, "files/manager-role.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(role, roleCopy) {
			t.Errorf("%s/files/manager-role.yaml differs from config/rbac/role.yaml: run `make manifests`", chartDir)
		}
		for _, kind := range []string{"ClusterRole", "Role"} {
			var kr, hr rbacv1.ClusterRole // a Role has the same rules field
			kz.one(t, kind).into(t, &kr)
			hm.one(t, kind).into(t, &hr)
			if len(kr.Rules) == 0 {
				t.Errorf("config/default %s has no rules", kind)
			}
			if d := cmp.Diff(kr.Rules, hr.Rules); d != "" {
				t.Errorf("%s rules differ (-config/default +chart):\n%s", kind, d)
			}
		}
		// The generated rules reach the ClusterRole unchanged.
		var generated rbacv1.ClusterRole
		parse(t, role).one(t, "ClusterRole").into(t, &generated)
		var kr rbacv1.ClusterRole
		kz.one(t, "ClusterRole").into(t, &kr)
		if d := cmp.Diff(generated.Rules, kr.Rules); d != "" {
			t.Errorf("config/default's ClusterRole is not config/rbac/role.yaml (-role.yaml +rendered):\n%s", d)
		}
		for _, kind := range []string{"ClusterRoleBinding", "RoleBinding"} {
			var kb, hb rbacv1.RoleBinding
			kz.one(t, kind).into(t, &kb)
			hm.one(t, kind).into(t, &hb)
			if d := cmp.Diff(kb.RoleRef, hb.RoleRef); d != "" {
				t.Errorf("%s roleRef differs:\n%s", kind, d)
			}
			if d := cmp.Diff(kb.Subjects, hb.Subjects); d != "" {
				t.Errorf("%s subjects differ:\n%s", kind, d)
			}
		}
	})

	kd, hd := deployment(t, kz), deployment(t, hm)

	t.Run("Deployments are locked down", func(t *testing.T) {
		for _, c := range []struct {
			name string
			d    *appsv1.Deployment
		}{{"config/default", kd}, {"chart", hd}} {
			checkSecure(t, c.name, c.d)
		}
		kc, hc := kd.Spec.Template.Spec.Containers[0], hd.Spec.Template.Spec.Containers[0]
		if d := cmp.Diff(kd.Spec.Template.Spec.SecurityContext, hd.Spec.Template.Spec.SecurityContext); d != "" {
			t.Errorf("pod securityContext differs (-config/default +chart):\n%s", d)
		}
		if d := cmp.Diff(kc.SecurityContext, hc.SecurityContext); d != "" {
			t.Errorf("container securityContext differs (-config/default +chart):\n%s", d)
		}
		if !equality.Semantic.DeepEqual(kc.Resources, hc.Resources) {
			t.Errorf("resources differ: config/default %v, chart %v", kc.Resources, hc.Resources)
		}
	})

	t.Run("Deployments run the manager the same way", func(t *testing.T) {
		ks, hs := kd.Spec.Template.Spec, hd.Spec.Template.Spec
		kc, hc := ks.Containers[0], hs.Containers[0]
		if kc.Image != hc.Image {
			t.Errorf("image: config/default %q, chart %q (config/manager newTag must be the chart's appVersion)", kc.Image, hc.Image)
		}
		same := func(what string, a, b any) {
			if d := cmp.Diff(a, b); d != "" {
				t.Errorf("%s differs (-config/default +chart):\n%s", what, d)
			}
		}
		same("replicas", kd.Spec.Replicas, hd.Spec.Replicas)
		same("serviceAccountName", ks.ServiceAccountName, hs.ServiceAccountName)
		same("terminationGracePeriodSeconds", ks.TerminationGracePeriodSeconds, hs.TerminationGracePeriodSeconds)
		same("env", kc.Env, hc.Env)
		same("ports", kc.Ports, hc.Ports)
		same("livenessProbe", kc.LivenessProbe, hc.LivenessProbe)
		same("readinessProbe", kc.ReadinessProbe, hc.ReadinessProbe)

		// The flags: whatever config/default passes, the chart passes with
		// the same value; whatever else the chart passes is the binary's
		// default, so both run the same manager.
		defaults := managerFlags(t)
		kf, hf := flags(t, kc.Args), flags(t, hc.Args)
		for name, v := range kf {
			if hv, ok := hf[name]; !ok {
				t.Errorf("config/default passes --%s=%s, the chart does not pass --%s", name, v, name)
			} else if !sameValue(v, hv) {
				t.Errorf("--%s: config/default %q, chart %q", name, v, hv)
			}
		}
		for name, hv := range hf {
			if _, ok := kf[name]; ok {
				continue
			}
			f, known := defaults[name]
			switch {
			case !known:
				t.Errorf("the chart passes --%s, which the manager does not have", name)
			case !sameValue(f.def, hv):
				t.Errorf("the chart passes --%s=%s by default, the binary's default is %q: change the chart's default or add the flag to config/manager", name, hv, f.def)
			}
		}
		for name := range kf {
			if _, known := defaults[name]; !known {
				t.Errorf("config/default passes --%s, which the manager does not have", name)
			}
		}
		// Every flag a user may need is a chart value (issue: "each with a
		// Helm value"); the rest are set by the pod itself or for people.
		notValues := map[string]string{
			"kubeconfig":           "in-cluster config",
			"operator-namespace":   "POD_NAMESPACE from the downward API",
			"watch-namespaces":     "passed only when watchNamespaces is set (TestChartValues)",
			"zap-devel":            "development logging, for people",
			"zap-stacktrace-level": "zap detail; extraArgs",
			"zap-time-encoding":    "zap detail; extraArgs",
		}
		for name := range defaults {
			if _, passed := hf[name]; !passed && notValues[name] == "" {
				t.Errorf("the manager has --%s but the chart never passes it: add a chart value for it", name)
			}
		}
		for _, want := range []string{"leader-elect", "zap-encoder", "metrics-bind-address", "health-probe-bind-address"} {
			if _, ok := kf[want]; !ok {
				t.Errorf("config/default does not pass --%s", want)
			}
		}
		if !sameValue(kf["leader-elect"], "true") || kf["zap-encoder"] != "json" {
			t.Errorf("config/default must run with --leader-elect and --zap-encoder=json, has %v", kc.Args)
		}
	})

	t.Run("Services and policies select the manager", func(t *testing.T) {
		for _, c := range []struct {
			name string
			objs objects
			d    *appsv1.Deployment
		}{{"config/default", kz, kd}, {"chart", hm, hd}} {
			podLabels := c.d.Spec.Template.Labels
			var svc corev1.Service
			c.objs.one(t, "Service").into(t, &svc)
			if !subset(svc.Spec.Selector, podLabels) {
				t.Errorf("%s: metrics Service selector %v does not select the manager pods %v", c.name, svc.Spec.Selector, podLabels)
			}
			if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "metrics" || svc.Spec.Ports[0].Port != 8080 {
				t.Errorf("%s: metrics Service ports %v", c.name, svc.Spec.Ports)
			}
			var np networkingv1.NetworkPolicy
			c.objs.one(t, "NetworkPolicy").into(t, &np)
			if !subset(np.Spec.PodSelector.MatchLabels, podLabels) {
				t.Errorf("%s: NetworkPolicy podSelector %v does not select the manager pods %v", c.name, np.Spec.PodSelector.MatchLabels, podLabels)
			}
			if !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) {
				t.Errorf("%s: NetworkPolicy must restrict ingress only (egress reaches the API server and Gandi), has %v", c.name, np.Spec.PolicyTypes)
			}
		}
		var knp, hnp networkingv1.NetworkPolicy
		kz.one(t, "NetworkPolicy").into(t, &knp)
		hm.one(t, "NetworkPolicy").into(t, &hnp)
		if d := cmp.Diff(knp.Spec.Ingress, hnp.Spec.Ingress); d != "" {
			t.Errorf("NetworkPolicy ingress differs (-config/default +chart):\n%s", d)
		}
		if !hasLabel(knp.Spec.Ingress, "metrics", "enabled") {
			t.Errorf("NetworkPolicy must admit namespaces labelled metrics: enabled, has %v", knp.Spec.Ingress)
		}
	})

	t.Run("the namespace enforces the restricted Pod Security Standard", func(t *testing.T) {
		var ns corev1.Namespace
		kz.one(t, "Namespace").into(t, &ns)
		if ns.Name != namespace || ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
			t.Errorf("Namespace %s labels %v", ns.Name, ns.Labels)
		}
	})
}

// TestChartValues renders the chart with non-default values and checks each
// reaches the manager's command line, and that the manager accepts it.
func TestChartValues(t *testing.T) {
	objs := parse(t, renderChart(t,
		"gandi.apiURL=https://api.sandbox.gandi.net",
		"gandi.requestsPerMinute=120",
		"gandi.ipRequestsPerMinute=600",
		"credentials.allowDefault=true",
		"credentials.existingSecret=my-gandi-token",
		"watchNamespaces={shop,blog}",
		"pollInterval=10m",
		"transitionalInterval=3s",
		"usageInterval=1h",
		"detailInterval=45m",
		"createGrace=90s",
		"expiryWarningDays=7",
		"maxConcurrentReconciles=4",
		"replicas=2",
		"logLevel=debug",
		"logFormat=console",
		"metrics.port=9090",
		"healthProbe.port=9091",
		"image.tag=v9.9.9",
		"metrics.serviceMonitor.enabled=true",
		"metrics.serviceMonitor.labels.release=prometheus",
	))
	d := deployment(t, objs)
	c := d.Spec.Template.Spec.Containers[0]
	want := map[string]string{
		"gandi-api-url":                "https://api.sandbox.gandi.net",
		"gandi-requests-per-minute":    "120",
		"gandi-ip-requests-per-minute": "600",
		"allow-default-credentials":    "true",
		"default-credentials-secret":   "my-gandi-token",
		"watch-namespaces":             "shop,blog",
		"poll-interval":                "10m",
		"transitional-interval":        "3s",
		"usage-interval":               "1h",
		"detail-interval":              "45m",
		"create-grace":                 "90s",
		"expiry-warning-days":          "7",
		"max-concurrent-reconciles":    "4",
		"leader-elect":                 "true",
		"zap-log-level":                "debug",
		"zap-encoder":                  "console",
		"metrics-bind-address":         ":9090",
		"health-probe-bind-address":    ":9091",
	}
	got := flags(t, c.Args)
	for name, v := range want {
		if got[name] != v {
			t.Errorf("--%s: want %q, got %q", name, v, got[name])
		}
	}
	if *d.Spec.Replicas != 2 || c.Image != "ghcr.io/gandi-operator/gandi-operator:v9.9.9" {
		t.Errorf("replicas %d, image %s", *d.Spec.Replicas, c.Image)
	}
	if c.LivenessProbe.HTTPGet.Port.IntValue() != 9091 || c.Ports[0].ContainerPort != 9090 {
		t.Errorf("ports: probe %v, metrics %v", c.LivenessProbe.HTTPGet.Port, c.Ports)
	}
	if len(objs.ofKind("Secret")) != 0 {
		t.Error("the chart created a Secret though credentials.existingSecret names one")
	}
	sm := objs.one(t, "ServiceMonitor")
	if labels, _ := sm.raw["metadata"].(map[string]any)["labels"].(map[string]any); labels["release"] != "prometheus" {
		t.Errorf("ServiceMonitor labels %v", labels)
	}
	managerAccepts(t, c.Args)

	t.Run("credentials.create makes the default token Secret", func(t *testing.T) {
		objs := parse(t, renderChart(t, "credentials.create=true", "credentials.token=pat_example", "credentials.allowDefault=true"))
		var s corev1.Secret
		objs.one(t, "Secret").into(t, &s)
		args := flags(t, deployment(t, objs).Spec.Template.Spec.Containers[0].Args)
		if s.Name != "gandi-credentials" || s.Namespace != namespace || s.StringData["token"] != "pat_example" {
			t.Errorf("Secret %s/%s keys %v", s.Namespace, s.Name, slices.Sorted(maps.Keys(s.StringData)))
		}
		if args["default-credentials-secret"] != s.Name || args["allow-default-credentials"] != "true" {
			t.Errorf("manager flags %v do not point at the Secret %s", args, s.Name)
		}
	})

	t.Run("bad combinations are refused", func(t *testing.T) {
		for _, sets := range [][]string{
			{"replicas=2", "leaderElection.enabled=false"},
			{"credentials.create=true"}, // no token
			{"credentials.create=true", "credentials.token=x", "credentials.existingSecret=y"},
			{"gandi.requestsPerMinute=0"},    // no request at all
			{"gandi.ipRequestsPerMinute=-1"}, // 0 is off; below is nothing
			{"pollInterval=5"},               // not a duration
			{"expiryWarningDays=-1"},         // below 0, which turns warnings off
			{"replicaCount=2"},               // misspelt key
		} {
			args := make([]string, 0, 5+2*len(sets))
			args = append(args, "template", releaseName, chartDir, "--namespace", namespace)
			for _, s := range sets {
				args = append(args, "--set", s)
			}
			if _, _, err := tryRun(t, nil, helmBin(t), args...); err == nil {
				t.Errorf("helm template with %v succeeded", sets)
			}
		}
	})

	// What the manager refuses at start, the chart refuses at install
	// instead of rendering a crash-looping manager.
	t.Run("values the manager refuses", func(t *testing.T) {
		for _, tc := range []struct{ set, arg string }{
			{"pollInterval=0s", "--poll-interval=0s"},
			{"transitionalInterval=0s", "--transitional-interval=0s"},
			{"usageInterval=0m0s", "--usage-interval=0m0s"},
			{"createGrace=0.0s", "--create-grace=0.0s"},
			{"maxConcurrentReconciles=0", "--max-concurrent-reconciles=0"},
			{"watchNamespaces={shop,Bad_NS}", "--watch-namespaces=shop,Bad_NS"},
			{"credentials.defaultSecretName=Bad/Name", "--default-credentials-secret=Bad/Name"},
			{"credentials.existingSecret=Bad/Name", "--default-credentials-secret=Bad/Name"},
		} {
			if _, _, err := tryRun(t, nil, helmBin(t), "template", releaseName, chartDir, "--namespace", namespace, "--set", tc.set); err == nil {
				t.Errorf("helm template with %s succeeded", tc.set)
			}
			flagName, _, _ := strings.Cut(tc.arg, "=")
			out, err := exec.CommandContext(t.Context(), managerBinary(t), tc.arg).CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), flagName) {
				t.Errorf("manager %s: %v, %q; want exit 2 naming %s", tc.arg, err, firstLines(string(out), 3), flagName)
			}
		}
		// 0 is meaningful there: a detail read per object per poll.
		args := deployment(t, parse(t, renderChart(t, "detailInterval=0s"))).Spec.Template.Spec.Containers[0].Args
		if got := flags(t, args)["detail-interval"]; got != "0s" {
			t.Errorf("--detail-interval %q, want 0s", got)
		}
	})

	t.Run("metrics off", func(t *testing.T) {
		objs := parse(t, renderChart(t, "metrics.enabled=false"))
		args := flags(t, deployment(t, objs).Spec.Template.Spec.Containers[0].Args)
		if args["metrics-bind-address"] != "0" || len(objs.ofKind("Service")) != 0 {
			t.Errorf("metrics-bind-address %q, %d Services", args["metrics-bind-address"], len(objs.ofKind("Service")))
		}
	})
}

// TestHelmLint is `helm lint --strict` of the chart, with its defaults and
// with every optional object on.
func TestHelmLint(t *testing.T) {
	helm := helmBin(t)
	run(t, nil, helm, "lint", "--strict", chartDir)
	run(t, nil, helm, "lint", "--strict", chartDir, "--namespace", namespace,
		"--set", "metrics.serviceMonitor.enabled=true",
		"--set", "credentials.create=true", "--set", "credentials.token=pat_example",
		"--set", "credentials.allowDefault=true", "--set", "replicas=2")
}

// ---------------------------------------------------------------------------
// Both install paths against a real API server

// TestServerSideDryRun applies dist/install.yaml and the rendered chart with
// `kubectl apply --dry-run=server` against a real kube-apiserver: the API
// server's validation, defaulting and admission (Pod Security included)
// judge every object. The namespace and CRDs are applied for real first, as
// the dry run of anything in them needs them to exist.
func TestServerSideDryRun(t *testing.T) {
	kubectl := kubectlBin(t)
	dir := t.TempDir()

	cp, err := testenv.Start(testenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := cp.AdminKubeconfig("admin", kubeconfig); err != nil {
		t.Fatal(err)
	}
	k := func(t *testing.T, stdin []byte, args ...string) (string, string) {
		t.Helper()
		return run(t, stdin, kubectl, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	}
	// applyFile writes a manifest where a user would have it and applies it
	// with `kubectl apply -f`, as the README says; it returns kubectl's
	// stderr, where the API server's warnings go.
	applyFile := func(t *testing.T, name string, manifest []byte, extra ...string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, manifest, 0o600); err != nil {
			t.Fatal(err)
		}
		_, stderr := k(t, nil, append([]string{"apply", "-f", path}, extra...)...)
		return stderr
	}
	noWarnings := func(t *testing.T, stderr string) {
		t.Helper()
		if strings.Contains(stderr, "Warning") {
			t.Errorf("the API server warned:\n%s", stderr)
		}
	}

	install := renderKustomize(t)
	installPrereqs := prerequisites(t, install)

	// For real: the namespace (with its Pod Security label) and the CRDs.
	noWarnings(t, applyFile(t, "install-prereqs.yaml", installPrereqs))
	k(t, nil, "wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")

	t.Run("dist/install.yaml", func(t *testing.T) {
		stderr := applyFile(t, "install.yaml", install, "--dry-run=server")
		noWarnings(t, stderr)
	})

	t.Run("the rendered chart", func(t *testing.T) {
		chart := renderChart(t)
		chartPrereqs := prerequisites(t, chart)
		noWarnings(t, applyFile(t, "chart-crds.yaml", chartPrereqs)) // the same CRDs: unchanged
		noWarnings(t, applyFile(t, "chart.yaml", chart, "--dry-run=server"))
	})

	// For real too: the namespaces the chart is told to watch, where it
	// renders the manager's Roles.
	k(t, nil, "create", "namespace", "shop")
	k(t, nil, "create", "namespace", "blog")

	t.Run("the rendered chart with every option", func(t *testing.T) {
		// The ServiceMonitor and PrometheusRule need the Prometheus
		// operator's CRDs, which are not ours to install; TestChartValues and
		// TestChartPrometheusRule check them instead. The dashboard is a
		// ConfigMap, judged here.
		chart := renderChart(t,
			"grafanaDashboard.enabled=true",
			"credentials.create=true", "credentials.token=pat_example", "credentials.allowDefault=true",
			"watchNamespaces={shop,blog}", "replicas=2",
			"imagePullSecrets[0].name=regcred",
			"nodeSelector.kubernetes\\.io/os=linux",
			"tolerations[0].key=dedicated", "tolerations[0].operator=Exists", "tolerations[0].effect=NoSchedule",
			"affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight=100",
			"affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey=kubernetes.io/hostname",
			"affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels.control-plane=controller-manager",
			"podAnnotations.example\\.com/team=hosting",
		)
		noWarnings(t, applyFile(t, "chart-full.yaml", chart, "--dry-run=server"))
	})

	t.Run("the samples are accepted by the installed CRDs", func(t *testing.T) {
		k(t, nil, "apply", "--dry-run=server", "--namespace", "default", "-k", "config/samples")
	})

	t.Run("a pod that breaks the restricted standard is warned about", func(t *testing.T) {
		// Proves the warning check above is not vacuous: the API server's
		// Pod Security admission sees the Deployments' pod templates.
		chart := renderChart(t, "podSecurityContext.runAsNonRoot=false", "securityContext.allowPrivilegeEscalation=true")
		stderr := applyFile(t, "chart-insecure.yaml", chart, "--dry-run=server")
		if !strings.Contains(stderr, "would violate PodSecurity") {
			t.Errorf("no Pod Security warning for an insecure pod template; kubectl said:\n%s", stderr)
		}
	})

	t.Run("dry runs created nothing", func(t *testing.T) {
		out, _ := k(t, nil, "get", "deployments,services,networkpolicies,serviceaccounts,roles,rolebindings,secrets", "-n", namespace, "-o", "name")
		if strings.TrimSpace(out) != "" {
			t.Errorf("objects exist after the dry runs:\n%s", out)
		}
		out, _ = k(t, nil, "get", "clusterroles,clusterrolebindings", "-o", "name")
		if strings.Contains(out, releaseName) {
			t.Errorf("cluster objects exist after the dry runs:\n%s", out)
		}
	})

	t.Run("with watchNamespaces the manager may act only there", func(t *testing.T) {
		// The chart's RBAC applied for real, then asked of the API server's
		// authorizer as the manager's ServiceAccount.
		var rbac objects
		for _, o := range parse(t, renderChart(t, "watchNamespaces={shop,blog}", "credentials.allowDefault=true")) {
			if o.Kind == "Role" || o.Kind == "RoleBinding" {
				rbac = append(rbac, o)
			}
		}
		docs := make([][]byte, 0, len(rbac))
		for _, o := range rbac {
			doc, err := json.Marshal(o.raw)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, doc)
		}
		manifest := bytes.Join(docs, []byte("\n---\n"))
		applyFile(t, "chart-namespaced-rbac.yaml", manifest)
		t.Cleanup(func() { _, _, _ = tryRun(t, manifest, kubectl, "--kubeconfig", kubeconfig, "delete", "-f", "-") })

		as := "--as=system:serviceaccount:" + namespace + ":" + releaseName + "-controller-manager"
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"list", "secrets", "-n", "shop"}, "yes"},
			{[]string{"watch", "secrets", "-n", "blog"}, "yes"},
			{[]string{"create", "secrets", "-n", "shop"}, "yes"},
			{[]string{"patch", "secrets", "-n", "shop"}, "yes"},
			{[]string{"patch", "hostinginstances.hosting.gandi-operator.dev", "-n", "blog"}, "yes"},
			{[]string{"get", "secrets/gandi-credentials", "-n", namespace}, "yes"},
			{[]string{"watch", "secrets/gandi-credentials", "-n", namespace}, "yes"},
			{[]string{"create", "leases.coordination.k8s.io", "-n", namespace}, "yes"},
			{[]string{"update", "secrets", "-n", "shop"}, "no"},
			{[]string{"list", "secrets", "-n", "default"}, "no"},
			{[]string{"list", "secrets", "--all-namespaces"}, "no"},
			{[]string{"list", "secrets", "-n", namespace}, "no"},
			{[]string{"get", "secrets/sh.helm.release.v1." + releaseName + ".v1", "-n", namespace}, "no"},
			{[]string{"list", "hostinginstances.hosting.gandi-operator.dev", "--all-namespaces"}, "no"},
			{[]string{"get", "hostinginstances.hosting.gandi-operator.dev", "-n", "default"}, "no"},
		} {
			out, _, _ := tryRun(t, nil, kubectl, append([]string{"--kubeconfig", kubeconfig, "auth", "can-i", as}, c.args...)...)
			if got := strings.TrimSpace(out); got != c.want {
				t.Errorf("can the manager %s? %q, want %q", strings.Join(c.args, " "), got, c.want)
			}
		}
	})
}

// ---------------------------------------------------------------------------
// Helpers

func deployment(t *testing.T, objs objects) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	objs.one(t, "Deployment").into(t, &d)
	if len(d.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("Deployment %s: want one container, got %d", d.Name, len(d.Spec.Template.Spec.Containers))
	}
	return &d
}

// checkSecure asserts the settings the issue asks of the manager's pod: non
// root, read-only root filesystem, no capabilities, seccomp RuntimeDefault,
// requests and limits, probes.
func checkSecure(t *testing.T, name string, d *appsv1.Deployment) {
	t.Helper()
	ps := d.Spec.Template.Spec.SecurityContext
	c := d.Spec.Template.Spec.Containers[0]
	cs := c.SecurityContext
	switch {
	case ps == nil || cs == nil:
		t.Errorf("%s: missing securityContext", name)
		return
	case ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot:
		t.Errorf("%s: runAsNonRoot is not true", name)
	case ps.RunAsUser == nil || *ps.RunAsUser != 65532:
		t.Errorf("%s: runAsUser is not 65532 (the distroless nonroot user)", name)
	case ps.SeccompProfile == nil || ps.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
		t.Errorf("%s: seccompProfile is not RuntimeDefault", name)
	case cs.ReadOnlyRootFilesystem == nil || !*cs.ReadOnlyRootFilesystem:
		t.Errorf("%s: readOnlyRootFilesystem is not true", name)
	case cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation:
		t.Errorf("%s: allowPrivilegeEscalation is not false", name)
	case cs.Capabilities == nil || !slices.Equal(cs.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(cs.Capabilities.Add) != 0:
		t.Errorf("%s: capabilities are not drop [ALL]: %v", name, cs.Capabilities)
	case cs.Privileged != nil && *cs.Privileged:
		t.Errorf("%s: privileged", name)
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			t.Errorf("%s: no %s request", name, r)
		}
		if _, ok := c.Resources.Limits[r]; !ok {
			t.Errorf("%s: no %s limit", name, r)
		}
	}
	probe := func(p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.IntValue() != 8081 {
			t.Errorf("%s: want a probe of %s on 8081, got %v", name, path, p)
		}
	}
	probe(c.LivenessProbe, "/healthz")
	probe(c.ReadinessProbe, "/readyz")
	var podNS bool
	for _, e := range c.Env {
		if e.Name == "POD_NAMESPACE" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.namespace" {
			podNS = true
		}
	}
	if !podNS {
		t.Errorf("%s: POD_NAMESPACE does not come from metadata.namespace", name)
	}
}

// flags maps --name=value arguments by name; a bare --name is "true".
func flags(t *testing.T, args []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			t.Errorf("argument %q is not a flag", a)
			continue
		}
		name, value, ok := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !ok {
			value = "true"
		}
		if _, dup := out[name]; dup {
			t.Errorf("--%s passed twice", name)
		}
		out[name] = value
	}
	return out
}

// sameValue compares flag values as the manager would read them.
func sameValue(a, b string) bool {
	if a == b {
		return true
	}
	if da, err := time.ParseDuration(a); err == nil {
		db, err := time.ParseDuration(b)
		return err == nil && da == db
	}
	if ba, err := strconv.ParseBool(a); err == nil {
		bb, err := strconv.ParseBool(b)
		return err == nil && ba == bb
	}
	return false
}

type flagInfo struct{ def string }

// buildDir holds the binaries the tests build; TestMain removes it.
var buildDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gandi-operator-install-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// managerBinary builds the manager as `make build` does, once per test run.
var managerBinary = func() func(t *testing.T) string {
	var bin string
	return func(t *testing.T) string {
		t.Helper()
		if bin != "" {
			return bin
		}
		path := filepath.Join(buildDir, "manager")
		cmd := exec.CommandContext(t.Context(), "go", "build", "-trimpath", "-o", path, "./cmd")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./cmd: %v\n%s", err, out)
		}
		bin = path
		return bin
	}
}()

// managerFlags reads the manager's flags and their defaults from its -help.
func managerFlags(t *testing.T) map[string]flagInfo {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), managerBinary(t), "-help")
	// The defaults as in a pod that sets nothing else.
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "POD_NAMESPACE=") && !strings.HasPrefix(e, "KUBECONFIG=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("manager -help: %v\n%s", err, out)
	}
	// Go's flag package: "  -name type" then tab-indented usage ending in
	// "(default X)" when the default is not the zero value.
	header := regexp.MustCompile(`^  -(\S+)(?: (\S+))?$`)
	def := regexp.MustCompile(`\(default ([^)]*)\)$`)
	// Flags whose default zap does not print (flag.Value types): what
	// controller-runtime's zap does when they are not set, in production mode.
	zapDefaults := map[string]string{"zap-log-level": "info", "zap-encoder": "json"}
	flagsByName := map[string]flagInfo{}
	var current string
	for _, line := range strings.Split(string(out), "\n") {
		if m := header.FindStringSubmatch(line); m != nil {
			current = m[1]
			f := flagInfo{def: zapDefaults[current]}
			if m[2] == "" {
				f.def = "false" // a bool flag
			}
			flagsByName[current] = f
			continue
		}
		if m := def.FindStringSubmatch(strings.TrimSpace(line)); m != nil && current != "" {
			v := m[1]
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
			flagsByName[current] = flagInfo{def: v}
		}
	}
	if len(flagsByName) < 10 {
		t.Fatalf("could not read the manager's flags from -help:\n%s", out)
	}
	return flagsByName
}

// managerAccepts runs the manager with args and -help last: the flag package
// parses every argument before it sees -help, so exit 0 means each flag
// exists and its value parses.
func managerAccepts(t *testing.T, args []string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), managerBinary(t), append(slices.Clone(args), "-help")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the manager refuses the chart's arguments %v: %v\n%s", args, err, firstLines(string(out), 3))
	}
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func find(objs objects, kind, name string) *object {
	for i := range objs {
		if objs[i].Kind == kind && objs[i].Name == name {
			return &objs[i]
		}
	}
	return nil
}

func subset(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func hasLabel(rules []networkingv1.NetworkPolicyIngressRule, k, v string) bool {
	for _, r := range rules {
		for _, p := range r.From {
			if p.NamespaceSelector != nil && p.NamespaceSelector.MatchLabels[k] == v {
				return true
			}
		}
	}
	return false
}

func yamlFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(root, dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	if len(out) == 0 {
		t.Fatalf("no YAML files in %s", dir)
	}
	return out
}
