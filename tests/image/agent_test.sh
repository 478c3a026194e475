#!/usr/bin/env bash
# ecli as a node agent in the image (docs/node-agent.md), with `podman run`
# as a user runs it, on this machine's kernel:
#   1. `podman run -v DIR:/src IMAGE` packages examples/sigsnoop (ecc);
#      `IMAGE ecli --version` reaches ecli through the entry point.
#   2. `podman run --privileged --pid=host --network host -v /sys/kernel:/sys/kernel
#      IMAGE ecli run -j PACKAGE -s 12`: attaches and prints the signal the
#      test sends to a sleeper of its own (its host pid in the event).
#   3. The DaemonSet's least privilege: --cap-drop all --cap-add
#      BPF,PERFMON,SYS_RESOURCE, seccomp unconfined, read-only root, only
#      tracefs and /sys/kernel/btf mounted: the same event.
#   4. Without /sys/kernel mounted, the tracepoint cannot attach: exit 3,
#      the tracepoint named (why the mount is in every command line).
#   5. --metrics: when `ecli run --help` lists it, `ecli run --metrics :PORT -q`
#      in the container and `curl http://127.0.0.1:PORT/metrics` from the
#      host: "ecli_up 1". Otherwise this part says so and is not counted.
# podman run needs two adjustments on this kind of machine (tests/image/lib.sh,
# podman_setup): runc instead of crun (hybrid cgroups) and the process's own
# rlimits (root without CAP_SYS_RESOURCE); the test prints which it used.
# Exit 77 = skipped (no root or no podman), unless ECC_REQUIRE_KERNEL=1.
set -euo pipefail
name="agent test"
source "$(dirname "$0")/lib.sh"
image=localhost/ecc:agent-test

[ "$(id -u)" -eq 0 ] || skip "needs root"
for tool in podman debootstrap curl; do command -v "$tool" >/dev/null || skip "needs $tool"; done
[ -e /sys/kernel/btf/vmlinux ] || skip "needs a kernel with BTF (/sys/kernel/btf/vmlinux)"
[ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ] ||
  skip "needs tracefs (scripts/mount-kernel-fs.sh mounts it)"

build_image "$image"
echo "agent test: image built in $build_seconds s"

work=$(mktemp -d)
podman_conf=""
sleeper=""
cleanup() {
  [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
  podman rm -f -t 0 ecc-agent-test >/dev/null 2>&1 || true
  [ -z "$podman_conf" ] || rm -f "$podman_conf"
  rm -rf "$work"
}
trap cleanup EXIT
podman_setup "$image"
echo "agent test: $podman_note"
fail() { echo "agent test: FAIL: $*" >&2; [ ! -s "$work/err" ] || cat "$work/err" >&2; exit 1; }
passed=0

# 1. The packaging side, through podman run.
mkdir -p "$work/sig"
cp "$repo/examples/sigsnoop/sigsnoop.bpf.c" "$repo/examples/sigsnoop/sigsnoop.h" "$work/sig/"
podman run --rm -v "$work/sig":/src "$image" >"$work/out" 2>"$work/err" || fail "podman run -v DIR:/src IMAGE"
grep -q '"bpf_object"' "$work/sig/package.json" || fail "no package.json with a bpf_object"
podman run --rm "$image" ecli --version >"$work/out" 2>"$work/err" || fail "IMAGE ecli --version"
grep -q '^ecli ' "$work/out" || fail "IMAGE ecli --version printed $(cat "$work/out")"
passed=$((passed + 1))

# Runs `podman run OPTIONS... IMAGE ecli run -j -d 6 /pkg/package.json -s 12`
# (the package mounted read-only at /pkg), sends SIGUSR2 to a sleeper of the
# test's own once ecli says it attached, and checks the event.
sees_signal() {  # what podman-run-options...
  local what=$1
  shift
  sleep 60 &
  sleeper=$!
  disown "$sleeper"
  : >"$work/ecli.err"
  podman run --rm --name ecc-agent-test "$@" -v "$work/sig":/pkg:ro "$image" \
    ecli run -j -d 6 /pkg/package.json -s 12 >"$work/ecli.out" 2>"$work/ecli.err" &
  local ecli_pid=$! rc=0
  for _ in $(seq 150); do
    grep -q 'ecli: attached' "$work/ecli.err" && break
    kill -0 "$ecli_pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q 'ecli: attached' "$work/ecli.err" || { wait "$ecli_pid" || true; cp "$work/ecli.err" "$work/err"; fail "$what: ecli did not attach"; }
  sleep 0.3
  kill -USR2 "$sleeper"
  wait "$ecli_pid" || rc=$?
  kill "$sleeper" 2>/dev/null || true
  cp "$work/ecli.err" "$work/err"
  [ "$rc" -eq 0 ] || fail "$what: podman run ... ecli run exited $rc"
  grep "\"tpid\":$sleeper[,}]" "$work/ecli.out" | grep -q '"sig":12[,}]' ||
    fail "$what: no signal 12 to $sleeper in: $(cat "$work/ecli.out")"
  echo "agent test: $what: attached, saw signal 12 to host pid $sleeper"
  sleeper=""
  passed=$((passed + 1))
}

# 2. The documented command line.
sees_signal "privileged" --privileged --pid=host --network host -v /sys/kernel:/sys/kernel

# 3. The DaemonSet's securityContext and mounts.
tracing=/sys/kernel/tracing
[ -d "$tracing/events" ] || tracing=/sys/kernel/debug/tracing
sees_signal "capabilities BPF,PERFMON,SYS_RESOURCE" --pid=host --network host \
  --cap-drop all --cap-add BPF,PERFMON,SYS_RESOURCE --security-opt seccomp=unconfined --read-only \
  -v "$tracing":/sys/kernel/tracing -v /sys/kernel/btf:/sys/kernel/btf:ro

# 4. Without the host's /sys/kernel: a container's sysfs has no tracefs.
rc=0
podman run --rm --privileged --pid=host -v "$work/sig":/pkg:ro "$image" \
  ecli run -d 1 /pkg/package.json >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" -eq 3 ] || fail "without /sys/kernel mounted: exit $rc, expected 3"
grep -q "cannot attach program 'sig_trace' (tracepoint/signal/signal_generate)" "$work/err" ||
  fail "without /sys/kernel mounted: no message naming the tracepoint"
passed=$((passed + 1))

# 5. Metrics, when this ecli has them.
podman run --rm "$image" ecli run --help >"$work/help" 2>&1 || fail "ecli run --help"
if ! grep -q -- '--metrics' "$work/help"; then
  echo "agent test: metrics: not checked: this ecli's 'ecli run --help' does not list --metrics"
else
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  quiet=(); grep -qE '(^|[ ,])-q([ ,]|$)' "$work/help" && quiet=(-q)
  : >"$work/err"
  podman run --rm --name ecc-agent-test --privileged --pid=host --network host -v /sys/kernel:/sys/kernel \
    -v "$work/sig":/pkg:ro "$image" ecli run --metrics ":$port" "${quiet[@]}" -d 20 /pkg/package.json \
    >"$work/out" 2>"$work/err" &
  ecli_pid=$!
  got=""
  for _ in $(seq 150); do
    if got=$(curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null) && grep -q '^ecli_up{[^}]*} 1$' <<<"$got"; then break; fi
    kill -0 "$ecli_pid" 2>/dev/null || break
    got=""
    sleep 0.1
  done
  podman stop -t 5 ecc-agent-test >/dev/null 2>&1 || true
  rc=0; wait "$ecli_pid" || rc=$?
  [ -n "$got" ] || fail "metrics: no 'ecli_up 1' at http://127.0.0.1:$port/metrics (ecli exited $rc)"
  [ "$rc" -eq 0 ] || fail "metrics: ecli exited $rc after SIGTERM"
  if [ ${#quiet[@]} -gt 0 ] && [ -s "$work/out" ]; then fail "metrics: -q printed events: $(head -n 3 "$work/out")"; fi
  echo "agent test: metrics: ecli_up 1 at :$port ($(grep -c '^ecli_' <<<"$got") ecli_ samples)"
  passed=$((passed + 1))
fi

echo "agent test: $passed passed, 0 failed"
