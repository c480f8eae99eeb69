#!/usr/bin/env bash
# Builds kube-apiserver, etcd and kubectl from Go module sources into a
# versioned cache outside the repository, then prints that directory (for
# KUBEBUILDER_ASSETS). Release downloads (setup-envtest's default) are not
# reachable from where this project is built and tested, so the control plane
# comes from the module proxy, like every other dependency.
#
# Usage: hack/control-plane.sh            # build if missing, print the dir
#        K8S_VERSION=v1.37.2 hack/control-plane.sh
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.37.2}"
# The staging modules (k8s.io/api, client-go, …) carry the v0.x twin of the
# Kubernetes version.
STAGING_VERSION="v0.${K8S_VERSION#v1.}"
CACHE_DIR="${GANDI_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gandi-operator}/k8s/${K8S_VERSION}"

log() { echo "control-plane: $*" >&2; }

have_all() {
  [[ -x "$CACHE_DIR/kube-apiserver" && -x "$CACHE_DIR/etcd" && -x "$CACHE_DIR/kubectl" ]]
}

if have_all; then
  echo "$CACHE_DIR"
  exit 0
fi

mkdir -p "$CACHE_DIR"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Kubernetes' own go.mod replaces every staging module with a local path,
# which only works inside its repository. Mirror those replaces with the
# published versions instead.
log "reading k8s.io/kubernetes@${K8S_VERSION} go.mod"
k8s_mod="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
[[ -f "$k8s_mod" ]] || { log "could not download k8s.io/kubernetes@${K8S_VERSION}"; exit 1; }
mapfile -t staging < <(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$k8s_mod")
(( ${#staging[@]} > 0 )) || { log "no staging replaces found in $k8s_mod"; exit 1; }
etcd_version="$(sed -n 's#^[[:space:]]*go.etcd.io/etcd/server/v3 \(v[^ ]*\).*#\1#p' "$k8s_mod" | head -n1)"
[[ -n "$etcd_version" ]] || { log "no etcd server version pinned in $k8s_mod"; exit 1; }

if [[ ! -x "$CACHE_DIR/kube-apiserver" || ! -x "$CACHE_DIR/kubectl" ]]; then
  mkdir -p "$work/k8s"
  (
    cd "$work/k8s"
    go mod init local/k8s-build >/dev/null 2>&1
    args=(-require "k8s.io/kubernetes@${K8S_VERSION}")
    for m in "${staging[@]}"; do
      args+=(-replace "${m}=${m}@${STAGING_VERSION}")
    done
    go mod edit "${args[@]}"
    log "resolving kubernetes ${K8S_VERSION} (${#staging[@]} staging modules at ${STAGING_VERSION})"
    GOFLAGS=-mod=mod go get "k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}" "k8s.io/kubernetes/cmd/kubectl@${K8S_VERSION}" >/dev/null 2>&1 || \
      GOFLAGS=-mod=mod go mod tidy >/dev/null
    log "building kube-apiserver and kubectl (a few minutes on 2 cores)"
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$work/bin/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
  )
  mv "$work/bin/kube-apiserver" "$work/bin/kubectl" "$CACHE_DIR/"
fi

if [[ ! -x "$CACHE_DIR/etcd" ]]; then
  mkdir -p "$work/etcd"
  (
    cd "$work/etcd"
    go mod init local/etcd-build >/dev/null 2>&1
    log "building etcd ${etcd_version}"
    GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@${etcd_version}" >/dev/null 2>&1
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$work/bin/etcd" go.etcd.io/etcd/server/v3
  )
  mv "$work/bin/etcd" "$CACHE_DIR/etcd"
fi

have_all || { log "build finished but binaries are missing in $CACHE_DIR"; exit 1; }
log "ready in $CACHE_DIR"
echo "$CACHE_DIR"
