#!/usr/bin/env bash
# ecc vs a bare `clang -g -O2 -target bpf -c` of the same file (docs/testing.md),
# cold cache and warm cache, as ratios measured in one run.
# usage: bench/compile.sh [FILE.bpf.c HEADER.h]   (default: examples/sigsnoop)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ecc="${ECC:-$root/build/tools/ecc/ecc}"
src="${1:-$root/examples/sigsnoop/sigsnoop.bpf.c}"
hdr="${2:-$root/examples/sigsnoop/sigsnoop.h}"
runs="${RUNS:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The baseline compiles against a plain vmlinux.h, as a hand-written Makefile would.
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$work/vmlinux.h"
arch="$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')"
bare=(clang -g -O2 -target bpf "-D__TARGET_ARCH_$arch" -fno-stack-protector -I"$work" -I"$(dirname "$src")"
      -c "$src" -o "$work/bare.o")

export XDG_CACHE_HOME="$work/cache"
mkdir -p "$work/out-warm" "$work/out-cold"
# Warm the cache once, PCHs included, for the warm runs.
ECC_CACHE_WARM=sync "$ecc" -o "$work/out-warm" "$src" "$hdr"

hyperfine -N --warmup 2 --runs "$runs" --export-csv "$work/r.csv" \
  -n bare-clang "${bare[*]}" \
  -n ecc-warm "$ecc -o $work/out-warm $src $hdr" \
  -n ecc-cold --prepare "rm -rf $work/cache-cold" \
     "env XDG_CACHE_HOME=$work/cache-cold ECC_CACHE_WARM=off $ecc -o $work/out-cold $src $hdr" >&2

awk -F, 'NR>1 { mean[$1]=$2 } END {
  b = mean["bare-clang"]
  printf "bare clang   %7.1f ms\n", b*1000
  printf "ecc warm     %7.1f ms   %.2fx bare clang (target <= 0.3x)\n", mean["ecc-warm"]*1000, mean["ecc-warm"]/b
  printf "ecc cold     %7.1f ms   %.2fx bare clang (target <= 1.3x)\n", mean["ecc-cold"]*1000, mean["ecc-cold"]/b
}' "$work/r.csv"
