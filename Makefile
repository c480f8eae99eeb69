# gandi-operator Makefile. Tools are pinned here and installed into bin/ by
# the Makefile itself; the control plane (kube-apiserver, etcd, kubectl) is
# built from Go module sources by hack/control-plane.sh into a cache outside
# the repository.

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMG ?= ghcr.io/gandi-operator/gandi-operator:$(VERSION)

CONTROLLER_TOOLS_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION ?= v2.15.0
HELM_VERSION ?= v4.3.1
K8S_VERSION ?= v1.37.2

LOCALBIN ?= $(CURDIR)/bin
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
HELM ?= $(LOCALBIN)/helm-$(HELM_VERSION)

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

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate the DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## Run gofmt.
	gofmt -l -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## Run go vet.
	go vet ./...
	go vet -tags e2e ./test/e2e/...


.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint (config in .golangci.yml).
	$(GOLANGCI_LINT) run ./...

.PHONY: control-plane
control-plane: ## Build kube-apiserver, etcd and kubectl into the cache (once) and print the directory.
	@K8S_VERSION=$(K8S_VERSION) hack/control-plane.sh

.PHONY: test
test: ## Run every test: unit, simulator, envtest (controllers, admission) and end to end.
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) hack/control-plane.sh)" go test ./... -count=1
	KUBEBUILDER_ASSETS="$$(K8S_VERSION=$(K8S_VERSION) hack/control-plane.sh)" go test -tags e2e ./test/e2e/... -count=1 -v -timeout 20m

.PHONY: fuzz
fuzz: ## Run each fuzz target briefly.
	hack/fuzz.sh 10s

##@ Build

.PHONY: build
build: ## Build the manager and the simulator into bin/.
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(LOCALBIN)/manager ./cmd
	CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(LOCALBIN)/gandisim ./cmd/gandisim

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

$(HELM): | $(LOCALBIN)
	GOBIN=$(LOCALBIN) go install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION)
	mv $(LOCALBIN)/helm $@

.PHONY: tools
tools: $(CONTROLLER_GEN) $(GOLANGCI_LINT) ## Install the pinned tools into bin/.

.PHONY: demo-stop
demo-stop: ## Stop what `make demo` started.
	hack/demo.sh stop
