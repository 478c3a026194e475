#!/usr/bin/env bash
# Runs every bench and gathers their rows (bench/result.py: a value, the floor
# measured in the same run, the ratio, the target) into one Markdown table.
#
#   bench/run.sh            every bench at full size; writes docs/performance.md
#                           (the table, the machine, the date) and the scale
#                           curves' PNGs into docs/performance/
#   bench/run.sh --smoke    every bench at tiny sizes (BENCH_SMOKE=1), seconds
#                           each: a bench that fails, or prints no row, fails
#                           the run; no ratio is asserted. CI runs this
#                           (ctest's bench_smoke) so that no bench can rot.
#
# Options: --build DIR (default build), --out FILE (the Markdown page; default
# docs/performance.md, or DIR/bench-smoke.md with --smoke), --only "A B" (a
# subset, by script name without .sh), --before DIR (a build of the commit
# before a change: compile, ecli_startup and ecli_throughput also measure its
# ecc and ecli, interleaved with this build's, and the page gets a before and
# after table from this one run). Each bench's whole output is kept in
# the log directory the run prints. Needs root (the benches load BPF
# programs); without it: exit 77 (skipped), or 1 under ECC_REQUIRE_KERNEL=1.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
smoke=0 build="$root/build" out="" only="" before=""
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --build) build="$(cd "$2" && pwd)"; shift ;;
    --out) out="$2"; shift ;;
    --only) only="$2"; shift ;;
    --before) before="$(cd "$2" && pwd)"; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1' (bench/run.sh [--smoke] [--build DIR] [--out FILE] [--only NAMES] [--before DIR])" >&2; exit 2 ;;
  esac
  shift
done
if [ "$(id -u)" != 0 ]; then
  [ "${ECC_REQUIRE_KERNEL:-}" = 1 ] && { echo "bench/run.sh: FAIL: needs root to load BPF programs" >&2; exit 1; }
  echo "bench/run.sh: skipped: needs root to load BPF programs" >&2; exit 77
fi
[ -x "$build/tools/ecli/ecli" ] || { echo "bench/run.sh: no ecli in $build (build first, or --build DIR)" >&2; exit 2; }
if [ -n "$before" ]; then
  [ -x "$before/tools/ecli/ecli" ] && [ -x "$before/tools/ecc/ecc" ] ||
    { echo "bench/run.sh: --before $before: no tools/ecc/ecc and tools/ecli/ecli there" >&2; exit 2; }
  export BEFORE="$before"
fi
if [ -z "$out" ]; then
  if [ "$smoke" = 1 ]; then out="$build/bench-smoke.md"; else out="$root/docs/performance.md"; fi
fi
logs="$(mktemp -d "${TMPDIR:-/tmp}/ecc-bench.XXXXXX")"
plots="$logs/plots"
mkdir -p "$plots"
# The scale benches write their CSVs into OUT_DIR; the curves are drawn from there.
export BUILD="$build" ECC="$build/tools/ecc/ecc" ECLI="$build/tools/ecli/ecli" OUT_DIR="$logs/scale"
[ "$smoke" = 1 ] && export BENCH_SMOKE=1
mkdir -p "$OUT_DIR"

# The benches, in the order of the table. A script not in the tree (yet)
# is an error: the list is the contract.
benches=(compile ecli_startup ecli_throughput ecli_load wasm_throughput metrics_cost
         oci_pull wasm_compute aot_compile wasm_size scale_compile scale_events)
[ -n "$only" ] && read -r -a benches <<< "$only"

failed=()
: > "$logs/rows"
for b in "${benches[@]}"; do
  script="$root/bench/$b.sh"
  [ -f "$script" ] || { echo "bench/run.sh: no bench/$b.sh" >&2; failed+=("$b (missing)"); continue; }
  start=$(date +%s.%N)
  echo "== $b" >&2
  if bash "$script" > "$logs/$b.out" 2> "$logs/$b.err"; then rc=0; else rc=$?; fi
  secs=$(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')")
  rows=$(grep '^RESULT|' "$logs/$b.out" || true)
  if [ "$rc" != 0 ]; then
    failed+=("$b (exit $rc)"); echo "   failed, exit $rc, after $secs s; last lines of $logs/$b.err:" >&2
    tail -n 15 "$logs/$b.err" | sed 's/^/   | /' >&2
  elif [ -z "$rows" ]; then
    failed+=("$b (no RESULT row)"); echo "   printed no RESULT row ($logs/$b.out)" >&2
  elif [[ "$b" == scale_* && ! -s "$OUT_DIR/$b.csv" ]]; then
    failed+=("$b (no $b.csv)"); echo "   wrote no $OUT_DIR/$b.csv for the curves" >&2
  elif [ -n "$before" ] && [[ " compile ecli_startup ecli_throughput " == *" $b "* ]] &&
       ! grep -q ' (before)|' <<< "$rows"; then
    failed+=("$b (no before rows)"); echo "   printed no '(before)' row for --before $before" >&2
  else
    echo "   $(wc -l <<< "$rows") rows, $secs s" >&2
  fi
  [ -z "$rows" ] || printf '%s\n' "$rows" >> "$logs/rows"
done

# The scale curves (bench/scale_*.sh wrote their CSVs into $OUT_DIR).
if compgen -G "$OUT_DIR/*.csv" > /dev/null; then
  /usr/bin/python3 "$root/bench/plot_scale.py" "$OUT_DIR" "$plots" > "$logs/plot.out" 2>&1 ||
    { failed+=("plot_scale.py (exit $?)"); cat "$logs/plot.out" >&2; }
fi

/usr/bin/python3 "$root/bench/report.py" --rows "$logs/rows" --plots "$plots" --out "$out" \
  --smoke "$smoke" --commit "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --only "$only" --knobs "$(env | grep -E '^(RUNS|FLOOD_SECONDS|ENGINES|RATES|LOAD_SECONDS|ITERS|REF_ECC|REF_ECLI|CONSUMERS|BEFORE)=' | sort | tr '\n' ' ')" \
  ${failed[@]+--failed "${failed[*]}"}
echo "bench/run.sh: table in $out, logs in $logs" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench/run.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
