#!/usr/bin/env bash
# Offline validation of deploy/kubernetes (docs/node-agent.md): no cluster.
#   kubectl apply --dry-run=client --validate=false -f deploy/kubernetes/ -o yaml
# against a stand-in API server that only answers discovery and says every
# object is absent (kubectl needs a server even for a client-side dry run;
# fake_apiserver.py), then check_manifests.py on its output: it parses, the
# DaemonSet's structure (apps/v1, selector = template labels, every mount
# has a volume...) and the node agent's fields (hostPID, capabilities,
# Prometheus annotations, --metrics); then the same checks on copies broken
# one way each, which they must all refuse. No write may reach the server.
# Exit 77 = skipped (no kubectl or python3-yaml), unless ECC_REQUIRE_KERNEL=1.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
here="$repo/tests/deploy"
python=/usr/bin/python3

skip() {
  if [ "${ECC_REQUIRE_KERNEL:-}" = 1 ]; then echo "deploy: FAIL: $*" >&2; exit 1; fi
  echo "deploy: skipped: $*" >&2; exit 77
}
fail() { echo "deploy: FAIL: $*" >&2; exit 1; }
command -v kubectl >/dev/null || skip "needs kubectl (scripts/install-deps.sh installs kubernetes-client)"
"$python" -c 'import yaml' 2>/dev/null || skip "needs $python with yaml (python3-yaml)"

work=$(mktemp -d)
server=""
cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$python" "$here/fake_apiserver.py" "$work/port" "$work/requests" &
server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "the stand-in API server did not start"
cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: offline, cluster: {server: "http://127.0.0.1:$(cat "$work/port")"}}]
contexts: [{name: offline, context: {cluster: offline, user: offline}}]
users: [{name: offline, user: {}}]
current-context: offline
EOF
passed=0

KUBECONFIG="$work/kubeconfig" kubectl --cache-dir "$work/cache" apply --dry-run=client --validate=false \
  -f "$repo/deploy/kubernetes/" -o yaml >"$work/dry.yaml" 2>"$work/err" ||
  fail "kubectl apply --dry-run=client: $(cat "$work/err")"
[ ! -s "$work/err" ] || fail "kubectl apply --dry-run=client printed: $(cat "$work/err")"
if grep -Ev '^GET ' "$work/requests"; then fail "the dry run sent writes to the server"; fi
echo "deploy: kubectl $(kubectl version --client 2>/dev/null | sed -n 's/^Client Version: //p') dry run: $(wc -l <"$work/dry.yaml") lines, $(wc -l <"$work/requests") requests, all GET"
passed=$((passed + 1))

"$python" "$here/check_manifests.py" --self-test "$work/dry.yaml" || fail "check_manifests.py"
passed=$((passed + 1))

echo "deploy: $passed passed, 0 failed"
