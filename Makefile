# gandi-operator Makefile. Tools are pinned here and installed into bin/ by
# the Makefile itself; the control plane (kube-apiserver, etcd, kubectl) is
# built from Go module sources by hack/control-plane.sh into a cache outside
# the repository.

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The Helm chart's appVersion is the image tag both install paths use
# (dist/install.yaml and the chart's default image.tag).
CHART_DIR ?= charts/gandi-operator
APP_VERSION ?= $(shell sed -n 's/^appVersion: *"*\([^"]*\)"*$$/\1/p' $(CHART_DIR)/Chart.yaml)
IMG ?= ghcr.io/gandi-operator/gandi-operator:$(APP_VERSION)

CONTROLLER_TOOLS_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION ?= v2.15.0
HELM_VERSION ?= v4.3.1
K8S_VERSION ?= v1.37.2
# promtool checks the chart's PrometheusRule (test/install). The module
# github.com/prometheus/prometheus tags Prometheus 3.x as v0.3xx.y.
PROMTOOL_VERSION ?= v0.316.0

LOCALBIN ?= $(CURDIR)/bin
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
HELM ?= $(LOCALBIN)/helm-$(HELM_VERSION)
# The ginkgo CLI runs the controllers' suite in parallel processes; its
# version is the library's, from go.mod.
GINKGO_VERSION ?= $(shell go list -m -f '{{.Version}}' github.com/onsi/ginkgo/v2)
GINKGO ?= $(LOCALBIN)/ginkgo-$(GINKGO_VERSION)
# promtool pulls in Prometheus' service discovery and takes minutes to
# build, so it lives in a cache outside the repository (like the control
# plane) and survives `git clean`.
PROMTOOL_DIR ?= $(HOME)/.cache/gandi-operator/promtool/$(PROMTOOL_VERSION)
PROMTOOL ?= $(PROMTOOL_DIR)/promtool

# The same flags the Dockerfile builds with (a test checks they agree).
LDFLAGS ?= -s -w -X github.com/gandi-operator/gandi-operator/internal/version.Version=$(VERSION)
GO_BUILD_FLAGS ?= -trimpath -ldflags "$(LDFLAGS)"

SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  %-18s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate the CRDs and the RBAC role from the markers.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd:allowDangerousTypes=false paths="./api/..." paths="./internal/controller/..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	@# The Helm chart carries copies of the generated CRDs and ClusterRole
	@# (Helm cannot read files outside the chart); test/install checks them.
	rm -f $(CHART_DIR)/crds/*.yaml
	cp config/crd/bases/*.yaml $(CHART_DIR)/crds/
	cp config/rbac/role.yaml $(CHART_DIR)/files/manager-role.yaml

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate the DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## Run gofmt.
	gofmt -l -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## Run go vet.
	go vet ./...
	go vet -tags e2e ./test/e2e/... ./test/plugin/...


.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint (config in .golangci.yml).
	$(GOLANGCI_LINT) run ./...

.PHONY: control-plane
control-plane: ## Build kube-apiserver, etcd and kubectl into the cache (once) and print the directory.
	@K8S_VERSION=$(K8S_VERSION) hack/control-plane.sh

.PHONY: test
test: $(HELM) $(GINKGO) ## Run every test: unit, simulator, envtest (controllers, admission) and end to end.
	@# promtool is optional: without it, test/install skips `promtool check rules` and says so.
	$(MAKE) promtool || echo "promtool could not be built: test/install skips promtool check rules"
	PROMTOOL="$(PROMTOOL)" KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) hack/control-plane.sh)" go test ./... -count=1 -timeout 25m -skip '^TestControllers$$'
	@# The controllers' envtest suite, in two processes, each with its own
	@# control plane: its specs mostly wait (Gandi's states, graces, polls),
	@# so two processes take half the time of one (about 11 minutes, not 22).
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) hack/control-plane.sh)" $(GINKGO) -p --procs=2 --timeout=25m --no-color ./internal/controller
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) hack/control-plane.sh)" go test -tags e2e ./test/e2e/... ./test/plugin/... -count=1 -v -timeout 20m

.PHONY: test-crash
test-crash: ## Run only the end-to-end crash loop (part of make test); E2E_CRASH_SEED=<seed> replays a run's kill schedule.
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) hack/control-plane.sh)" go test -tags e2e ./test/e2e/... -count=1 -v -timeout 10m -run '^TestCrashLoop$$'

# The scale benchmark: the built manager and simulator on a local control
# plane, N instances with 3 vhosts each; it prints figures (README,
# "Performance"), passes or fails nothing, and is not part of `make test`.
# N=100 takes minutes, N=1000 much longer on a small machine.
BENCH_N ?= 100,1000
BENCH_FLAGS ?=
.PHONY: bench-scale
bench-scale: build ## Run the scale benchmark (BENCH_N=100,1000; BENCH_FLAGS=-poll 20s -secrets 10000 ...).
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) hack/control-plane.sh)" go run ./test/scale -n $(BENCH_N) $(BENCH_FLAGS)

.PHONY: fuzz
fuzz: ## Run each fuzz target for a fixed number of executions.
	hack/fuzz.sh 20000x

##@ Build

.PHONY: build
build: ## Build the manager, the simulator and the kubectl plugin into bin/.
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(LOCALBIN)/manager ./cmd
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(LOCALBIN)/gandisim ./cmd/gandisim
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(LOCALBIN)/kubectl-gandi ./cmd/kubectl-gandi

.PHONY: build-installer
build-installer: manifests ## Write dist/install.yaml: CRDs, RBAC and the manager in one file, image $(IMG).
	mkdir -p dist
	"$$(K8S_VERSION=$(K8S_VERSION) hack/control-plane.sh)/kubectl" kustomize config/default \
		| sed 's#ghcr.io/gandi-operator/gandi-operator:[^[:space:]"]*#$(IMG)#' > dist/install.yaml

.PHONY: demo
demo: ## Run the operator end to end on a local control plane and the Gandi simulator.
	hack/demo.sh

##@ Tools

$(LOCALBIN):
	mkdir -p $(LOCALBIN)

$(CONTROLLER_GEN): | $(LOCALBIN)
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)
	mv $(LOCALBIN)/controller-gen $@

$(GOLANGCI_LINT): | $(LOCALBIN)
	GOBIN=$(LOCALBIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(LOCALBIN)/golangci-lint $@

$(GINKGO): | $(LOCALBIN)
	GOBIN=$(LOCALBIN) go install github.com/onsi/ginkgo/v2/ginkgo
	mv $(LOCALBIN)/ginkgo $@

$(HELM): | $(LOCALBIN)
	GOBIN=$(LOCALBIN) go install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION)
	mv $(LOCALBIN)/helm $@

$(PROMTOOL):
	mkdir -p $(PROMTOOL_DIR)
	GOBIN=$(PROMTOOL_DIR) go install github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)

.PHONY: promtool
promtool: $(PROMTOOL) ## Build promtool (for the chart's PrometheusRule check) into $(PROMTOOL_DIR).

.PHONY: tools
tools: $(CONTROLLER_GEN) $(GOLANGCI_LINT) $(HELM) ## Install the pinned tools into bin/.

.PHONY: demo-stop
demo-stop: ## Stop what `make demo` started.
	hack/demo.sh stop

##@ Helm chart

.PHONY: helm-lint
helm-lint: $(HELM) ## Lint the chart and render it with its default values.
	$(HELM) lint --strict $(CHART_DIR)
	$(HELM) template gandi-operator $(CHART_DIR) --namespace gandi-operator-system --include-crds >/dev/null

.PHONY: helm-package
helm-package: manifests $(HELM) ## Package the chart into dist/.
	mkdir -p dist
	$(HELM) package $(CHART_DIR) --destination dist
