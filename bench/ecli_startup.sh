#!/usr/bin/env bash
# Start-up of sigsnoop (docs/testing.md): time from `ecli run` to its "attached"
# line for the package, and to the first event for the package, for the same
# program as an Inspektor Gadget image layout (ecc --gadget), and for the
# app.wasm that `ecc gen-wasm-skel` + `build-wasm` make of it (an app prints
# nothing when attached) under each engine in docs/wasm-host-abi.md, the AOT module cached
# (`ecli compile` before, its time printed). A child ignoring SIGWINCH is
# signalled every millisecond until an event comes. Several runs, mean and
# median in ms, and the ratios to the package's time to its first event.
# usage: bench/ecli_startup.sh   (env: RUNS=10 BUILD=build ENGINES="aot interp")
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
runs="${RUNS:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" ECC_CACHE_WARM=off
# --gadget: the same program as an Inspektor Gadget image layout too (docs/gadget.md).
"$ecc" --gadget -o "$work/sigsnoop" "$root/examples/sigsnoop/sigsnoop.bpf.c" "$root/examples/sigsnoop/sigsnoop.h" >/dev/null
mkdir -p "$work/app"
cp "$root/examples/sigsnoop/sigsnoop.bpf.c" "$root/examples/sigsnoop/sigsnoop.h" "$work/app/"
(cd "$work/app" && "$ecc" gen-wasm-skel >/dev/null && "$ecc" build-wasm >/dev/null)
source "$root/bench/aot_lib.sh"
aot_compile_report "$work/app/app.wasm" "sigsnoop app.wasm" 2>&1

python3 - "$ecli" "$work/sigsnoop/package.json" "$work/app/app.wasm" "$runs" ${ENGINES:-aot interp} <<'PY'
import os, select, signal, statistics, subprocess, sys, time
ecli, pkg, app, runs, engines = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
child = subprocess.Popen(["python3", "-c", "import signal, time; signal.signal(signal.SIGWINCH, signal.SIG_IGN); time.sleep(3600)"])
time.sleep(0.3)

def first_event(cmd, attached=None):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t_att, deadline = None, t0 + 20
    err = b""
    while time.perf_counter() < deadline:
        os.kill(child.pid, signal.SIGWINCH)
        r, _, _ = select.select([p.stdout, p.stderr], [], [], 0.001)
        if p.stderr in r:
            err += os.read(p.stderr.fileno(), 4096)
            if t_att is None and b"attached" in err:
                t_att = (time.perf_counter() - t0) * 1000
        if p.stdout in r and os.read(p.stdout.fileno(), 65536):
            t = (time.perf_counter() - t0) * 1000
            p.send_signal(signal.SIGINT)
            p.wait(timeout=10)
            return t, t_att
        if p.poll() is not None:
            sys.exit(f"{cmd} exited: {err.decode()}")
    sys.exit(f"{cmd}: no event within 20 s")

rows = {"package": ([ecli, "run", "-j", pkg], [], []),
        "gadget layout (ecc --gadget)": ([ecli, "run", "-j", os.path.join(os.path.dirname(pkg), "sigsnoop.gadget")], [], [])}
for e in engines:
    rows[f"app.wasm --engine {e}"] = ([ecli, "run", "--engine", e, app], [], [])
for _ in range(runs):
    for name, (cmd, ev, att) in rows.items():
        t, a = first_event(cmd)
        ev.append(t)
        if a is not None:
            att.append(a)
child.kill()
base = statistics.median(rows["package"][1])
_, _, att = rows["package"]
print(f"package start-up to 'attached' ({runs} runs): mean {statistics.mean(att):.1f} ms, median {statistics.median(att):.1f} ms")
for name, (cmd, ev, _) in rows.items():
    print(f"{name}: to the first event ({runs} runs): mean {statistics.mean(ev):.1f} ms, "
          f"median {statistics.median(ev):.1f} ms, min {min(ev):.1f} ms; ratio to the package {statistics.median(ev) / base:.2f}")
PY
