#!/usr/bin/env bash
# Builds the ecc image with podman (no Docker engine here) from a locally
# bootstrapped Debian base, then runs its entrypoint the way `docker run -v
# "$PWD":/src IMAGE` would: podman create + mount, /src, /proc, /sys and /dev
# bound in, chroot. Packages an example and builds its app.wasm inside, runs
# the package with the image's ecli, and checks the final stage: its size,
# every installed binary and library resolves (ldd), no build tool in it.
# chroot rather than `podman run`: a plain `podman run` fails on some hosts
# (this machine kind: crun refuses hybrid cgroups, root cannot raise
# rlimits); agent_test.sh runs the image with podman run, adjusted.
# Exit 77 = skipped (no root or no podman), unless ECC_REQUIRE_KERNEL=1.
set -euo pipefail
name="image test"
source "$(dirname "$0")/lib.sh"
image=localhost/ecc:test

[ "$(id -u)" -eq 0 ] || skip "needs root"
for tool in podman debootstrap chroot; do command -v "$tool" >/dev/null || skip "needs $tool"; done

build_image "$image"
echo "image test: build $build_seconds s"
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image test: size $((size / 1000000)) MB"

work=$(mktemp -d)
ctr=$(podman create "$image")
mnt=$(podman mount "$ctr")
cleanup() {
  for m in src proc sys dev; do umount -R "$mnt/$m" 2>/dev/null || true; done
  podman umount "$ctr" >/dev/null 2>&1 || true
  podman rm -f "$ctr" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$mnt/src" "$mnt/proc" "$mnt/sys" "$mnt/dev"
mount -t proc proc "$mnt/proc"
mount --rbind /sys "$mnt/sys"
mount --rbind /dev "$mnt/dev"

# Runs the entrypoint with $1 bound at /src and the rest as its arguments.
run_image() {
  local dir=$1
  shift
  mount --bind "$dir" "$mnt/src"
  local rc=0
  chroot "$mnt" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root \
    /usr/local/bin/ecc-entrypoint "$@" >"$work/out" 2>"$work/err" || rc=$?
  umount "$mnt/src"
  return $rc
}
fail() { echo "image test: FAIL: $*" >&2; cat "$work/err" >&2; exit 1; }
in_image() { chroot "$mnt" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root "$@"; }
passed=0

# 0. The final stage: every ELF file ecc installed, and the tools it runs,
# finds all its libraries; no build tool or build-only package is there.
: >"$work/err"
in_image /bin/sh -c '
  for f in /usr/local/bin/* /usr/local/lib/ecc/*.so $(for t in clang llvm-strip wasm-ld; do command -v $t; done); do
    [ "$(head -c 4 "$f" | od -An -c | tr -d " ")" = 177ELF ] || continue
    ldd "$f" | sed -n "s|^|$f: |; /not found/p"
    echo "$f" >&3
  done' >"$work/ldd" 3>"$work/elves" 2>&1 || fail "ldd in the image: $(cat "$work/ldd")"
[ ! -s "$work/ldd" ] || fail "missing libraries in the image: $(cat "$work/ldd")"
for f in ecc ecli ecc-srcscan.so clang wasm-ld; do
  grep -q "/$f\$" "$work/elves" || fail "ldd did not see $f (checked: $(tr '\n' ' ' <"$work/elves"))"
done
echo "image test: ldd clean for $(wc -l <"$work/elves") binaries and libraries"
# ecli loads these only when a command needs them (lib/support dynamic_lib.h),
# so ldd does not see them: the dynamic linker must still find each.
in_image /sbin/ldconfig -p >"$work/ldconfig"
for so in libcurl.so.4 libssl.so.3 libcrypto.so.3 libsodium.so.23; do
  grep -q "^[[:space:]]*$so " "$work/ldconfig" || fail "$so, which ecli loads on demand, is not in the image"
done
for tool in cmake ninja gcc g++ make rustc wasm2c podman; do
  if in_image /bin/sh -c "command -v $tool" >/dev/null; then fail "build tool $tool is in the final stage"; fi
done
for pkg in cmake ninja-build build-essential libgtest-dev libboost-dev llvm-14-dev libclang-14-dev wabt rustc; do
  if in_image dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    fail "build-only package $pkg is in the final stage"
  fi
done
passed=$((passed + 1))

# 1. No argument: package the example.
mkdir -p "$work/sig"
cp "$repo/examples/sigsnoop/sigsnoop.bpf.c" "$repo/examples/sigsnoop/sigsnoop.h" "$work/sig/"
run_image "$work/sig" || fail "packaging sigsnoop"
for f in package.json sigsnoop.bpf.o sigsnoop.skel.json; do [ -s "$work/sig/$f" ] || fail "no $f"; done
grep -q '"bpf_object"' "$work/sig/package.json" || fail "package.json has no bpf_object"
passed=$((passed + 1))

# 2. gen-wasm-skel then build-wasm: an app.wasm carrying the object.
run_image "$work/sig" gen-wasm-skel || fail "gen-wasm-skel"
for f in ewasm-skel.h app.c; do [ -s "$work/sig/$f" ] || fail "no $f"; done
run_image "$work/sig" build-wasm || fail "build-wasm"
[ "$(head -c 4 "$work/sig/app.wasm" | od -An -tx1 | tr -d ' ')" = 0061736d ] || fail "app.wasm is not a wasm module"
passed=$((passed + 1))

# 3. Other arguments go to ecc; "ecli ARGS" to ecli.
run_image "$work/sig" --version || fail "--version"
grep -q '^ecc ' "$work/out" || fail "--version printed $(cat "$work/out")"
run_image "$work/sig" ecli --version || fail "ecli --version"
grep -q '^ecli ' "$work/out" || fail "ecli --version printed $(cat "$work/out")"
passed=$((passed + 1))

# 4. The image's ecli runs the package and app.wasm (interpreted: no wasm2c
# in the image): a signal the test sends to a sleeper of its own is in the
# JSON output of each.
if ecli_version=$(in_image ecli --version 2>&1); then :; else fail "ecli --version: $ecli_version"; fi
ecli_sees_signal() {  # ecli run arguments
  sleep 60 &
  local sleeper=$! rc=0
  disown "$sleeper"  # no "User defined signal 2" notice from bash
  mount --bind "$work" "$mnt/src"
  in_image ecli run -j -d 6 "$@" >"$work/ecli.out" 2>"$work/ecli.err" &
  local ecli_pid=$!
  # Attached: the loader says so; an app.wasm's first events (sigsnoop sees
  # every SIGCHLD of this script) show it.
  for _ in $(seq 100); do
    grep -q 'ecli: attached' "$work/ecli.err" && break
    [ -s "$work/ecli.out" ] && break
    sleep 0.1
  done
  sleep 0.5
  kill -USR2 "$sleeper"
  wait "$ecli_pid" || rc=$?
  umount "$mnt/src"
  kill "$sleeper" 2>/dev/null || true
  cp "$work/ecli.err" "$work/err"
  [ "$rc" -eq 0 ] || fail "ecli run $* exited $rc"
  grep "\"tpid\":$sleeper[,}]" "$work/ecli.out" | grep -q '"sig":12[,}]' ||
    fail "ecli run $* printed no signal 12 to $sleeper: $(cat "$work/ecli.out")"
  passed=$((passed + 1))
}
ecli_sees_signal /src/sig/package.json -s 12
ecli_sees_signal /src/sig/app.wasm

# 5. Clear errors: empty /src, several sources, no header.
mkdir -p "$work/empty" "$work/two" "$work/nohdr"
expect_error() {  # dir needle
  if run_image "$1"; then fail "expected an error in $1"; fi
  grep -q "$2" "$work/err" || fail "expected '$2' in: $(cat "$work/err")"
  passed=$((passed + 1))
}
expect_error "$work/empty" "no \*.bpf.c in /src"
cp "$repo/examples/sigsnoop/sigsnoop.bpf.c" "$work/two/a.bpf.c"
cp "$repo/examples/sigsnoop/sigsnoop.bpf.c" "$work/two/b.bpf.c"
expect_error "$work/two" "several \*.bpf.c"
cp "$repo/examples/sigsnoop/sigsnoop.bpf.c" "$work/nohdr/"
expect_error "$work/nohdr" "no header sigsnoop.h"

echo "image test: $passed passed, 0 failed"
