#!/usr/bin/env bash
# What --metrics costs the event path (docs/metrics.md): events per consumer
# CPU-second of `ecli run -j` with and without `--metrics` on the same
# getppid() flood (runs interleaved, the order reversed every other round;
# the median of the rounds' ratios; target >= 0.95), the
# same with @metric labels on every event (comm and pid: one series), and
# the memory held at the series cap: a flood whose @metric label is the
# sequence number, so every event wants a new series, under
# --metrics-max-series (CAP), its RSS and the dropped count from /metrics.
# Rows (bench/result.py): with --metrics (and labels) against without (>= 0.95),
# the capped run's RSS (information).
# usage: bench/metrics_cost.sh   (env: FLOOD_SECONDS=3 RUNS=3 CAP=10000 BUILD=build,
#        ROUNDS=2*RUNS+1: a pair's ratio varies by a tenth on this VM, so the
#        median takes more of them than the other benches take runs;
#        BENCH_SMOKE=1: 1 s floods, one round, CAP=100)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
smoke="${BENCH_SMOKE:-}"
secs="${FLOOD_SECONDS:-$([ "$smoke" = 1 ] && echo 1 || echo 3)}"
runs="${RUNS:-$([ "$smoke" = 1 ] && echo 1 || echo 3)}"
cap="${CAP:-$([ "$smoke" = 1 ] && echo 100 || echo 10000)}"
rounds="${ROUNDS:-$([ "$smoke" = 1 ] && echo 1 || echo $((2 * runs + 1)))}"
work="$(mktemp -d /dev/shm/ecli-metrics-bench.XXXXXX 2>/dev/null || mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" ECC_CACHE_WARM=off

# flood.h as is, and with @metric members: comm and pid as labels, and seq
# as a label (a new series per event).
"$ecc" -o "$work/plain" "$root/bench/flood.bpf.c" "$root/bench/flood.h" >/dev/null
annotate() {  # annotate OUT_DIR SED_SCRIPT
  mkdir -p "$1/src"
  cp "$root/bench/flood.bpf.c" "$1/src/"
  sed "$2" "$root/bench/flood.h" > "$1/src/flood.h"
  "$ecc" -o "$1" "$1/src/flood.bpf.c" "$1/src/flood.h" >/dev/null
}
annotate "$work/labels" 's|^\tunsigned int pid;|\t/// @metric label\n\tunsigned int pid;|; s|^\tchar comm\[16\];|\t/// @metric label\n\tchar comm[16];|'
annotate "$work/seq" 's|^\tunsigned long long seq; .*|\t/// @metric label\n\tunsigned long long seq;|'
source "$root/bench/flood_lib.sh"
flood_build_tools
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

flood_header
results=()
# A round runs the three back to back, and every other round in the reverse
# order: the consumer's CPU per event drifts by a quarter over minutes on
# this VM, and a ratio within a round cancels the drift.
for r in $(seq "$rounds"); do
  order=(plain metrics labels)
  [ $((r % 2)) = 0 ] && order=(labels metrics plain)
  for name in "${order[@]}"; do
    pkg="$work/plain/package.json"; extra=()
    case "$name" in
      metrics) extra=(--metrics "127.0.0.1:$(port)") ;;
      labels) pkg="$work/labels/package.json"; extra=(--metrics "127.0.0.1:$(port)") ;;
    esac
    line=$(flood_run "$name" attached json "$ecli" run -j "${extra[@]}" -d "$((secs + 2))" "$pkg" -p @PID@)
    results+=("$r $(flood_row "$line")")
  done
done
python3 - "$root/bench/result.py" "${results[@]}" <<'PY'
import statistics, subprocess, sys
result = sys.argv.pop(1)
per_cpu, lost = {}, {}
for r in sys.argv[1:]:
    rnd, n, rate, l, pc = r.split()[:5]
    per_cpu.setdefault(n, {})[rnd] = int(pc); lost[n] = lost.get(n, 0) + int(l)
p = statistics.median(per_cpu["plain"].values())
for n in ("metrics", "labels"):
    m = statistics.median(per_cpu[n].values())
    ratios = [per_cpu[n][rnd] / per_cpu["plain"][rnd] for rnd in per_cpu["plain"]]
    ratio = statistics.median(ratios)
    print(f"events per consumer CPU-second: ecli -j {p:.0f}, with --metrics{' and @metric labels' if n == 'labels' else ''} "
          f"{m:.0f} (medians); the rounds' ratios {' '.join(f'{x:.2f}' for x in ratios)}, median {ratio:.2f} "
          f"(lost {lost['plain']} vs {lost[n]})", file=sys.stderr)
    what = "ecli run -j --metrics" + (" with @metric labels" if n == "labels" else "")
    subprocess.run(["python3", result, "metrics_cost", what, f"{m:.0f}", "ecli run -j", f"{p:.0f}",
                    "events/CPU-s", ">=", "0.95" if n == "metrics" else "-",
                    f"lost {lost[n]} vs {lost['plain']}; median of {len(ratios)} rounds' ratios",
                    f"--ratio={ratio:.4f}"], check=True)
PY

# The cap: one series per event wanted, --metrics-max-series $cap.
mp=$(port)
mkdir -p "$work/cap"
rm -f "$work/go"; mkfifo "$work/go"
"$work/gen" "$secs" < "$work/go" > "$work/calls" &
gen=$!
exec 3> "$work/go"
/usr/bin/python3 "$root/bench/consumer_stats.py" "$work/cap" 0.5 "$ecli" run -q --metrics "127.0.0.1:$mp" \
  --metrics-max-series "$cap" -d "$((secs + 2))" "$work/seq/package.json" -p "$gen" 2> "$work/cap/err" &
consumer=$!
for _ in $(seq 200); do grep -q attached "$work/cap/err" 2>/dev/null && break; sleep 0.05; done
echo go >&3; exec 3>&-
wait "$gen"
sleep 1
scrape=$(/usr/bin/python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
  "http://127.0.0.1:$mp/metrics")
wait "$consumer"
series=$(grep -c '^ecli_event_total{' <<< "$scrape" || true)
dropped=$(sed -n 's/^ecli_metrics_dropped_series_total{[^}]*} //p' <<< "$scrape")
events=$(sed -n 's/^ecli_events_total{[^}]*} //p' <<< "$scrape")
rss=$(sort -k2 -n "$work/cap/rss" | tail -n 1 | cut -d' ' -f2)
echo "series cap $cap: $series series made, $dropped dropped, of $events events; peak RSS ${rss} kB" >&2
[ -n "$rss" ] && [ -n "$dropped" ] || { echo "metrics_cost.sh: the capped run gave no RSS or dropped count" >&2; exit 1; }
python3 "$root/bench/result.py" metrics_cost "peak RSS at --metrics-max-series $cap" "$rss" \
  - - kB - - "$series series made, $dropped dropped, of $events events"
