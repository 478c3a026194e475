#!/usr/bin/env bash
# Distribution (docs/oci.md) figures on a docker-registry on loopback:
#  - start-up to "attached" of sigsnoop: a local package.json vs `ecli run REF`
#    of the same package already in the cache (by tag: probe + HEAD; by
#    digest: no network), and of the same program as a cached Inspektor
#    Gadget image (ecc --gadget);
#  - a cold `ecli pull` of sigsnoop's app.wasm vs `skopeo copy` of the same
#    artifact to a dir:.
# Rows (bench/result.py): each start-up against the local package's, ecli pull
# against skopeo copy.
# usage: bench/oci_pull.sh   (env: RUNS=10 BUILD=build; BENCH_SMOKE=1: two runs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$root/build}"
ecc="${ECC:-$build/tools/ecc/ecc}"
ecli="${ECLI:-$build/tools/ecli/ecli}"
runs="${RUNS:-$([ "${BENCH_SMOKE:-}" = 1 ] && echo 2 || echo 10)}"
work="$(mktemp -d)"
registry_pid=""
cleanup() {
  [ -z "$registry_pid" ] || { kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

export ECC_CACHE_WARM=off
XDG_CACHE_HOME="$work/ecc-cache" \
  "$ecc" --gadget -o "$work/sigsnoop" "$root/examples/sigsnoop/sigsnoop.bpf.c" "$root/examples/sigsnoop/sigsnoop.h" >/dev/null
cp -r "$root/examples/sigsnoop" "$work/app"
(cd "$work/app" && XDG_CACHE_HOME="$work/ecc-cache" "$ecc" gen-wasm-skel >/dev/null &&
  XDG_CACHE_HOME="$work/ecc-cache" "$ecc" build-wasm >/dev/null)

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.1)" 2>/dev/null && break
  sleep 0.05
done

host="127.0.0.1:$port"
export XDG_CACHE_HOME="$work/oci-cache" DOCKER_CONFIG="$work/docker"
pkg_digest="$("$ecli" push --plain-http "$work/sigsnoop/package.json" "$host/bench/sigsnoop:latest" 2>/dev/null)"
"$ecli" push --plain-http "$work/app/app.wasm" "$host/bench/sigsnoop-wasm:latest" >/dev/null 2>&1
"$ecli" pull --plain-http "$host/bench/sigsnoop" -o "$work/warm.json" 2>/dev/null  # fills the cache
# The same program as an Inspektor Gadget image (ecc --gadget), cached the same way.
gadget_digest="$("$ecli" push --plain-http "$work/sigsnoop/sigsnoop.gadget" "$host/bench/sigsnoop-gadget:latest" 2>/dev/null)"
"$ecli" pull --plain-http "$host/bench/sigsnoop-gadget@$gadget_digest" -o "$work/warm-gadget" 2>/dev/null

python3 - "$ecli" "$runs" "$work" "$host" "$pkg_digest" "$gadget_digest" "$root/bench/result.py" <<'PY'
import os, shutil, signal, statistics, subprocess, sys, time
result = sys.argv.pop()
ecli, runs, work, host, digest, gadget = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]

def startup(args):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen([ecli, "run", "-j"] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in p.stderr:
            if "attached" in line:
                times.append((time.perf_counter() - t0) * 1000)
                break
        else:
            sys.exit("ecli exited without attaching: " + " ".join(args))
        p.send_signal(signal.SIGINT)
        p.wait(timeout=10)
    return times

def timed(cmd, fresh_dir, env=None):
    times = []
    for _ in range(runs):
        shutil.rmtree(os.path.join(work, fresh_dir), ignore_errors=True)  # cold every time
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t0) * 1000)
    return times

def row(what, t, floor_what, floor, op="<=", target="-"):
    subprocess.run(["python3", result, "oci_pull", what, f"{statistics.median(t):.1f}", floor_what,
                    f"{statistics.median(floor):.1f}", "ms", op, target], check=True)

def show(label, t):
    print(f"{label:<58} median {statistics.median(t):7.1f} ms  (mean {statistics.mean(t):.1f}, "
          f"min {min(t):.1f}, max {max(t):.1f}, {len(t)} runs)", file=sys.stderr)

local = startup([os.path.join(work, "sigsnoop", "package.json")])
by_tag = startup(["--plain-http", f"{host}/bench/sigsnoop:latest"])
by_digest = startup(["--plain-http", f"{host}/bench/sigsnoop@{digest}"])
show("start-up, local package.json", local)
show("start-up, cached REF by tag (probe + HEAD)", by_tag)
gadget_digest = startup(["--plain-http", f"{host}/bench/sigsnoop-gadget@{gadget}"])
show("start-up, cached REF@sha256 (no network)", by_digest)
show("start-up, cached gadget image REF@sha256 (no network)", gadget_digest)
row("start-up of a cached REF by tag (probe + HEAD)", by_tag, "start-up of the local package.json", local)
row("start-up of a cached REF@sha256 (no network)", by_digest, "start-up of the local package.json", local, "<=", "1.1")
row("start-up of a cached gadget image REF@sha256", gadget_digest, "start-up of the cached package REF@sha256", by_digest)
print(f"ratio cached-tag / local {statistics.median(by_tag) / statistics.median(local):.2f}, "
      f"cached-digest / local {statistics.median(by_digest) / statistics.median(local):.2f}, "
      f"cached gadget / cached package {statistics.median(gadget_digest) / statistics.median(by_digest):.2f}", file=sys.stderr)

ref = f"{host}/bench/sigsnoop-wasm:latest"
size = os.path.getsize(os.path.join(work, "app", "app.wasm"))
ecli_cold = timed([ecli, "pull", "--plain-http", ref, "-o", os.path.join(work, "cold.wasm")], "cold",
                  dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cold")))
skopeo = timed(["skopeo", "copy", "--src-tls-verify=false", "docker://" + ref, "dir:" + os.path.join(work, "sk")], "sk")
show(f"cold pull of app.wasm ({size} bytes), ecli pull", ecli_cold)
show("same artifact, skopeo copy docker:// dir:", skopeo)
print(f"ratio ecli / skopeo {statistics.median(ecli_cold) / statistics.median(skopeo):.2f}", file=sys.stderr)
row(f"cold ecli pull of app.wasm ({size} bytes)", ecli_cold, "skopeo copy docker:// dir: of the same artifact", skopeo, "<=", "1")
PY
