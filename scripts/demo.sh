#!/usr/bin/env bash
# Sets everything up and runs the main job on the bundled sigsnoop example:
# install dependencies, build, package examples/sigsnoop with ecc into out/,
# then run the package with ecli for a few seconds while this script sends
# signals, and show the events.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target ecc ecli
bash scripts/mount-kernel-fs.sh
mkdir -p out

echo "== ecc: compile and package examples/sigsnoop"
./build/tools/ecc/ecc -v -o out examples/sigsnoop/sigsnoop.bpf.c examples/sigsnoop/sigsnoop.h
ls -l out

echo "== ecli: run out/package.json for 4 s, tracing the signals this script sends"
# --pid is sigsnoop's own option (its @cmdarg): only signals sent by this shell.
./build/tools/ecli/ecli run -d 4 out/package.json --pid $$ &
ecli=$!
sleep 1.5
# A victim that ignores USR1/USR2, so every signal is delivered; TERM ends it.
bash -c "trap '' USR1 USR2; sleep 60" &
victim=$!
sleep 0.2
kill -USR1 "$victim" 2>/dev/null || true
kill -USR2 "$victim" 2>/dev/null || true
kill -TERM "$victim" 2>/dev/null || true
wait "$ecli"
wait "$victim" 2>/dev/null || true
