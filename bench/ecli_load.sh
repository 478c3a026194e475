#!/usr/bin/env bash
# Fixed-rate floods through every consumer (docs/testing.md, Benchmarks):
# `ecli run -j package.json`, the generated app.wasm under each engine, and
# the native libbpf consumer as the baseline, for a ring buffer and a perf
# event array (bench/flood.bpf.c built with FLOOD_PERF), at each rate for
# LOAD_SECONDS. Per run:
#   sent        getppid() calls of the flooder (bench/flood_gen.c, paced)
#   delivered   events the consumer printed (sequence numbers)
#   lost        losses the consumer reported: perf lost records (ecli's
#               "lost N events ... on CPU" lines, the native lost callback);
#               ring buffer reserve failures from the program's sampled map
#               `drops`, printed by the consumer
#   unread      events the Wasm host read but did not hand over (the run
#               stopped) or found in the buffer at close ("not read" lines)
#   unacc       sent - delivered - lost - unread: must be 0 (nothing
#               silently dropped)
#   cpu_s       the consumer's CPU seconds (user+sys)
# The flooder runs on CPU $FLOOD_CPU and ends with a 300 ms pause and a few
# calls, so that the kernel writes the perf buffer's last lost record.
# Then an RSS run: RSS_SECONDS at RSS_RATE for ecli and each app engine,
# VmRSS sampled every RSS_EVERY s: first, last, max, growth after warm-up.
# Exits 1 when a run has unaccounted events or the RSS grows past RSS_BOUND_KB.
# usage: bench/ecli_load.sh   (env: RATES="50000 200000 1000000" LOAD_SECONDS=10
#        BUFFERS="ring perf" CONSUMERS="native ecli wasm-aot wasm-interp"
#        RSS_SECONDS=120 RSS_RATE=50000 RSS_EVERY=5 RSS_CONSUMERS="ecli wasm-aot"
#        RSS_WARMUP=20 RSS_BOUND_KB=2048 FLOOD_CPU=1 BUILD=build; BENCH_SMOKE=1:
#        50000/s for 1 s through native, ecli and wasm-aot, no RSS run)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then  # every buffer and path, tiny: seconds, not minutes
  : "${RATES:=50000}" "${CONSUMERS:=native ecli wasm-aot}" "${LOAD_SECONDS:=1}" "${RSS_SECONDS:=0}"
fi
read -r -a rates <<< "${RATES:-50000 200000 1000000}"
read -r -a buffers <<< "${BUFFERS:-ring perf}"
read -r -a consumers <<< "${CONSUMERS:-native ecli wasm-aot wasm-interp}"
read -r -a rss_consumers <<< "${RSS_CONSUMERS:-ecli wasm-aot}"
secs="${LOAD_SECONDS:-10}"
rss_secs="${RSS_SECONDS:-120}"
rss_rate="${RSS_RATE:-50000}"
rss_every="${RSS_EVERY:-5}"
rss_warmup="${RSS_WARMUP:-20}"
rss_bound="${RSS_BOUND_KB:-2048}"
cpu="${FLOOD_CPU:-1}"
tail_calls=20
work="$(mktemp -d /dev/shm/ecli-load.XXXXXX 2>/dev/null || mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" ECC_CACHE_WARM=off

echo "load: $(nproc) CPUs, uptime:$(uptime | sed 's/.*load average/ load average/')" >&2
cc -O2 -Wall -I"$root/bench" -o "$work/native" "$root/bench/native_consumer.c" -lbpf
cc -O2 -Wall -o "$work/gen" "$root/bench/flood_gen.c"
cc -O2 -Wall -o "$work/count" "$root/bench/count_events.c"
source "$root/bench/aot_lib.sh"
for b in "${buffers[@]}"; do
  mkdir -p "$work/$b/src"
  { [ "$b" = perf ] && echo '#define FLOOD_PERF 1'; cat "$root/bench/flood.bpf.c"; } > "$work/$b/src/flood.bpf.c"
  cp "$root/bench/flood.h" "$work/$b/src/"
  "$ecc" -o "$work/$b/pkg" "$work/$b/src/flood.bpf.c" "$work/$b/src/flood.h" >/dev/null
  (cd "$work/$b/src" && "$ecc" gen-wasm-skel >/dev/null && "$ecc" build-wasm >/dev/null)
  aot_compile_report "$work/$b/src/app.wasm" "the $b app.wasm"
done

# wait_ready PID BUFFER: until the consumer has attached and (perf) opened
# its per-CPU perf buffer: one perf event fd for the tracepoint, one per CPU.
wait_ready() {
  local want=1
  [ "$2" = perf ] && want=$((1 + $(nproc)))
  for _ in $(seq 400); do
    local n
    n=$(ls -l "/proc/$1/fd" 2>/dev/null | grep -c 'perf_event\]' || true)
    [ "$n" -ge "$want" ] && { sleep 0.2; return 0; }
    sleep 0.05
  done
  echo "ecli_load: consumer $1 not ready" >&2; return 1
}

# load_run BUFFER CONSUMER RATE SECONDS RSS_EVERY: one flood; prints
# "sent delivered lost unread cpu_s" and leaves the RSS samples in $work/run/rss.
load_run() {
  # The consumer stops (SIGINT) 2 s after the flooder ends (a slow one may
  # overrun its time); -d only bounds a run that hangs.
  local b="$1" c="$2" rate="$3" s="$4" every="$5" d=$(( $4 * 4 + 60 ))
  local run="$work/run"
  rm -rf "$run"; mkdir -p "$run"; mkfifo "$run/go"
  taskset -c "$cpu" "$work/gen" "$s" "$rate" "$tail_calls" < "$run/go" > "$run/sent" 2> "$run/gen_err" &
  local gen=$!
  exec 3> "$run/go"
  local cmd
  case "$c" in
    native) cmd=("$work/native" "$work/$b/pkg/flood.bpf.o" "$gen" "$d") ;;
    ecli) cmd=("$ecli" run -j -d "$d" "$work/$b/pkg/package.json" -p "$gen") ;;
    wasm-*) cmd=("$ecli" run --engine "${c#wasm-}" -d "$d" "$work/$b/src/app.wasm" -p "$gen") ;;
  esac
  if [ "$c" = native ]; then
    python3 "$root/bench/consumer_stats.py" "$run" "$every" "${cmd[@]}" > "$run/out" 2> "$run/err" &
  else
    (python3 "$root/bench/consumer_stats.py" "$run" "$every" "${cmd[@]}" 2> "$run/err" | "$work/count" > "$run/out") &
  fi
  local consumer=$!
  for _ in $(seq 100); do [ -s "$run/pid" ] && break; sleep 0.05; done
  wait_ready "$(cat "$run/pid")" "$b" || { cat "$run/err" >&2; exit 1; }
  echo go >&3; exec 3>&-
  wait "$gen"
  sleep 2
  kill -INT "$(cat "$run/pid")"
  wait "$consumer" || { echo "ecli_load: $c failed:" >&2; cat "$run/err" >&2; exit 1; }
  local delivered lost drops unread
  unread=$(awk '/^ecli: [0-9]+ events of .events. were not read before the object closed$/ { n += $2 } END { print n + 0 }' "$run/err")
  if [ "$c" = native ]; then
    read -r _ delivered _ _ _ lost _ drops < "$run/out"
  else
    local min max
    read -r delivered min max drops < "$run/out"
    if [ "$b" = perf ]; then
      lost=$(awk '/^ecli: lost [0-9]+ events of .events. on CPU [0-9]+$/ { n += $3 } END { print n + 0 }' "$run/err")
    else
      lost="$drops"
    fi
  fi
  local took
  took=$(sed -n 's/^flood_gen: [0-9]* calls in \([0-9.]*\) s$/\1/p' "$run/gen_err")
  echo "$(cat "$run/sent") $delivered $lost $unread $(cat "$run/cpu") $took"
}

printf '%-5s %8s %-11s %9s %9s %9s %9s %7s %6s %7s %12s\n' \
  buffer rate consumer sent sent/s delivered lost unread unacc cpu_s events/cpu_s >&2
bad=0
rows=()
for b in "${buffers[@]}"; do
  for rate in "${rates[@]}"; do
    for c in "${consumers[@]}"; do
      read -r sent delivered lost unread cpu_s took <<< "$(load_run "$b" "$c" "$rate" "$secs" 0)"
      unacc=$((sent - delivered - lost - unread))
      [ "$unacc" -eq 0 ] || bad=1
      # sent/s: over the flood's real time (a loaded core falls behind the rate)
      read -r per_s per_cpu <<< "$(python3 -c "print(round($sent / $took), round($delivered / max($cpu_s, 1e-3)))")"
      printf '%-5s %8s %-11s %9s %9s %9s %9s %7s %6s %7.2f %12s\n' \
        "$b" "$rate" "$c" "$sent" "$per_s" "$delivered" "$lost" "$unread" "$unacc" "$cpu_s" "$per_cpu" >&2
      rows+=("$b $rate $c $delivered $cpu_s")
    done
  done
done
# Events per consumer CPU-second against the native consumer's, per run:
# RESULT rows, information only (the targets are bench/ecli_throughput.sh's).
python3 - "$root/bench/result.py" "${rows[@]}" <<'PY'
import subprocess, sys
result = sys.argv.pop(1)
rows = [r.split() for r in sys.argv[1:]]
nat = {(b, r): float(d) / max(float(c), 1e-3) for b, r, n, d, c in rows if n == "native"}
for b, r, n, d, c in rows:
    if n != "native" and (b, r) in nat:
        v = float(d) / max(float(c), 1e-3)
        print(f"{b} {r}/s {n}: events per CPU-second vs native {v / max(nat[(b, r)], 1e-9):.3f}", file=sys.stderr)
        subprocess.run([sys.executable, result, "ecli_load", f"{n} {b} {r}/s", f"{v:.0f}", f"native {b} {r}/s",
                        f"{nat[(b, r)]:.0f}", "events/cpu_s", ">=", "-"], check=True)
PY

[ "$rss_secs" -gt 0 ] || exit "$bad"
echo "RSS over ${rss_secs} s at ${rss_rate} events/s (ring buffer), VmRSS every ${rss_every} s:" >&2
for c in "${rss_consumers[@]}"; do
  read -r sent delivered lost unread cpu_s took <<< "$(load_run ring "$c" "$rss_rate" "$rss_secs" "$rss_every")"
  unacc=$((sent - delivered - lost - unread))
  [ "$unacc" -eq 0 ] || bad=1
  python3 - "$c" "$work/run/rss" "$rss_warmup" "$rss_bound" "$sent" "$delivered" "$lost" "$unacc" <<'PY' >&2 || bad=1
import sys
c, path, warm, bound = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
s = [(float(t), int(kb)) for t, kb in (l.split() for l in open(path))]
after = [kb for t, kb in s if t >= warm]
growth = after[-1] - after[0] if after else 0
flat = growth <= bound
print(f"{c}: sent {sys.argv[5]} delivered {sys.argv[6]} lost {sys.argv[7]} unacc {sys.argv[8]}; "
      f"VmRSS kB first {s[0][1]} last {s[-1][1]} max {max(kb for _, kb in s)} ({len(s)} samples); "
      f"after {warm:.0f} s warm-up {after[0] if after else '-'} -> {after[-1] if after else '-'} "
      f"(growth {growth} kB, bound {bound}): {'flat' if flat else 'GROWS'}")
sys.exit(0 if flat else 1)
PY
done
exit "$bad"
