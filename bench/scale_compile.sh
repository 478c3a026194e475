#!/usr/bin/env bash
# ecc on programs of growing size against a bare `clang -g -O2 -target bpf -c`
# of the same file (as bench/compile.sh, against a plain vmlinux.h): time vs
# the program's own source + header bytes. Programs: examples/*, and those of
# bench/scale/gen_program.py: N tracepoint handlers each with its own event
# struct (N = 1, 4, 16, 64) and one handler with a large header of M unused
# export structs (M = 256, 1024). ecc runs with a warm cache (vmlinux.h and
# PCHs made once before), each program RUNS rounds of hyperfine (ecc and
# clang interleaved, one run each a round, after one unrecorded round), medians;
# the largest program also cold (a new cache each run, RUNS_COLD times).
# Writes OUT_DIR/scale_compile.csv (size_bytes,program,ecc_ms,clang_ms), its
# PNG (bench/plot_scale.py, which also replots a scale_events.csv there) and
# RESULT rows (bench/result.py); the table goes to stderr.
# usage: bench/scale_compile.sh   (env: OUT_DIR=<temp> RUNS=5 RUNS_COLD=3
#        HANDLERS="1 4 16 64" HEADERS="256 1024" EXAMPLES=1 BUILD=build;
#        BENCH_SMOKE=1: handlers 1 and 4 only, one run each)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
smoke="${BENCH_SMOKE:-0}"
if [ "$smoke" = 1 ]; then
  handlers=(1 4); headers=(); examples=0; runs=1; runs_cold=1; warmup=0
else
  read -r -a handlers <<< "${HANDLERS:-1 4 16 64}"
  read -r -a headers <<< "${HEADERS:-256 1024}"
  examples="${EXAMPLES:-1}"; runs="${RUNS:-5}"; runs_cold="${RUNS_COLD:-3}"; warmup=1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out_dir="${OUT_DIR:-$(mktemp -d /tmp/scale-compile.XXXXXX)}"  # kept: printed at the end
mkdir -p "$out_dir"
csv="$out_dir/scale_compile.csv"

bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$work/vmlinux.h"
arch="$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')"
export XDG_CACHE_HOME="$work/cache"
# Every ecc run compiles (refresh: compile, then store), as in bench/compile.sh:
# an object cache hit would time the cache, not the compile.
export ECC_OBJECT_CACHE=refresh

# The programs, "NAME SOURCE HEADER" each.
progs=()
if [ "$examples" = 1 ]; then
  for d in "$root"/examples/*/; do
    n="$(basename "$d")"
    progs+=("$n $d$n.bpf.c $d$n.h")
  done
fi
for n in "${handlers[@]}"; do
  python3 "$root/bench/scale/gen_program.py" "$work/src" "handlers-$n" handlers "$n"
  progs+=("handlers-$n $work/src/handlers-$n.bpf.c $work/src/handlers-$n.h")
done
for m in "${headers[@]}"; do
  python3 "$root/bench/scale/gen_program.py" "$work/src" "header-$m" header "$m"
  progs+=("header-$m $work/src/header-$m.bpf.c $work/src/header-$m.h")
done

# rounds N WARMUP HYPERFINE_ARGS...: N rounds of one run of every command
# (interleaved: a burst of load hits both alike), after WARMUP unrecorded
# rounds; leaves "NAME MS" lines in $work/rounds.
rounds() {
  local n="$1" w="$2"; shift 2
  : > "$work/rounds"
  for i in $(seq $((n + w))); do
    hyperfine -N --runs 1 --export-csv "$work/round.csv" "$@" > "$work/hyperfine.log" 2>&1 \
      || { cat "$work/hyperfine.log" >&2; return 1; }
    [ "$i" -le "$w" ] || awk -F, 'NR > 1 { printf "%s %.1f\n", $1, $2 * 1000 }' "$work/round.csv" >> "$work/rounds"
  done
}

# median_ms NAME: the median over the rounds of command NAME, in ms.
median_ms() {
  python3 -c 'import statistics, sys
v = [float(l.split()[1]) for l in open(sys.argv[1]) if l.split()[0] == sys.argv[2]]
print(f"{statistics.median(v):.1f}" if v else sys.exit(f"scale_compile: no time for {sys.argv[2]}"))' "$work/rounds" "$1"
}

echo "size_bytes,program,ecc_ms,clang_ms" > "$csv.tmp"
printf '%-14s %10s %10s %10s %7s\n' program bytes ecc_ms clang_ms ratio >&2
largest="" largest_size=0
for p in "${progs[@]}"; do
  read -r name src hdr <<< "$p"
  size=$(( $(stat -c %s "$src") + $(stat -c %s "$hdr") ))
  mkdir -p "$work/o/$name"
  # Warm the cache (vmlinux.h, PCHs) and check that the program compiles.
  ECC_CACHE_WARM=sync "$ecc" -o "$work/o/$name" "$src" "$hdr" > /dev/null
  bare="clang -g -O2 -target bpf -D__TARGET_ARCH_$arch -fno-stack-protector -I$work -I$(dirname "$src") -c $src -o $work/o/$name/bare.o"
  rounds "$runs" "$warmup" -n clang "$bare" -n ecc "$ecc -o $work/o/$name $src $hdr" \
    || { echo "scale_compile: $name failed" >&2; exit 1; }
  e=$(median_ms ecc); c=$(median_ms clang)
  echo "$size,$name,$e,$c" >> "$csv.tmp"
  printf '%-14s %10s %10s %10s %7.2f\n' "$name" "$size" "$e" "$c" "$(python3 -c "print($e / $c)")" >&2
  if [ "$size" -gt "$largest_size" ]; then largest="$p" largest_size=$size largest_ecc=$e largest_clang=$c; fi
done
mv "$csv.tmp" "$csv"
echo "scale_compile: $csv" >&2

# The largest program cold: a new cache (vmlinux.h generated, PCHs not
# waited for) each run, against the same bare clang.
read -r name src hdr <<< "$largest"
bare="clang -g -O2 -target bpf -D__TARGET_ARCH_$arch -fno-stack-protector -I$work -I$(dirname "$src") -c $src -o $work/o/$name/bare.o"
rounds "$runs_cold" 0 --prepare "rm -rf $work/cache-cold" -n clang "$bare" -n ecc-cold \
  "env XDG_CACHE_HOME=$work/cache-cold ECC_CACHE_WARM=off $ecc -o $work/o/$name $src $hdr" \
  || { echo "scale_compile: $name cold failed" >&2; exit 1; }
cold=$(median_ms ecc-cold); cold_clang=$(median_ms clang)
echo "$name cold: ecc $cold ms, bare clang $cold_clang ms ($runs_cold runs)" >&2

# Cost per byte over the programs: least-squares slope, ms per 10 kB.
read -r ecc_slope clang_slope < <(python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
x = [float(r["size_bytes"]) / 1e4 for r in rows]
def slope(key):
    y = [float(r[key]) for r in rows]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxx = sum((a - mx) ** 2 for a in x)
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / sxx if sxx else 0.0
print(f"{slope('ecc_ms'):.2f} {slope('clang_ms'):.2f}")
PY
)
echo "slope over ${#progs[@]} programs: ecc $ecc_slope ms per 10 kB, bare clang $clang_slope ms per 10 kB" >&2

r="$root/bench/result.py"
python3 "$r" scale_compile "ecc warm, $name ($largest_size B)" "$largest_ecc" "bare clang" "$largest_clang" ms "<=" - "median of $runs"
python3 "$r" scale_compile "ecc cold, $name ($largest_size B)" "$cold" "bare clang" "$cold_clang" ms "<=" 1.3 "median of $runs_cold"
python3 "$r" scale_compile "ecc warm, slope over ${#progs[@]} programs" "$ecc_slope" "bare clang slope" "$clang_slope" "ms/10kB" "<=" - "least squares, size = source + header"

# The curves as PNGs next to the CSV (Debian's python3-matplotlib).
/usr/bin/python3 "$root/bench/plot_scale.py" "$out_dir" "$out_dir"
