package install_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The chart's optional monitoring objects: the PrometheusRule and the
// Grafana dashboard ConfigMap. Off by default (TestChartMatchesKustomize
// sees neither); on, they must render, lint, and name only metrics the
// operator exposes.

var alerts = []string{"GandiInstanceExpiringWithoutAutorenew", "GandiOperatorObjectsNotReady", "GandiAPIRateLimited", "GandiAPIServerErrors"}

func TestChartPrometheusRule(t *testing.T) {
	objs := parse(t, renderChart(t,
		"prometheusRule.enabled=true",
		"prometheusRule.labels.release=prometheus",
		"prometheusRule.expiringWithinDays=7",
		"prometheusRule.additionalLabels.team=web",
	))
	obj := objs.one(t, "PrometheusRule")
	if obj.raw["apiVersion"] != "monitoring.coreos.com/v1" || obj.Namespace != namespace {
		t.Errorf("PrometheusRule %s in %q", obj.raw["apiVersion"], obj.Namespace)
	}
	if labels, _ := obj.raw["metadata"].(map[string]any)["labels"].(map[string]any); labels["release"] != "prometheus" {
		t.Errorf("PrometheusRule labels %v", labels)
	}
	var rule struct {
		Spec struct {
			Groups []struct {
				Name  string `json:"name"`
				Rules []struct {
					Alert  string            `json:"alert"`
					Expr   string            `json:"expr"`
					For    string            `json:"for"`
					Labels map[string]string `json:"labels"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"spec"`
	}
	obj.into(t, &rule)
	if len(rule.Spec.Groups) != 1 {
		t.Fatalf("%d rule groups", len(rule.Spec.Groups))
	}
	exprs := map[string]string{}
	names := make([]string, 0, len(rule.Spec.Groups[0].Rules))
	for _, r := range rule.Spec.Groups[0].Rules {
		names = append(names, r.Alert)
		exprs[r.Alert] = r.Expr
		if r.Labels["severity"] == "" || r.Labels["team"] != "web" {
			t.Errorf("%s labels %v", r.Alert, r.Labels)
		}
		if !strings.Contains(r.Expr, `job="gandi-operator-controller-manager-metrics"`) {
			t.Errorf("%s does not select the metrics Service's job: %s", r.Alert, r.Expr)
		}
		if r.Alert == "GandiOperatorObjectsNotReady" && r.For != "15m" {
			t.Errorf("%s for %q, want 15m", r.Alert, r.For)
		}
	}
	if !slices.Equal(names, alerts) {
		t.Errorf("alerts %v, want %v", names, alerts)
	}
	for alert, want := range map[string][]string{
		"GandiInstanceExpiringWithoutAutorenew": {"gandi_operator_instance_expiry_timestamp_seconds", "gandi_operator_instance_autorenew", "< 7 * 86400", "== 0"},
		"GandiOperatorObjectsNotReady":          {"gandi_operator_objects", `condition="Ready"`, `status!="True"`},
		"GandiAPIRateLimited":                   {"gandi_api_requests_total", `code="429"`},
		"GandiAPIServerErrors":                  {"gandi_api_requests_total", `code=~"5.."`},
	} {
		for _, w := range want {
			if !strings.Contains(exprs[alert], w) {
				t.Errorf("%s: %q does not contain %q", alert, exprs[alert], w)
			}
		}
	}
	for _, expr := range exprs {
		checkMetricNames(t, expr)
	}

	t.Run("the ServiceMonitor keeps the instances' namespace label", func(t *testing.T) {
		// The expiry alert groups by the HostingInstance's namespace.
		sm := parse(t, renderChart(t, "metrics.serviceMonitor.enabled=true")).one(t, "ServiceMonitor")
		endpoints, _ := sm.raw["spec"].(map[string]any)["endpoints"].([]any)
		if len(endpoints) != 1 || endpoints[0].(map[string]any)["honorLabels"] != true {
			t.Errorf("ServiceMonitor endpoints %v: want honorLabels: true", endpoints)
		}
	})

	t.Run("promtool check rules", func(t *testing.T) {
		promtool := promtoolBin(t)
		// The rule file is spec.groups as rendered; JSON is YAML to promtool.
		groups, err := json.Marshal(map[string]any{"groups": obj.raw["spec"].(map[string]any)["groups"]})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "gandi-operator-rules.yaml")
		if err := os.WriteFile(path, groups, 0o600); err != nil {
			t.Fatal(err)
		}
		out, _ := run(t, nil, promtool, "check", "rules", path)
		if !strings.Contains(out, fmt.Sprintf("SUCCESS: %d rules found", len(alerts))) {
			t.Errorf("promtool check rules:\n%s", out)
		}
	})
}

func TestChartGrafanaDashboard(t *testing.T) {
	objs := parse(t, renderChart(t,
		"grafanaDashboard.enabled=true",
		"grafanaDashboard.namespace=monitoring",
		"grafanaDashboard.annotations.grafana_folder=Gandi",
	))
	cm := objs.one(t, "ConfigMap")
	meta := cm.raw["metadata"].(map[string]any)
	labels, _ := meta["labels"].(map[string]any)
	annotations, _ := meta["annotations"].(map[string]any)
	if cm.Namespace != "monitoring" || labels["grafana_dashboard"] != "1" || annotations["grafana_folder"] != "Gandi" {
		t.Errorf("dashboard ConfigMap %s/%s labels %v annotations %v", cm.Namespace, cm.Name, labels, annotations)
	}
	data, _ := cm.raw["data"].(map[string]any)
	raw, _ := data["gandi-operator.json"].(string)
	var dash struct {
		UID    string `json:"uid"`
		Title  string `json:"title"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal([]byte(raw), &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	if dash.UID != "gandi-operator" || dash.Title == "" {
		t.Errorf("dashboard uid %q title %q", dash.UID, dash.Title)
	}
	var all []string
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			all = append(all, tg.Expr)
			checkMetricNames(t, tg.Expr)
		}
	}
	joined := strings.Join(all, "\n")
	// What the issue asks the dashboard to show.
	for what, metric := range map[string]string{
		"objects by kind and condition":  "gandi_operator_objects",
		"Gandi requests by route, code":  "sum by (route, code) (rate(gandi_api_requests_total",
		"rate-limit waits":               "gandi_api_rate_limit_wait_seconds",
		"reconcile latency":              "controller_runtime_reconcile_time_seconds_bucket",
		"instances expiring (the gauge)": "gandi_operator_instance_expiry_timestamp_seconds",
	} {
		if !strings.Contains(joined, metric) {
			t.Errorf("no panel shows %s (%s)", what, metric)
		}
	}

	t.Run("promtool parses every query", func(t *testing.T) {
		// Each query, with Grafana's variables replaced, as a recording
		// rule: promtool check rules parses it as Prometheus would.
		promtool := promtoolBin(t)
		vars := strings.NewReplacer("$__rate_interval", "5m", "$job", ".+")
		rules := make([]map[string]string, 0, len(all))
		for i, expr := range all {
			rules = append(rules, map[string]string{"record": fmt.Sprintf("dashboard:query_%d", i), "expr": vars.Replace(expr)})
		}
		file, err := json.Marshal(map[string]any{"groups": []any{map[string]any{"name": "dashboard", "rules": rules}}})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "dashboard-queries.yaml")
		if err := os.WriteFile(path, file, 0o600); err != nil {
			t.Fatal(err)
		}
		out, _ := run(t, nil, promtool, "check", "rules", path)
		if !strings.Contains(out, fmt.Sprintf("SUCCESS: %d rules found", len(rules))) {
			t.Errorf("promtool check rules:\n%s", out)
		}
	})

	t.Run("helm lint with every monitoring object on", func(t *testing.T) {
		run(t, nil, helmBin(t), "lint", "--strict", chartDir, "--namespace", namespace,
			"--set", "metrics.serviceMonitor.enabled=true",
			"--set", "prometheusRule.enabled=true",
			"--set", "grafanaDashboard.enabled=true")
	})
}

// metricNames are the operator's own metrics, read from where they are
// defined, plus the controller-runtime metrics the rules and dashboard use.
var metricNames = func() []string {
	names := []string{"controller_runtime_reconcile_time_seconds", "controller_runtime_reconcile_total"}
	for _, f := range []string{"internal/gandi/metrics.go", "internal/controller/metrics.go"} {
		src, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			panic(err)
		}
		for _, m := range regexp.MustCompile(`"(gandi_[a-z_]+)"`).FindAllSubmatch(src, -1) {
			names = append(names, string(m[1]))
		}
	}
	return names
}()

// checkMetricNames fails for a metric in expr that the operator does not
// expose (a typo, or a metric renamed since).
func checkMetricNames(t *testing.T, expr string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`\b((?:gandi|controller_runtime)_[a-z_]+)`).FindAllStringSubmatch(expr, -1) {
		name := m[1]
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(name, suffix); ok && slices.Contains(metricNames, base) {
				name = base
			}
		}
		if !slices.Contains(metricNames, name) {
			t.Errorf("%q uses %s, which the operator does not expose (it has %v)", expr, m[1], metricNames)
		}
	}
}

// promtoolBin is the promtool `make promtool` builds (or $PROMTOOL). It is
// built from the Go module proxy; where that failed, the check is skipped.
func promtoolBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("PROMTOOL")
	if bin == "" {
		mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^PROMTOOL_VERSION \?= (\S+)$`).FindSubmatch(mk)
		if m == nil {
			t.Fatal("Makefile: no PROMTOOL_VERSION")
		}
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		bin = filepath.Join(home, ".cache", "gandi-operator", "promtool", string(m[1]), "promtool")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("promtool is missing at %s (`make promtool` builds it from the Go module proxy; `make test` tries): skipping promtool check rules", bin)
	}
	return bin
}
