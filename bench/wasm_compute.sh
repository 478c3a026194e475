#!/usr/bin/env bash
# A compute-bound guest (bench/compute_guest.c: a JSON formatting loop and an
# integer loop over linear memory) native (clang -O2) vs wasm32-wasi (clang
# -O2) under each engine in docs/wasm-host-abi.md, measured in one run (docs/testing.md: the AOT
# engine within 2x of native). The interpreter runs 1/100 of the iterations
# (it is ~200x slower); times are per iteration. The AOT module is compiled
# (`ecli compile`, time printed) before it is measured.
# Rows (bench/result.py): each engine's ns/iteration against native's (AOT target <= 2).
# usage: bench/wasm_compute.sh   (env: ITERS=2000000 RUNS=3 BUILD=build ENGINES="aot interp";
#        BENCH_SMOKE=1: 20000 iterations, one run)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
smoke="${BENCH_SMOKE:-}"
iters="${ITERS:-$([ "$smoke" = 1 ] && echo 20000 || echo 2000000)}"
runs="${RUNS:-$([ "$smoke" = 1 ] && echo 1 || echo 3)}"
read -r -a engines <<< "${ENGINES:-aot interp}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"

clang -O2 -Wall -o "$work/native" "$root/bench/compute_guest.c"
clang --target=wasm32-wasi --sysroot=/usr -O2 -Wall -o "$work/guest.wasm" "$root/bench/compute_guest.c"
source "$root/bench/aot_lib.sh"
aot_compile_report "$work/guest.wasm" "the guest" 2>&1

results=()
for r in $(seq "$runs"); do
  results+=("native $("$work/native" "$iters" | tr '\n' ' ')")
  for e in "${engines[@]}"; do
    n="$iters"; [ "$e" = interp ] && n=$((iters / 100))
    results+=("$e $("$ecli" run --engine "$e" "$work/guest.wasm" "$n" | tr '\n' ' ')")
  done
done
python3 - "$root/bench/result.py" "${results[@]}" <<'PY'
import statistics, subprocess, sys
result = sys.argv.pop(1)
t = {}
for r in sys.argv[1:]:
    f = r.split()
    name = f[0]
    for i in range(1, len(f), 3):
        t.setdefault((name, f[i]), []).append(float(f[i + 1]))
names = sorted({n for n, _ in t}, key=lambda n: (n != "native", n))
for loop in ("json", "int"):
    nat = statistics.median(t[("native", loop)])
    row = [f"{loop}: native {nat:.2f} ns/iter"]
    for n in names:
        if n != "native":
            v = statistics.median(t[(n, loop)])
            row.append(f"{n} {v:.2f} ns/iter ({v / nat:.2f}x)")
            subprocess.run(["python3", result, "wasm_compute", f"{loop} loop, --engine {n}", f"{v:.3f}",
                            "native (clang -O2)", f"{nat:.3f}", "ns/iter", "<=", "2" if n == "aot" else "-"], check=True)
    print(", ".join(row), file=sys.stderr)
PY
