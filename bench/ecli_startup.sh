#!/usr/bin/env bash
# Time from `ecli run` to its "attached" line for sigsnoop (SPEC §12):
# several runs, mean and median in ms.
# usage: bench/ecli_startup.sh   (env: RUNS=10 BUILD=build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
runs="${RUNS:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
XDG_CACHE_HOME="$work/cache" ECC_CACHE_WARM=off \
  "$ecc" -o "$work/sigsnoop" "$root/examples/sigsnoop/sigsnoop.bpf.c" "$root/examples/sigsnoop/sigsnoop.h" >/dev/null

python3 - "$ecli" "$work/sigsnoop/package.json" "$runs" <<'PY'
import signal, statistics, subprocess, sys, time
ecli, pkg, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen([ecli, "run", "-j", pkg], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if "attached" in line:
            times.append((time.perf_counter() - t0) * 1000)
            break
    else:
        sys.exit("ecli exited without attaching")
    p.send_signal(signal.SIGINT)
    p.wait(timeout=10)
print(f"ecli start-up to 'attached' (sigsnoop, {runs} runs): mean {statistics.mean(times):.1f} ms, "
      f"median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, max {max(times):.1f} ms")
PY
