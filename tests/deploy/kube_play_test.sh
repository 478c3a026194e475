#!/usr/bin/env bash
# The DaemonSet's pod, run: `podman kube play` of the Pod a kubelet would
# make from deploy/kubernetes/ecli-daemonset.yaml's template
# (pod_from_daemonset.py says what it adapts and why), with the image built
# from docker/Dockerfile (tests/image/lib.sh; a cache hit after the image
# tests) and examples/sigsnoop packaged by it. Its securityContext is
# unchanged: capabilities BPF, PERFMON, SYS_RESOURCE, no privileged,
# seccomp unconfined, read-only root, the template's mounts.
#   - with --metrics in `ecli run --help`: the pod's args as written
#     (--metrics :PORT -q), and `curl http://127.0.0.1:PORT/metrics` from the
#     host must show "ecli_up 1"; the readiness probe's request, made by hand
#     (podman 4.3 ignores readinessProbe);
#   - without: --metrics and -q taken out, -j in, and the signal the test
#     sends to a sleeper of its own must be in the pod's log.
# podman 4.3 does not run DaemonSets (kube play: Pods, Deployments, PVCs) and
# ignores hostPID (supported from podman 4.5): the test reports what the
# container got. On this kind of machine podman needs runc and the process's
# own rlimits (tests/image/lib.sh, podman_setup).
# Exit 77 = skipped (no root, podman or python3-yaml), unless
# ECC_REQUIRE_KERNEL=1.
set -euo pipefail
name="kube play"
source "$(dirname "$0")/../image/lib.sh"
image=localhost/ecc:agent-test
python=/usr/bin/python3
pod=ecc-kube-play-test

[ "$(id -u)" -eq 0 ] || skip "needs root"
for tool in podman debootstrap curl; do command -v "$tool" >/dev/null || skip "needs $tool"; done
"$python" -c 'import yaml' 2>/dev/null || skip "needs $python with yaml (python3-yaml)"
podman kube play --help >/dev/null 2>&1 || skip "this podman has no 'kube play'"
[ -e /sys/kernel/btf/vmlinux ] || skip "needs a kernel with BTF (/sys/kernel/btf/vmlinux)"
[ -d /sys/kernel/tracing/events ] || skip "needs tracefs at /sys/kernel/tracing (scripts/mount-kernel-fs.sh)"

build_image "$image"
echo "kube play: image built in $build_seconds s"

work=$(mktemp -d)
podman_conf=""
sleeper=""
cleanup() {
  [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
  podman pod rm -f -t 0 "$pod" >/dev/null 2>&1 || true
  [ -z "$podman_conf" ] || rm -f "$podman_conf"
  rm -rf "$work"
}
trap cleanup EXIT
podman_setup "$image"
echo "kube play: $podman_note"
fail() {
  echo "kube play: FAIL: $*" >&2
  podman logs "$pod-ecli" 2>&1 | tail -n 20 >&2 || true
  exit 1
}
passed=0

mkdir -p "$work/sig"
cp "$repo/examples/sigsnoop/sigsnoop.bpf.c" "$repo/examples/sigsnoop/sigsnoop.h" "$work/sig/"
podman run --rm -v "$work/sig":/src "$image" >"$work/out" 2>&1 || fail "packaging sigsnoop: $(cat "$work/out")"

podman run --rm "$image" ecli run --help >"$work/help" 2>&1 || fail "ecli run --help: $(cat "$work/help")"
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mode=()
if grep -q -- '--metrics' "$work/help"; then
  echo "kube play: ecli has --metrics: the pod's args as written, metrics on :$port"
else
  mode=(--no-metrics)
  echo "kube play: ecli run --help does not list --metrics: the pod runs without '--metrics :9464 -q', events are the check"
fi
"$python" "$repo/tests/deploy/pod_from_daemonset.py" "$repo/deploy/kubernetes/ecli-daemonset.yaml" \
  "$image" "$work/sig" "$port" "$pod" "${mode[@]}" >"$work/pod.yaml" || fail "pod_from_daemonset.py"

podman pod rm -f -t 0 "$pod" >/dev/null 2>&1 || true
sleep 60 &
sleeper=$!
disown "$sleeper"
podman kube play "$work/pod.yaml" >"$work/play" 2>&1 || fail "podman kube play: $(cat "$work/play")"
ctr="$pod-ecli"
# The container's stdout and stderr, into files: grep -q on a pipe would end
# podman logs early, a failure under pipefail.
logs() { podman logs "$ctr" >"$work/log.out" 2>"$work/log.err" || true; }
for _ in $(seq 100); do
  logs
  grep -q 'ecli: attached' "$work/log.err" && break
  [ "$(podman inspect -f '{{.State.Running}}' "$ctr" 2>/dev/null)" = true ] || break
  sleep 0.2
done
grep -q 'ecli: attached' "$work/log.err" ||
  fail "the pod's ecli did not attach (state: $(podman inspect -f '{{.State.Status}} exit {{.State.ExitCode}}' "$ctr" 2>&1))"
echo "kube play: attached in the pod; $(podman inspect -f 'pid namespace {{.HostConfig.PidMode}}, capabilities {{.HostConfig.CapAdd}}, read-only root {{.HostConfig.ReadonlyRootfs}}' "$ctr")"
[ "$(podman inspect -f '{{.HostConfig.PidMode}}' "$ctr")" = host ] ||
  echo "kube play: note: podman $(podman version -f '{{.Client.Version}}') ignored hostPID (kube play supports it from 4.5); the events' pids are the kernel's (host) pids either way"
passed=$((passed + 1))

if [ ${#mode[@]} -eq 0 ]; then
  got=""
  for _ in $(seq 50); do
    if got=$(curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null) && grep -q '^ecli_up{[^}]*} 1$' <<<"$got"; then break; fi
    got=""
    sleep 0.1
  done
  [ -n "$got" ] || fail "no 'ecli_up 1' at http://127.0.0.1:$port/metrics"
  logs
  [ ! -s "$work/log.out" ] || fail "-q: the pod's stdout has events: $(head -n 3 "$work/log.out")"
  echo "kube play: /metrics from the host: ecli_up 1, $(grep -c '^ecli_' <<<"$got") ecli_ samples"
else
  sleep 0.3
  kill -USR2 "$sleeper"
  for _ in $(seq 25); do
    logs
    grep "\"tpid\":$sleeper[,}]" "$work/log.out" | grep -q '"sig":12[,}]' && break
    sleep 0.2
  done
  grep "\"tpid\":$sleeper[,}]" "$work/log.out" | grep -q '"sig":12[,}]' ||
    fail "no signal 12 to $sleeper in the pod's log"
  echo "kube play: the pod's log has the signal 12 sent to host pid $sleeper"
fi
passed=$((passed + 1))

# Stopping the pod is a SIGTERM: ecli detaches and exits 0.
podman pod stop -t 10 "$pod" >/dev/null 2>&1 || fail "podman pod stop"
code=$(podman inspect -f '{{.State.ExitCode}}' "$ctr")
[ "$code" = 0 ] || fail "ecli exited $code on SIGTERM"
passed=$((passed + 1))

echo "kube play: $passed passed, 0 failed"
