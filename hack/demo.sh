#!/usr/bin/env bash
# The README's first command (`make demo`): a local control plane with the
# CRDs, the Gandi simulator, the operator, the samples applied and shown
# becoming Ready, and everything left running to explore.
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
make --no-print-directory build LOCALBIN="$DEMO_DIR/bin" >/dev/null
rm -f "$KUBECONFIG_FILE"
"$DEMO_DIR/localcp" -write-kubeconfig "$KUBECONFIG_FILE" -crds config/crd/bases >"$DEMO_DIR/control-plane.log" 2>&1 &
echo $! >"$DEMO_DIR/control-plane.pid"
wait_for_file "$KUBECONFIG_FILE" "the control plane" "$DEMO_DIR/control-plane.pid"
echo "demo: control plane up (kube-apiserver + etcd from $assets)"

sim_addr="127.0.0.1:${DEMO_SIM_PORT:-18080}"
"$DEMO_DIR/bin/gandisim" -listen "$sim_addr" -seed hack/demo-seed.yaml >"$DEMO_DIR/gandisim.log" 2>&1 &
echo $! >"$DEMO_DIR/gandisim.pid"
# http_ok HOST:PORT PATH: a 200 answer, with bash alone (no curl needed).
http_ok() {
  local hostport=$1 path=$2 status
  # The braces carry the redirection of stderr: on exec alone, bash still
  # prints "Connection refused" while the server is starting.
  { exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" >&3
  read -r _ status _ <&3 || status=""
  exec 3<&- 3>&-
  [[ "$status" == "200" ]]
}
wait_http() {
  for _ in $(seq 300); do http_ok "$1" "$2" && return 0; sleep 0.1; done
  echo "demo: http://$1$2 did not answer; see $DEMO_DIR/*.log" >&2
  exit 1
}
wait_http "$sim_addr" /_sim/counters
echo "demo: Gandi simulator up at http://$sim_addr (state: http://$sim_addr/_sim/state)"

"$DEMO_DIR/bin/manager" --kubeconfig "$KUBECONFIG_FILE" --gandi-api-url "http://$sim_addr" \
  --gandi-xmlrpc-url "http://$sim_addr/xmlrpc/" \
  --metrics-bind-address 127.0.0.1:18081 --health-probe-bind-address 127.0.0.1:18082 \
  --poll-interval 30s --transitional-interval 1s >"$DEMO_DIR/manager.log" 2>&1 &
echo $! >"$DEMO_DIR/manager.pid"
wait_http 127.0.0.1:18082 /readyz
echo "demo: operator up (metrics: http://127.0.0.1:18081/metrics)"

"${kubectl[@]}" create secret generic gandi-credentials --from-literal=token=pat_demo-token \
  --dry-run=client -o yaml | "${kubectl[@]}" apply -f -
"${kubectl[@]}" create secret generic shop-password --from-literal=password='demo-password-1' \
  --dry-run=client -o yaml | "${kubectl[@]}" apply -f -
"${kubectl[@]}" create secret generic gandi-apikey --from-literal=apikey=demo-legacy-apikey \
  --dry-run=client -o yaml | "${kubectl[@]}" apply -f -
"${kubectl[@]}" create secret generic legacy-site-password --from-literal=password='demo-password-2' \
  --dry-run=client -o yaml | "${kubectl[@]}" apply -f -
"${kubectl[@]}" apply -k config/samples

echo "demo: waiting for every sample to be Ready"
for obj in hostinginstance/shop vhost/shop-www template/shop-domain templateapplication/shop-domain paasinstance/legacy-site; do
  "${kubectl[@]}" wait --for=condition=Ready "$obj" --timeout=180s
done
"${kubectl[@]}" get gandi
cat <<HINT

demo: explore with  export KUBECONFIG=$KUBECONFIG_FILE; $assets/kubectl get gandi
demo: stop with     make demo-stop
HINT
