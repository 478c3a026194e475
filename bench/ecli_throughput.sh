#!/usr/bin/env bash
# Events per second through `ecli run -j package.json`, through the app.wasm
# that `ecc gen-wasm-skel` + `build-wasm` make of the same program (JSON lines
# too, printed from wasm32 in the interpreter), and through a minimal native
# libbpf consumer of the same object (SPEC §12), measured in one run, plus
# lost events (sequence gaps). The flooder calls getppid() in a tight loop on
# one core. JSON goes to a file on tmpfs so that events can be counted.
# usage: bench/ecli_throughput.sh   (env: FLOOD_SECONDS=3 RUNS=3 BUILD=build)
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

flood_header
results=()
for r in $(seq "$runs"); do
  for name in native ecli wasm; do
    case "$name" in
      native) line=$(flood_run native attached native "$work/native" "$work/flood/flood.bpf.o" @PID@ "$((secs + 2))") ;;
      ecli) line=$(flood_run ecli attached json "$ecli" run -j -d "$((secs + 2))" "$work/flood/package.json" -p @PID@) ;;
      wasm) line=$(flood_run wasm 1.5 json "$ecli" run -d "$((secs + 3))" "$work/app/app.wasm" -p @PID@) ;;
    esac
    results+=("$(flood_row "$line")")
  done
done
python3 - "${results[@]}" <<'PY'
import statistics, sys
rates = {"native": [], "ecli": [], "wasm": []}
per_cpu = {"native": [], "ecli": [], "wasm": []}
lost = {"native": 0, "ecli": 0, "wasm": 0}
for r in sys.argv[1:]:
    n, rate, l, pc = r.split()
    rates[n].append(int(rate)); lost[n] += int(l); per_cpu[n].append(int(pc))
nat, ecl = statistics.median(rates["native"]), statistics.median(rates["ecli"])
natc, eclc = statistics.median(per_cpu["native"]), statistics.median(per_cpu["ecli"])
# events/s is bounded by the flooder when both keep up (lost 0); events per
# consumer CPU-second is what each consumer could sustain.
print(f"events/s: native {nat:.0f} (lost {lost['native']}), ecli -j {ecl:.0f} (lost {lost['ecli']}), "
      f"ratio {ecl / nat:.2f}; events per consumer CPU-second: native {natc:.0f}, ecli -j {eclc:.0f}, "
      f"ratio {eclc / natc:.2f}")
wasm, wasmc = statistics.median(rates["wasm"]), statistics.median(per_cpu["wasm"])
print(f"app.wasm (generated, JSON lines): {wasm:.0f} events/s (lost {lost['wasm']}), "
      f"{wasmc:.0f} events per CPU-second; vs the package path (ecli -j): events/s ratio {wasm / ecl:.2f}, "
      f"per CPU-second ratio {wasmc / eclc:.2f}")
PY
