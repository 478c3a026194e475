#!/usr/bin/env bash
# ecc's compile against its floors, measured in one run (docs/testing.md):
#   warm ecc        vs clang with the same PCH on the same file (the exact
#                   command `ecc -v` prints), target <= 1.1x
#   cold ecc        vs a bare `clang -g -O2 -target bpf -c` against a plain
#                   vmlinux.h, as a hand-written Makefile does, target <= 1.3x
#   unchanged rebuild (an object cache hit) vs bare clang, target <= 0.1x
#   warm ecc        vs the warm ecc of REF_ECC (another build, e.g. 4b1443f),
#                   target <= 1.0x, when REF_ECC is set
#   BEFORE=DIR (a build of the commit before a change, e.g. the one an issue
#   measured): its ecc's warm and cold runs against the same floors, rows
#   named "... (before)" with no target, for a before/after in one run
# Warm ecc compiles every time (ECC_OBJECT_CACHE=refresh: compile and store,
# never restore); cold ecc starts from an empty cache without warming it.
# The commands are interleaved, run after run; the median of each is used.
# usage: bench/compile.sh [FILE.bpf.c HEADER.h]   (default: examples/sigsnoop)
# BENCH_SMOKE=1: two runs each, no warm-up, no target asserted.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ecc="${ECC:-$root/build/tools/ecc/ecc}"
ref="${REF_ECC:-}"
before="${BEFORE:+$BEFORE/tools/ecc/ecc}"
src="$(realpath "${1:-$root/examples/sigsnoop/sigsnoop.bpf.c}")"
hdr="$(realpath "${2:-$root/examples/sigsnoop/sigsnoop.h}")"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then runs=2; warmup=0; else runs="${RUNS:-15}"; warmup=2; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1

# Bare clang compiles against a plain vmlinux.h.
mkdir -p "$work/plain"
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$work/plain/vmlinux.h"
arch="$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')"
bare=(clang -g -O2 -target bpf "-D__TARGET_ARCH_$arch" -fno-stack-protector -I"$work/plain" -I"$(dirname "$src")"
      -c "$src" -o "$work/bare.o")

# A warm cache (PCHs built) for ecc, and one for REF_ECC.
warm_cache() {  # CACHE_DIR ECC
  XDG_CACHE_HOME="$1" ECC_CACHE_WARM=sync ECC_OBJECT_CACHE=refresh "$2" -o "$work/out" "$src" "$hdr" 2>/dev/null
}
warm_cache "$work/cache-warm" "$ecc"
[ -z "$ref" ] || warm_cache "$work/cache-ref" "$ref"
[ -z "$before" ] || warm_cache "$work/cache-before" "$before"

# The floor: the compile command of a warm ecc run, as -v prints it, with its
# outputs moved out of ecc's work directory (which is gone).
verbose="$(XDG_CACHE_HOME="$work/cache-warm" ECC_OBJECT_CACHE=refresh "$ecc" -v -o "$work/out" "$src" "$hdr" 2>&1)"
pch_line="$(grep -E "^[^#].* -include-pch .* -c $src -o " <<<"$verbose" | head -1)" || {
  echo "compile.sh: no clang command with -include-pch in the output of ecc -v ($src)" >&2; exit 1; }
floor_cmd="$(sed -E -e "s# -MF [^ ]+# -MF $work/floor.d#" -e "s# -o [^ ]+\$# -o $work/floor.o#" <<<"$pch_line")"
echo "floor: $floor_cmd" >&2
echo "$verbose" | grep -E '^# [a-z+-]+: [0-9.]+ ms' >&2 || true

# The unchanged rebuild: an object cache entry exists.
XDG_CACHE_HOME="$work/cache-warm" "$ecc" -o "$work/out-hit" "$src" "$hdr"

python3 - "$work" "$runs" "$warmup" <<PY >"$work/medians"
import json, os, subprocess, sys, time, statistics, shlex
work, runs, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def env(**kw):
    e = dict(os.environ); e.update(kw); return e
ecc, ref, before, src, hdr = "$ecc", "$ref", "$before", "$src", "$hdr"
cmds = [
    ("clang-pch", shlex.split("""$floor_cmd"""), env(), None),
    ("bare-clang", shlex.split("""${bare[*]}"""), env(), None),
    ("ecc-warm", [ecc, "-o", f"{work}/out-warm", src, hdr],
     env(XDG_CACHE_HOME=f"{work}/cache-warm", ECC_OBJECT_CACHE="refresh"), None),
    ("ecc-cold", [ecc, "-o", f"{work}/out-cold", src, hdr],
     env(XDG_CACHE_HOME=f"{work}/cache-cold", ECC_CACHE_WARM="off"), f"{work}/cache-cold"),
    ("ecc-rebuild", [ecc, "-o", f"{work}/out-hit", src, hdr], env(XDG_CACHE_HOME=f"{work}/cache-warm"), None),
]
if ref:
    cmds.append(("ref-warm", [ref, "-o", f"{work}/out-ref", src, hdr],
                 env(XDG_CACHE_HOME=f"{work}/cache-ref"), None))
if before:
    cmds.append(("before-warm", [before, "-o", f"{work}/out-before", src, hdr],
                 env(XDG_CACHE_HOME=f"{work}/cache-before", ECC_OBJECT_CACHE="refresh"), None))
    cmds.append(("before-cold", [before, "-o", f"{work}/out-before-cold", src, hdr],
                 env(XDG_CACHE_HOME=f"{work}/cache-before-cold", ECC_CACHE_WARM="off"), f"{work}/cache-before-cold"))
times = {name: [] for name, *_ in cmds}
for i in range(warmup + runs):
    for name, argv, e, clean in cmds:
        if clean:
            subprocess.run(["rm", "-rf", clean], check=True)
        t0 = time.perf_counter()
        r = subprocess.run(argv, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit(f"compile.sh: {name} failed (exit {r.returncode}): {r.stderr.decode()[-500:]}")
        if i >= warmup:
            times[name].append(t * 1000)
for name, ts in times.items():
    print(name, f"{statistics.median(ts):.2f}")
    print(f"{name:12} median {statistics.median(ts):7.1f} ms  min {min(ts):7.1f}  max {max(ts):7.1f}  ({len(ts)} runs)",
          file=sys.stderr)
PY

med() { awk -v n="$1" '$1 == n { print $2 }' "$work/medians"; }
row() { python3 "$root/bench/result.py" compile "$@"; }
note="$(basename "$src"), median of $runs interleaved runs"
row "ecc warm" "$(med ecc-warm)" "clang+PCH" "$(med clang-pch)" ms "<=" 1.1 "$note"
row "ecc cold" "$(med ecc-cold)" "bare clang" "$(med bare-clang)" ms "<=" 1.3 "$note"
row "unchanged rebuild (object cache hit)" "$(med ecc-rebuild)" "bare clang" "$(med bare-clang)" ms "<=" 0.1 "$note"
if [ -n "$ref" ]; then
  row "ecc warm" "$(med ecc-warm)" "REF_ECC warm" "$(med ref-warm)" ms "<=" 1.0 "$note; REF_ECC=$ref"
  row "REF_ECC warm" "$(med ref-warm)" "clang+PCH" "$(med clang-pch)" ms "<=" - "information"
fi
if [ -n "$before" ]; then
  row "ecc warm (before)" "$(med before-warm)" "clang+PCH" "$(med clang-pch)" ms "<=" - "$note; BEFORE=$BEFORE"
  row "ecc cold (before)" "$(med before-cold)" "bare clang" "$(med bare-clang)" ms "<=" - "$note; BEFORE=$BEFORE"
  [ -z "$ref" ] || row "ecc warm (before)" "$(med before-warm)" "REF_ECC warm" "$(med ref-warm)" ms "<=" - "$note; BEFORE=$BEFORE"
fi
