#!/usr/bin/env bash
# The event path against its native floor, in one run (docs/testing.md). A
# flooder calls getppid() in a tight loop on one core for FLOOD_SECONDS; each
# consumer reads bench/flood.bpf.c's ring buffer:
#   native-json  bench/native_consumer.c printing each event as the JSON line
#                `ecli run -j` prints (printf, stdio buffering): the floor of
#   ecli-j       `ecli run -j package.json`
#   native-count bench/native_consumer.c counting only: the floor of
#   ecli-q       `ecli run -q package.json` (counted, not printed; its count
#                from its "N events of 'events' were read" line)
#   wasm-ENGINE  the app.wasm that `ecc gen-wasm-skel` + `build-wasm` make of
#                the same program (JSON lines printed from wasm32), under each
#                engine of docs/wasm-host-abi.md (the AOT module compiled by
#                `ecli compile` before the runs): the floor is ecli-j.
#   before-j, before-wasm-ENGINE  with BEFORE=DIR (a build of the commit
#                before a change): ecli-j and wasm-ENGINE of that build's ecc
#                and ecli, rows named "... (before)" with no target
# Consumers run interleaved, RUNS times; events per consumer CPU-second
# (user+sys) is the median over the runs, lost (calls not delivered) the sum.
# Rows (bench/result.py): events per CPU-second against the floor (target
# 0.9), and each consumer's lost share against its native floor's (<= 1).
# JSON goes to a file on tmpfs and is counted by field (bench/count_events.c).
# usage: bench/ecli_throughput.sh   (env: FLOOD_SECONDS=3 RUNS=3 BUILD=build
#        ECLI=... ECC=... ENGINES="aot interp" CONSUMERS="native-json ecli-j
#        native-count ecli-q wasm-aot wasm-interp" (rows of the ones left
#        out are not printed); BENCH_SMOKE=1: 0.5 s floods,
#        one run, aot only, no ratio asserted)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
  secs="${FLOOD_SECONDS:-0.5}" runs="${RUNS:-1}" engines_default="aot"
else
  secs="${FLOOD_SECONDS:-3}" runs="${RUNS:-3}" engines_default="aot interp"
fi
work="$(mktemp -d /dev/shm/ecli-bench.XXXXXX 2>/dev/null || mktemp -d)"
trap 'rm -rf "$work"' EXIT
dur() { python3 -c "print($secs + $1)"; }

export XDG_CACHE_HOME="$work/cache" ECC_CACHE_WARM=off
"$ecc" -o "$work/flood" "$root/bench/flood.bpf.c" "$root/bench/flood.h" >/dev/null
mkdir -p "$work/app"
cp "$root/bench/flood.bpf.c" "$root/bench/flood.h" "$work/app/"
(cd "$work/app" && "$ecc" gen-wasm-skel >/dev/null && "$ecc" build-wasm ${WASM_FLAGS:-} >/dev/null)
before_ecli="" before_consumers=()
if [ -n "${BEFORE:-}" ]; then
  before_ecli="$BEFORE/tools/ecli/ecli"
  "$BEFORE/tools/ecc/ecc" -o "$work/before" "$root/bench/flood.bpf.c" "$root/bench/flood.h" >/dev/null
  mkdir -p "$work/before/app"
  cp "$root/bench/flood.bpf.c" "$root/bench/flood.h" "$work/before/app/"
  (cd "$work/before/app" && "$BEFORE/tools/ecc/ecc" gen-wasm-skel >/dev/null && "$BEFORE/tools/ecc/ecc" build-wasm >/dev/null)
fi
source "$root/bench/flood_lib.sh"
flood_build_tools
read -r -a engines <<< "${ENGINES:-$engines_default}"
for e in "${engines[@]}"; do
  if [ "$e" = aot ]; then
    source "$root/bench/aot_lib.sh"; aot_compile_report "$work/app/app.wasm" app.wasm
    [ -z "$before_ecli" ] || ecli="$before_ecli" aot_compile_report "$work/before/app/app.wasm" "app.wasm (before)"
  fi
  [ -z "$before_ecli" ] || before_consumers+=("before-wasm-$e")
done
[ -z "$before_ecli" ] || before_consumers=(before-j "${before_consumers[@]}")

obj="$work/flood/flood.bpf.o" pkg="$work/flood/package.json"
read -r -a consumers <<< "${CONSUMERS:-native-json ecli-j native-count ecli-q ${engines[*]/#/wasm-} ${before_consumers[*]}}"
flood_header
results=()
for r in $(seq "$runs"); do
  for name in "${consumers[@]}"; do
    case "$name" in
      native-json) line=$(flood_run "$name" attached native-err "$work/native" "$obj" @PID@ "$(dur 2)" json) ;;
      native-count) line=$(flood_run "$name" attached native "$work/native" "$obj" @PID@ "$(dur 2)" count) ;;
      ecli-j) line=$(flood_run "$name" attached json "$ecli" run -j -d "$(dur 2)" "$pkg" -p @PID@) ;;
      ecli-q) line=$(flood_run "$name" attached quiet "$ecli" run -q -d "$(dur 2)" "$pkg" -p @PID@) ;;
      wasm-*) line=$(flood_run "$name" 1.5 json "$ecli" run --engine "${name#wasm-}" -d "$(dur 3)" \
                       "$work/app/app.wasm" -p @PID@) ;;
      before-j) line=$(flood_run "$name" attached json "$before_ecli" run -j -d "$(dur 2)" "$work/before/package.json" \
                         -p @PID@) ;;
      before-wasm-*) line=$(flood_run "$name" 1.5 json "$before_ecli" run --engine "${name#before-wasm-}" \
                              -d "$(dur 3)" "$work/before/app/app.wasm" -p @PID@) ;;
    esac
    results+=("$(flood_row "$line")")
  done
done
# flood_row's "name rate lost per_cpu" plus the calls, for the lost shares.
python3 - "$root/bench/result.py" "${BENCH_SMOKE:-0}" "${results[@]}" <<'PY'
import os, statistics, subprocess, sys
result, smoke = sys.argv[1], sys.argv[2] == "1"
per_cpu, lost, calls = {}, {}, {}
for r in sys.argv[3:]:
    n, rate, l, pc, c = r.split()
    per_cpu.setdefault(n, []).append(int(pc))
    lost[n] = lost.get(n, 0) + int(l)
    calls[n] = calls.get(n, 0) + int(c)
med = {n: statistics.median(v) for n, v in per_cpu.items()}
share = {n: 100.0 * lost[n] / max(calls[n], 1) for n in lost}
target = lambda t: "-" if smoke else t

def row(what, value, floor_what, floor, unit, op, t, note=""):
    if value is None or floor is None:  # a consumer left out (CONSUMERS)
        return
    out = subprocess.run([sys.executable, result, "ecli_throughput", what, str(value), floor_what, str(floor),
                          unit, op, t, note], check=True, capture_output=True, text=True).stdout
    sys.stdout.write(out)

row("ecli run -j", med.get("ecli-j"), "native printf consumer", med.get("native-json"), "events/cpu_s", ">=", target("0.9"))
row("ecli run -q", med.get("ecli-q"), "native counting consumer", med.get("native-count"), "events/cpu_s", ">=", target("0.9"))
for n in sorted(k for k in med if k.startswith("wasm-")):
    row(f"app.wasm --engine {n[5:]}", med[n], "ecli run -j", med.get("ecli-j"), "events/cpu_s", ">=",
        target("0.9") if n == "wasm-aot" else "-")
for n, floor in (("ecli-j", "native-json"), ("ecli-q", "native-count")):
    if n not in share or floor not in share:
        continue
    row(f"{n.replace('ecli-', 'ecli run -')} lost", f"{share[n]:.4f}", f"{floor} lost", f"{share[floor]:.4f}", "%",
        "<=", target("1"), f"{lost[n]} vs {lost[floor]} of {calls[n]} vs {calls[floor]} calls")
before = os.environ.get("BEFORE", "")
row("ecli run -j (before)", med.get("before-j"), "native printf consumer", med.get("native-json"), "events/cpu_s",
    ">=", "-", f"BEFORE={before}")
for n in sorted(k for k in med if k.startswith("before-wasm-")):
    row(f"app.wasm --engine {n[12:]} (before)", med[n], "ecli run -j (before)", med.get("before-j"), "events/cpu_s",
        ">=", "-", f"BEFORE={before}")
if "before-j" in share and "native-json" in share:
    row("ecli run -j lost (before)", f"{share['before-j']:.4f}", "native-json lost", f"{share['native-json']:.4f}", "%",
        "<=", "-", f"{lost['before-j']} vs {lost['native-json']} of {calls['before-j']} vs {calls['native-json']} calls")
for n in sorted(k for k in med if k.startswith("wasm-") and "native-json" in share):
    row(f"app.wasm --engine {n[5:]} lost", f"{share[n]:.4f}", "native-json lost", f"{share['native-json']:.4f}", "%",
        "<=", "-", f"{lost[n]} of {calls[n]} calls")
PY
