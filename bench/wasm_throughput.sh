#!/usr/bin/env bash
# Events per second through a Wasm app (bench/wasm_flood_guest.c in ecli's
# Wasm host, lib/wasmhost, under each engine in docs/wasm-host-abi.md) vs the native
# libbpf consumer of the same BPF object (bench/native_consumer.c), measured
# in one run, plus lost events (calls not delivered) and events per CPU-second. The
# flooder calls getppid() in a tight loop on one core. The AOT module is
# compiled (`ecli compile`) before the runs.
# Prints a RESULT row per engine (information only: the event path's targets
# are bench/ecli_throughput.sh's). BENCH_SMOKE=1: 0.5 s floods, one run, aot.
# usage: bench/wasm_throughput.sh   (env: FLOOD_SECONDS=3 RUNS=3 BUILD=build
#        ENGINES="aot interp"; DRIVER="<runner of app.wasm, ARGS... after the
#        .wasm>" measures that runner instead, as one "wasm" row)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecli="$build/tools/ecli/ecli"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
  secs="${FLOOD_SECONDS:-0.5}" runs="${RUNS:-1}" engines_default="aot"
else
  secs="${FLOOD_SECONDS:-3}" runs="${RUNS:-3}" engines_default="aot interp"
fi
read -r -a engines <<< "${ENGINES:-$engines_default}"
[ -n "${DRIVER:-}" ] && engines=(driver)
dur() { python3 -c "print($secs + $1)"; }
work="$(mktemp -d /dev/shm/wasm-bench.XXXXXX 2>/dev/null || mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The flood object with plain clang + bpftool (no ecc needed), then the guest
# embedding it as a C array.
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$work/vmlinux.h"
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$work" -I"$root/bench" \
  -c "$root/bench/flood.bpf.c" -o "$work/flood.tmp.o"
bpftool gen object "$work/flood.bpf.o" "$work/flood.tmp.o"
python3 - "$work/flood.bpf.o" "$work/flood_obj.h" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
rows = ",\n".join(",".join(str(b) for b in data[i:i + 32]) for i in range(0, len(data), 32))
open(sys.argv[2], "w").write("static unsigned char flood_obj[] = {\n%s\n};\n"
                             "static const unsigned int flood_obj_len = %d;\n" % (rows, len(data)))
PY
clang --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wl,--export-table -Wl,--allow-undefined \
  -I"$work" -I"$root/bench" -I"$root/templates/eunomia-include" "$root/bench/wasm_flood_guest.c" -o "$work/flood.wasm"
source "$root/bench/flood_lib.sh"
flood_build_tools
export XDG_CACHE_HOME="$work/cache"
if [[ " ${engines[*]} " == *" aot "* ]]; then "$ecli" compile "$work/flood.wasm" 2>/dev/null; fi

flood_header
results=()
for r in $(seq "$runs"); do
  for name in native "${engines[@]}"; do
    case "$name" in
      native) line=$(flood_run native attached native "$work/native" "$work/flood.bpf.o" @PID@ "$(dur 2)") ;;
      driver) read -r -a driver <<< "$DRIVER"
              line=$(flood_run wasm attached native "${driver[@]}" "$work/flood.wasm" @PID@ "$(dur 2)") ;;
      *) line=$(flood_run "$name" attached native "$ecli" run --engine "$name" "$work/flood.wasm" @PID@ "$(dur 2)") ;;
    esac
    results+=("$(flood_row "$line")")
  done
done
python3 - "$root/bench/result.py" "${results[@]}" <<'PY'
import statistics, subprocess, sys
result = sys.argv.pop(1)
rates, per_cpu, lost = {}, {}, {}
for r in sys.argv[1:]:
    n, rate, l, pc, _ = r.split()
    rates.setdefault(n, []).append(int(rate)); per_cpu.setdefault(n, []).append(int(pc))
    lost[n] = lost.get(n, 0) + int(l)
for n in rates:
    print(f"{n}: median {statistics.median(rates[n]):.0f} events/s, "
          f"{statistics.median(per_cpu[n]):.0f} events per CPU-second, {lost[n]} lost", file=sys.stderr)
natc = max(statistics.median(per_cpu["native"]), 1)
for n in rates:
    if n != "native":
        print(f"{n}/native events per CPU-second: {statistics.median(per_cpu[n]) / natc:.3f}", file=sys.stderr)
        subprocess.run([sys.executable, result, "wasm_throughput", f"guest {n}", str(statistics.median(per_cpu[n])),
                        "native consumer", str(natc), "events/cpu_s", ">=", "-", f"lost {lost[n]} vs {lost['native']}"],
                       check=True)
PY
