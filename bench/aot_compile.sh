#!/usr/bin/env bash
# First-run AOT compile time per example (docs/wasm-host-abi.md, Engines; docs/testing.md): each
# examples/<name> built as an app.wasm (`ecc gen-wasm-skel` + `build-wasm`),
# then `ecli compile` into an empty cache (wasm2c + the host's C compiler),
# then again (a cached compile: nothing to do). Module and shared object sizes.
# Rows (bench/result.py): each first compile against the cached one.
# usage: bench/aot_compile.sh   (env: BUILD=build EXAMPLES="bootstrap opensnoop runqlat sigsnoop";
#        BENCH_SMOKE=1: sigsnoop only)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ECC_CACHE_WARM=off

source "$root/bench/aot_lib.sh"
examples="bootstrap opensnoop runqlat sigsnoop"
[ "${BENCH_SMOKE:-}" = 1 ] && examples=sigsnoop
printf '%-10s %10s %12s %12s %10s\n' example wasm_bytes first_ms cached_ms so_bytes >&2
for name in ${EXAMPLES:-$examples}; do
  mkdir -p "$work/$name"
  cp "$root/examples/$name"/* "$work/$name/"
  (cd "$work/$name" && XDG_CACHE_HOME="$work/ecc-cache" "$ecc" gen-wasm-skel >/dev/null &&
     XDG_CACHE_HOME="$work/ecc-cache" "$ecc" build-wasm >/dev/null)
  export XDG_CACHE_HOME="$work/aot-$name"
  first=$(aot_compile_ms "$work/$name/app.wasm")
  cached=$(aot_compile_ms "$work/$name/app.wasm")
  so=$(ls "$XDG_CACHE_HOME"/ecc/aot/*.so)
  printf '%-10s %10s %12s %12s %10s\n' "$name" "$(stat -c %s "$work/$name/app.wasm")" "$first" "$cached" \
    "$(stat -c %s "$so")" >&2
  python3 "$root/bench/result.py" aot_compile "first AOT compile of $name" "$first" "cached compile (found, nothing to do)" \
    "$cached" ms "<=" - "wasm2c + cc, $(stat -c %s "$work/$name/app.wasm") bytes of Wasm"
done
