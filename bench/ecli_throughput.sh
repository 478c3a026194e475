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
cc -O2 -Wall -I"$root/bench" -o "$work/native" "$root/bench/native_consumer.c" -lbpf
cc -O2 -Wall -o "$work/gen" "$root/bench/flood_gen.c"

# run_one NAME CMD... : the flooder waits on a fifo until the consumer is
# attached; prints "NAME calls received lost seconds".
run_one() {
  local name="$1"; shift
  rm -f "$work/go" "$work/err" "$work/out"; mkfifo "$work/go"
  "$work/gen" "$secs" < "$work/go" > "$work/calls" &
  local gen=$!
  exec 3> "$work/go"   # opened after the reader: the flooder is blocked in fgets
  local cmd=("${@//@PID@/$gen}")
  # The wrapper records the consumer's CPU time (user+sys) in $work/cpu.
  python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(str(u.ru_utime + u.ru_stime))
sys.exit(rc)' "$work/cpu" "${cmd[@]}" > "$work/out" 2> "$work/err" &
  local consumer=$!
  if [ "$name" = wasm ]; then
    sleep 1.5  # an app prints nothing when it has attached
  else
    for _ in $(seq 200); do grep -q "attached" "$work/err" && break; sleep 0.05; done
    grep -q "attached" "$work/err" || { cat "$work/err" >&2; exit 1; }
  fi
  echo go >&3; exec 3>&-
  wait "$gen"
  wait "$consumer"
  local calls; calls=$(cat "$work/calls")
  if [ "$name" = native ]; then
    read -r _ received _ lost < "$work/out"
  else
    read -r received lost < <(python3 - "$work/out" <<'PY'
import json, sys
seqs = [json.loads(l)["seq"] for l in open(sys.argv[1]) if l.startswith("{")]
span = max(seqs) - min(seqs) + 1 if seqs else 0
print(len(seqs), span - len(seqs))
PY
)
  fi
  echo "$name $calls $received $lost $secs $(cat "$work/cpu")"
}

printf '%-7s %12s %12s %10s %12s %10s %16s\n' consumer calls received lost events/s cpu_s events/cpu_s >&2
results=()
for r in $(seq "$runs"); do
  for name in native ecli wasm; do
    case "$name" in
      native) line=$(run_one native "$work/native" "$work/flood/flood.bpf.o" @PID@ "$((secs + 2))") ;;
      ecli) line=$(run_one ecli "$ecli" run -j -d "$((secs + 2))" "$work/flood/package.json" -p @PID@) ;;
      wasm) line=$(run_one wasm "$ecli" run -d "$((secs + 3))" "$work/app/app.wasm" -p @PID@) ;;
    esac
    read -r n calls received lost s cpu <<< "$line"
    rate=$(python3 -c "print(round($received / $s))")
    per_cpu=$(python3 -c "print(round($received / max($cpu, 1e-3)))")
    printf '%-7s %12s %12s %10s %12s %10.2f %16s\n' "$n" "$calls" "$received" "$lost" "$rate" "$cpu" "$per_cpu" >&2
    results+=("$n $rate $lost $per_cpu")
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
