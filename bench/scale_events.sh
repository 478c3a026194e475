#!/usr/bin/env bash
# The event path as a curve: a ring-buffer flood (bench/flood.bpf.c,
# bench/flood_gen.c pacing getppid() calls) held at each of RATES events/s for
# LOAD_SECONDS through `ecli run -j` (JSON lines into bench/count_events.c),
# `ecli run -q` (nothing printed; its events counted by ecli's own
# ecli_events_total, read from --metrics before it stops) and the native
# libbpf consumer (bench/native_consumer.c, counting only). Per run:
#   offered_rate    getppid() calls / the flood's real time (a rate one core
#                   cannot make is not held: the achieved rate is the point)
#   delivered_rate  events the consumer got / the same time
#   cpu_per_s       the consumer's CPU seconds (user+sys, all threads, from
#                   /proc/PID/stat, go to end of drain) per second of flood
#   lost            calls - delivered; drops: the program's own count of
#                   ring-buffer reserve failures (the sampled map `drops`)
# Writes OUT_DIR/scale_events.csv, its PNG (bench/plot_scale.py, which also
# replots a scale_compile.csv there) and RESULT rows (information: events per
# CPU-second and lost against the native consumer's at each rate, medians).
# usage: bench/scale_events.sh   (env: OUT_DIR=<temp> RATES="10000 100000
#        1000000 10000000" LOAD_SECONDS=5 RUNS=3 DRAIN=2 FLOOD_CPU=1 BUILD=build;
#        BENCH_SMOKE=1: rates 10^4 and 10^6, 0.5 s, one run)
set -euo pipefail
shopt -s inherit_errexit  # scale_run runs in $(...): a failure there ends the bench
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
  rates=(10000 1000000); secs=0.5; runs=1; drain=0.5
else
  read -r -a rates <<< "${RATES:-10000 100000 1000000 10000000}"
  secs="${LOAD_SECONDS:-5}"; runs="${RUNS:-3}"; drain="${DRAIN:-2}"
fi
consumers=(native ecli-j ecli-q)
cpu="${FLOOD_CPU:-1}"
work="$(mktemp -d /dev/shm/scale-events.XXXXXX 2>/dev/null || mktemp -d)"
trap 'rm -rf "$work"' EXIT
out_dir="${OUT_DIR:-$(mktemp -d /tmp/scale-events.XXXXXX)}"  # kept: printed at the end
mkdir -p "$out_dir"
csv="$out_dir/scale_events.csv"
export XDG_CACHE_HOME="$work/cache" ECC_CACHE_WARM=off
tck=$(getconf CLK_TCK)

source "$root/bench/flood_lib.sh"
flood_build_tools
cc -O2 -Wall -o "$work/count" "$root/bench/count_events.c"
"$ecc" -o "$work/pkg" "$root/bench/flood.bpf.c" "$root/bench/flood.h" > /dev/null
echo "scale_events: $(nproc) CPUs,$(uptime | sed 's/.*load average/ load average/')" >&2

# cpu_ticks PID: user+system clock ticks of the process (all its threads).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# wait_ready PID: until the consumer has attached (the tracepoint's perf event fd).
wait_ready() {
  for _ in $(seq 400); do
    ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'perf_event\]' && { sleep 0.2; return 0; }
    kill -0 "$1" 2>/dev/null || break
    sleep 0.05
  done
  echo "scale_events: consumer $1 did not attach:" >&2; cat "$run/err" >&2; return 1
}

# metric NAME LABEL: a series' value from the -q consumer's /metrics (fails when absent).
metric() {
  awk -v n="$1" -v l="$2" '$1 ~ "^" n "($|{)" && index($1, l) { v = $2; f = 1 }
    END { if (!f) { print "scale_events: /metrics has no " n " " l > "/dev/stderr"; exit 1 } print v + 0 }' "$run/metrics"
}

# scale_run CONSUMER RATE: one flood; prints "sent took delivered drops cpu_s".
scale_run() {
  local c="$1" rate="$2" d=$(( ${secs%.*} * 4 + 60 )) port pid
  run="$work/run"; rm -rf "$run"; mkdir -p "$run"; mkfifo "$run/go" "$run/json"
  taskset -c "$cpu" "$work/gen" "$secs" "$rate" < "$run/go" > "$run/sent" 2> "$run/gen_err" &
  local gen=$!
  exec 3> "$run/go"
  case "$c" in
    native) "$work/native" "$work/pkg/flood.bpf.o" "$gen" "$d" > "$run/out" 2> "$run/err" & pid=$! ;;
    ecli-j) "$work/count" < "$run/json" > "$run/out" &
            "$ecli" run -j -d "$d" "$work/pkg/package.json" -p "$gen" > "$run/json" 2> "$run/err" & pid=$! ;;
    ecli-q) port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
            "$ecli" run -q --metrics "127.0.0.1:$port" -d "$d" "$work/pkg/package.json" -p "$gen" \
              > "$run/out" 2> "$run/err" & pid=$! ;;
  esac
  wait_ready "$pid"
  local t0; t0=$(cpu_ticks "$pid")
  echo go >&3; exec 3>&-
  wait "$gen"
  sleep "$drain"
  local t1; t1=$(cpu_ticks "$pid")
  # ecli publishes its stream counters once per read round (50 ms): the drain covers it.
  [ "$c" = ecli-q ] && curl -sf "http://127.0.0.1:$port/metrics" > "$run/metrics"
  kill -INT "$pid"
  wait "$pid" || { echo "scale_events: $c failed:" >&2; cat "$run/err" >&2; return 1; }
  wait  # the counter of ecli -j
  local delivered drops took
  case "$c" in
    native) read -r _ delivered _ _ _ _ _ drops _ < "$run/out" ;;
    ecli-j) read -r delivered _ _ drops < "$run/out" ;;
    ecli-q) delivered=$(metric ecli_events_total 'map="events"'); drops=$(metric ecli_drops_full "") ;;
  esac
  took=$(sed -n 's/^flood_gen: [0-9]* calls in \([0-9.]*\) s$/\1/p' "$run/gen_err")
  [ -n "$took" ] || { echo "scale_events: flood_gen printed no time:" >&2; cat "$run/gen_err" >&2; return 1; }
  echo "$(cat "$run/sent") $took $delivered $drops $(python3 -c "print(($t1 - $t0) / $tck)")"
}

echo "consumer,target_rate,run,offered_rate,delivered_rate,cpu_per_s,sent,delivered,lost,drops,seconds" > "$csv.tmp"
printf '%-7s %9s %4s %10s %10s %7s %10s %10s %9s %9s\n' consumer target run offered/s delivered/s cpu/s \
  sent delivered lost drops >&2
for rate in "${rates[@]}"; do
  for r in $(seq "$runs"); do
    for c in "${consumers[@]}"; do
      line=$(scale_run "$c" "$rate")
      read -r sent took delivered drops cpu_s <<< "$line"
      row=$(python3 -c "s, t, d, c = $sent, $took, $delivered, $cpu_s
print(f'{s / t:.0f},{d / t:.0f},{c / t:.3f},{s},{d},{s - d}')")
      echo "$c,$rate,$r,$row,$drops,$took" >> "$csv.tmp"
      IFS=, read -r off del cps _ _ lost <<< "$row"
      printf '%-7s %9s %4s %10s %10s %7s %10s %10s %9s %9s\n' "$c" "$rate" "$r" "$off" "$del" "$cps" \
        "$sent" "$delivered" "$lost" "$drops" >&2
    done
  done
done
mv "$csv.tmp" "$csv"
echo "scale_events: $csv" >&2

# Medians per (consumer, rate): events per consumer CPU-second and lost, vs native.
python3 - "$csv" "$root/bench/result.py" <<'PY'
import csv, statistics, subprocess, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = {}
for key in {(r["consumer"], r["target_rate"]) for r in rows}:
    rs = [r for r in rows if (r["consumer"], r["target_rate"]) == key]
    f = lambda k: statistics.median(float(r[k]) for r in rs)
    per_cpu = statistics.median(float(r["delivered"]) / max(float(r["cpu_per_s"]) * float(r["seconds"]), 1e-3)
                                for r in rs)
    med[key] = dict(offered=f("offered_rate"), delivered=f("delivered_rate"), per_cpu=per_cpu,
                    lost=f("lost"), runs=len(rs))
for rate in sorted({r for _, r in med}, key=float):
    nat = med[("native", rate)]
    for c in ("ecli-j", "ecli-q"):
        m = med[(c, rate)]
        note = (f"held {rate}/s: offered {m['offered']:.0f}/s, delivered {m['delivered']:.0f}/s "
                f"(native {nat['delivered']:.0f}/s), lost {m['lost']:.0f} (native {nat['lost']:.0f}), "
                f"median of {m['runs']}")
        what = f"ecli run {c[-2:]} at {float(rate):.0e}/s, events per CPU-s"
        subprocess.run([sys.executable, sys.argv[2], "scale_events", what, str(m["per_cpu"]),
                        "native consumer", str(nat["per_cpu"]), "events/cpu_s", ">=", "-", note], check=True)
PY

# The curves as PNGs next to the CSV (Debian's python3-matplotlib).
/usr/bin/python3 "$root/bench/plot_scale.py" "$out_dir" "$out_dir"
