#!/usr/bin/env bash
# Start-up of a program, sigsnoop by default (docs/testing.md). Rows
# (bench/result.py):
#  - `ecli run PACKAGE.json` to its "attached" line against the floor, the
#    native libbpf loader (bench/native_loader.c) doing the same work up to
#    "attached" on the same object (taken out of the package): target <= 1.1;
#  - the same against the ecli of commit 4b1443f when REF_ECLI names its
#    binary: target <= 1.0;
#  - with BEFORE=DIR (a build of the commit before a change): its ecli's
#    rows against the same floors, named "... (before)", no target;
#  - information: the CPU time of each (user + system, a run stopped by
#    SIGINT right after "attached"), and the time to the first event for the
#    package, the same program as an Inspektor Gadget image layout (ecc
#    --gadget), and the app.wasm that `ecc gen-wasm-skel` + `build-wasm`
#    make of it under each engine in docs/wasm-host-abi.md (the AOT module
#    cached by `ecli compile` before, its time printed), each against the
#    package's. A child ignoring SIGWINCH is signalled every millisecond until
#    an event comes. These rows only for sigsnoop, whose events the bench
#    can cause.
# The loaders run interleaved, RUNS times each; the median is the value.
# Human-readable lines on stderr, RESULT rows on stdout.
# usage: bench/ecli_startup.sh [FILE.bpf.c HEADER.h]   (env: RUNS=15 BUILD=build ENGINES="aot interp"
#        REF_ECLI=/path/to/ecli-of-4b1443f BEFORE=/path/to/build-dir
#        BENCH_SMOKE=1: 2 runs, AOT only)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
runs="${RUNS:-15}"
src="$(realpath "${1:-$root/examples/sigsnoop/sigsnoop.bpf.c}")"
hdr="$(realpath "${2:-$root/examples/sigsnoop/sigsnoop.h}")"
name="$(basename "$src" .bpf.c)"
engines="${ENGINES:-aot interp}"
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
  runs=2
  engines=aot
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" ECC_CACHE_WARM=off
echo "ecli_startup: $(nproc) CPUs, uptime:$(uptime | sed 's/.*load average/ load average/')" >&2
# sigsnoop with --gadget: the same program as an Inspektor Gadget image layout
# too (docs/gadget.md), for its first-event row.
gadget=(); [ "$name" != sigsnoop ] || gadget=(--gadget)
"$ecc" "${gadget[@]}" -o "$work/prog" "$src" "$hdr" >/dev/null
python3 -c 'import base64, json, sys, zlib
p = json.load(open(sys.argv[1]))
open(sys.argv[2], "wb").write(zlib.decompress(base64.b64decode(p["bpf_object"])))' \
  "$work/prog/package.json" "$work/prog.bpf.o"
cc -O2 -Wall -o "$work/native_loader" "$root/bench/native_loader.c" -lbpf
if [ "$name" = sigsnoop ]; then
  mkdir -p "$work/app"
  cp "$src" "$hdr" "$work/app/"
  (cd "$work/app" && "$ecc" gen-wasm-skel >/dev/null && "$ecc" build-wasm >/dev/null)
  source "$root/bench/aot_lib.sh"
  aot_compile_report "$work/app/app.wasm" "sigsnoop app.wasm"
fi

# shellcheck disable=SC2086
python3 - "$root" "$ecli" "$work" "$runs" "${REF_ECLI:-}" "${BEFORE:+$BEFORE/tools/ecli/ecli}" "$name" $engines <<'PY'
import os, select, signal, statistics, subprocess, sys, time
root, ecli, work, runs, ref, before = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
prog, engines = sys.argv[7], sys.argv[8:]
pkg, app = f"{work}/prog/package.json", f"{work}/app/app.wasm"


def row(what, value, floor_what, floor, unit, op, target, note=""):
    subprocess.run(["python3", f"{root}/bench/result.py", "ecli_startup", what, f"{value:.3f}", floor_what,
                    f"{floor:.3f}", unit, op, target, note], check=True)


def to_attached(cmd):
    """ms to the first stderr line saying "attached", and the run's CPU ms
    (user + system, stopped by SIGINT right after)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err, deadline = b"", t0 + 20
    while b"attached" not in err:
        if time.perf_counter() > deadline or not select.select([p.stderr], [], [], 1)[0]:
            p.kill()
            sys.exit(f"{cmd}: no 'attached' line within 20 s: {err.decode(errors='replace')}")
        chunk = os.read(p.stderr.fileno(), 4096)
        if not chunk:
            p.wait()
            sys.exit(f"{cmd} exited ({p.returncode}) before 'attached': {err.decode(errors='replace')}")
        err += chunk
    t = (time.perf_counter() - t0) * 1000
    p.send_signal(signal.SIGINT)
    p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{cmd} exited with {p.returncode} after SIGINT")
    return t, (ru.ru_utime + ru.ru_stime) * 1000


loaders = {"ecli": [ecli, "run", pkg], "native": [f"{work}/native_loader", f"{work}/prog.bpf.o"]}
if ref:
    loaders["ref"] = [ref, "run", pkg]
if before:
    loaders["before"] = [before, "run", pkg]
att = {k: ([], []) for k in loaders}
for _ in range(runs):
    for name, cmd in loaders.items():
        t, cpu = to_attached(cmd)
        att[name][0].append(t)
        att[name][1].append(cpu)
med = {k: (statistics.median(v[0]), statistics.median(v[1])) for k, v in att.items()}
for k, (t, cpu) in med.items():
    print(f"{k}: to 'attached' ({runs} runs): median {t:.1f} ms, min {min(att[k][0]):.1f} ms; "
          f"CPU median {cpu:.1f} ms", file=sys.stderr)
note = f"{prog}, median of {runs}, interleaved"
row("ecli run PACKAGE to attached", med["ecli"][0], "native libbpf loader", med["native"][0], "ms", "<=", "1.1", note)
if ref:
    row("ecli run PACKAGE to attached", med["ecli"][0], "ecli of 4b1443f", med["ref"][0], "ms", "<=", "1.0", note)
row("ecli run PACKAGE CPU", med["ecli"][1], "native libbpf loader CPU", med["native"][1], "ms", "<=", "-", note)
if ref:
    row("ecli run PACKAGE CPU", med["ecli"][1], "ecli of 4b1443f CPU", med["ref"][1], "ms", "<=", "-", note)
if before:
    bnote = f"{note}; BEFORE={os.environ['BEFORE']}"
    row("ecli run PACKAGE to attached (before)", med["before"][0], "native libbpf loader", med["native"][0], "ms",
        "<=", "-", bnote)
    if ref:
        row("ecli run PACKAGE to attached (before)", med["before"][0], "ecli of 4b1443f", med["ref"][0], "ms",
            "<=", "-", bnote)
    row("ecli run PACKAGE CPU (before)", med["before"][1], "native libbpf loader CPU", med["native"][1], "ms",
        "<=", "-", bnote)
if prog != "sigsnoop":  # the first event: only sigsnoop's can be caused here
    sys.exit(0)
child = subprocess.Popen(["python3", "-c", "import signal, time; signal.signal(signal.SIGWINCH, signal.SIG_IGN); time.sleep(3600)"])
time.sleep(0.3)


def first_event(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline, err = t0 + 20, b""
    while time.perf_counter() < deadline:
        os.kill(child.pid, signal.SIGWINCH)
        r, _, _ = select.select([p.stdout, p.stderr], [], [], 0.001)
        if p.stderr in r:
            err += os.read(p.stderr.fileno(), 4096)
        if p.stdout in r and os.read(p.stdout.fileno(), 65536):
            t = (time.perf_counter() - t0) * 1000
            p.send_signal(signal.SIGINT)
            p.communicate(timeout=10)
            return t
        if p.poll() is not None:
            child.kill()
            sys.exit(f"{cmd} exited ({p.returncode}): {err.decode(errors='replace')}")
    child.kill()
    sys.exit(f"{cmd}: no event within 20 s")


rows = {"package": [ecli, "run", "-j", pkg],
        "gadget layout (ecc --gadget)": [ecli, "run", "-j", f"{work}/prog/{prog}.gadget"]}
for e in engines:
    rows[f"app.wasm --engine {e}"] = [ecli, "run", "--engine", e, app]
ev = {k: [] for k in rows}
for _ in range(runs):
    for name, cmd in rows.items():
        ev[name].append(first_event(cmd))
child.kill()
base = statistics.median(ev["package"])
for name, ts in ev.items():
    m = statistics.median(ts)
    print(f"{name}: to the first event ({runs} runs): median {m:.1f} ms, min {min(ts):.1f} ms; "
          f"ratio to the package {m / base:.2f}", file=sys.stderr)
    if name != "package":
        row(f"{name} to the first event", m, "package to the first event", base, "ms", "<=", "-", note)
row("package to the first event", base, "native libbpf loader to attached", med["native"][0], "ms", "<=", "-", note)
PY
