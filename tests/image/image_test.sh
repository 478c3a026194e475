#!/usr/bin/env bash
# Builds the ecc image with podman (no Docker engine here) from a locally
# bootstrapped Debian base, then runs its entrypoint the way `docker run -v
# "$PWD":/src IMAGE` would: podman create + mount, /src, /proc, /sys and /dev
# bound in, chroot. Packages an example and builds its app.wasm inside.
# Exit 77 = skipped (no root or no podman), unless ECC_REQUIRE_KERNEL=1.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
base_image=localhost/ecc-base:bookworm
image=localhost/ecc:test

skip() {
  if [ "${ECC_REQUIRE_KERNEL:-}" = 1 ]; then echo "image test: FAIL: $*" >&2; exit 1; fi
  echo "image test: skipped: $*" >&2; exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root"
for tool in podman debootstrap chroot; do command -v "$tool" >/dev/null || skip "needs $tool"; done

# The base: debootstrap from the mirror apt already uses, imported once and
# kept on the machine (later runs reuse it).
if ! podman image exists "$base_image"; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  rootfs=$(mktemp -d /var/tmp/ecc-rootfs.XXXXXX)
  echo "image test: debootstrap bookworm from $mirror" >&2
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
  tar -C "$rootfs" -c . | podman import - "$base_image" >/dev/null
  rm -rf "$rootfs"
fi

echo "image test: podman build" >&2
podman build --isolation chroot --network host --build-arg BASE="$base_image" \
  -t "$image" -f "$repo/docker/Dockerfile" "$repo" >/tmp/ecc-image-build.log 2>&1 ||
  { tail -n 40 /tmp/ecc-image-build.log >&2; echo "image test: FAIL: podman build" >&2; exit 1; }

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
passed=0

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

# 3. Other arguments go to ecc.
run_image "$work/sig" --version || fail "--version"
grep -q '^ecc ' "$work/out" || fail "--version printed $(cat "$work/out")"
passed=$((passed + 1))

# 4. Clear errors: empty /src, several sources, no header.
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
