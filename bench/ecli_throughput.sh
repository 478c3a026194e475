#!/usr/bin/env bash
# Events per second through `ecli run -j package.json`, through the app.wasm
# that `ecc gen-wasm-skel` + `build-wasm` make of the same program (JSON lines
# too, printed from wasm32) under each engine in docs/wasm-host-abi.md (ENGINES, default
# "aot interp"; the AOT module compiled by `ecli compile` before the runs, its
# compile time printed), and through a minimal native
# libbpf consumer of the same object (docs/testing.md), measured in one run, plus
# lost events (sequence gaps). The flooder calls getppid() in a tight loop on
# one core. JSON goes to a file on tmpfs so that events can be counted.
# usage: bench/ecli_throughput.sh   (env: FLOOD_SECONDS=3 RUNS=3 BUILD=build ENGINES="aot interp")
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
secs="${FLOOD_SECONDS:-3}"
runs="${RUNS:-3}"
work="$(mktemp -d /dev/shm/ecli-bench.XXXXXX 2>/dev/null || mktemp -d)"
trap 'rm -rf "$work"' EXIT

export XDG_CACHE_HOME="$work/cache" ECC_CACHE_WARM=off
"$ecc" -o "$work/flood" "$root/bench/flood.bpf.c" "$root/bench/flood.h" >/dev/null
mkdir -p "$work/app"
cp "$root/bench/flood.bpf.c" "$root/bench/flood.h" "$work/app/"
(cd "$work/app" && "$ecc" gen-wasm-skel >/dev/null && "$ecc" build-wasm ${WASM_FLAGS:-} >/dev/null)
source "$root/bench/flood_lib.sh"
flood_build_tools
read -r -a engines <<< "${ENGINES:-aot interp}"
for e in "${engines[@]}"; do
  if [ "$e" = aot ]; then source "$root/bench/aot_lib.sh"; aot_compile_report "$work/app/app.wasm" app.wasm; fi
done

flood_header
results=()
for r in $(seq "$runs"); do
  for name in native ecli "${engines[@]/#/wasm-}"; do
    case "$name" in
      native) line=$(flood_run native attached native "$work/native" "$work/flood/flood.bpf.o" @PID@ "$((secs + 2))") ;;
      ecli) line=$(flood_run ecli attached json "$ecli" run -j -d "$((secs + 2))" "$work/flood/package.json" -p @PID@) ;;
      wasm-*) line=$(flood_run "$name" 1.5 json "$ecli" run --engine "${name#wasm-}" -d "$((secs + 3))" \
                       "$work/app/app.wasm" -p @PID@) ;;
    esac
    results+=("$(flood_row "$line")")
  done
done
python3 - "${results[@]}" <<'PY'
import statistics, sys
rates, per_cpu, lost = {}, {}, {}
for r in sys.argv[1:]:
    n, rate, l, pc = r.split()
    rates.setdefault(n, []).append(int(rate)); per_cpu.setdefault(n, []).append(int(pc))
    lost[n] = lost.get(n, 0) + int(l)
nat, ecl = statistics.median(rates["native"]), statistics.median(rates["ecli"])
natc, eclc = statistics.median(per_cpu["native"]), statistics.median(per_cpu["ecli"])
# events/s is bounded by the flooder when both keep up (lost 0); events per
# consumer CPU-second is what each consumer could sustain.
print(f"events/s: native {nat:.0f} (lost {lost['native']}), ecli -j {ecl:.0f} (lost {lost['ecli']}), "
      f"ratio {ecl / nat:.2f}; events per consumer CPU-second: native {natc:.0f}, ecli -j {eclc:.0f}, "
      f"ratio {eclc / natc:.2f}")
for n in sorted(k for k in rates if k.startswith("wasm-")):
    wasm, wasmc = statistics.median(rates[n]), statistics.median(per_cpu[n])
    print(f"app.wasm --engine {n[5:]} (generated, JSON lines): {wasm:.0f} events/s (lost {lost[n]}), "
          f"{wasmc:.0f} events per CPU-second; per CPU-second vs ecli -j {wasmc / eclc:.3f}, "
          f"vs native {wasmc / natc:.3f}")
PY
