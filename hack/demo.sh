#!/usr/bin/env bash
# The README's first command (`make demo`): a local control plane with the
# CRDs, the samples applied, and everything left running to explore.
#   hack/demo.sh        start (or restart) the demo
#   hack/demo.sh stop   stop everything it started
set -euo pipefail
cd "$(dirname "$0")/.."

DEMO_DIR="${DEMO_DIR:-${TMPDIR:-/tmp}/gandi-operator-demo}"
KUBECONFIG_FILE="$DEMO_DIR/kubeconfig"

stop() {
  for pidfile in "$DEMO_DIR"/*.pid; do
    [[ -f "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
  done
}

wait_for_file() {
  local file=$1 what=$2 pidfile=$3
  for _ in $(seq 600); do
    [[ -s "$file" ]] && return 0
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "demo: $what exited; see $DEMO_DIR/*.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "demo: $what did not start in 60s; see $DEMO_DIR/*.log" >&2
  exit 1
}

if [[ "${1:-}" == "stop" ]]; then
  stop
  echo "demo stopped"
  exit 0
fi

stop
mkdir -p "$DEMO_DIR"
assets="$(hack/control-plane.sh)"
export KUBEBUILDER_ASSETS="$assets"
kubectl=("$assets/kubectl" --kubeconfig "$KUBECONFIG_FILE")

go build -o "$DEMO_DIR/localcp" ./hack/localcp
rm -f "$KUBECONFIG_FILE"
"$DEMO_DIR/localcp" -write-kubeconfig "$KUBECONFIG_FILE" -crds config/crd/bases >"$DEMO_DIR/control-plane.log" 2>&1 &
echo $! >"$DEMO_DIR/control-plane.pid"
wait_for_file "$KUBECONFIG_FILE" "the control plane" "$DEMO_DIR/control-plane.pid"
echo "demo: control plane up (kube-apiserver + etcd from $assets)"

"${kubectl[@]}" create secret generic gandi-credentials --from-literal=token=pat_demo-token \
  --dry-run=client -o yaml | "${kubectl[@]}" apply -f -
"${kubectl[@]}" create secret generic shop-password --from-literal=password='demo-password-1' \
  --dry-run=client -o yaml | "${kubectl[@]}" apply -f -
"${kubectl[@]}" apply -k config/samples

"${kubectl[@]}" get gandi
cat <<HINT

demo: explore with  export KUBECONFIG=$KUBECONFIG_FILE; $assets/kubectl get gandi
demo: stop with     make demo-stop
HINT
