#!/usr/bin/env bash
# First-run AOT compile time per example (docs/wasm-host-abi.md, Engines; docs/testing.md): each
# examples/<name> built as an app.wasm (`ecc gen-wasm-skel` + `build-wasm`),
# then `ecli compile` into an empty cache (wasm2c + the host's C compiler),
# then again (a cached compile: nothing to do). Module and shared object sizes.
# usage: bench/aot_compile.sh   (env: BUILD=build EXAMPLES="bootstrap opensnoop runqlat sigsnoop")
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ECC_CACHE_WARM=off

source "$root/bench/aot_lib.sh"
printf '%-10s %10s %12s %12s %10s\n' example wasm_bytes first_ms cached_ms so_bytes
for name in ${EXAMPLES:-bootstrap opensnoop runqlat sigsnoop}; do
  mkdir -p "$work/$name"
  cp "$root/examples/$name"/* "$work/$name/"
  (cd "$work/$name" && XDG_CACHE_HOME="$work/ecc-cache" "$ecc" gen-wasm-skel >/dev/null &&
     XDG_CACHE_HOME="$work/ecc-cache" "$ecc" build-wasm >/dev/null)
  export XDG_CACHE_HOME="$work/aot-$name"
  first=$(aot_compile_ms "$work/$name/app.wasm")
  cached=$(aot_compile_ms "$work/$name/app.wasm")
  so=$(ls "$XDG_CACHE_HOME"/ecc/aot/*.so)
  printf '%-10s %10s %12s %12s %10s\n' "$name" "$(stat -c %s "$work/$name/app.wasm")" "$first" "$cached" \
    "$(stat -c %s "$so")"
done
