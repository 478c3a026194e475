#!/usr/bin/env bash
# Sets everything up and runs ecc's main job on the bundled sigsnoop example:
# install dependencies, build, compile and package examples/sigsnoop into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target ecc
mkdir -p out
set -x
./build/tools/ecc/ecc -v -o out examples/sigsnoop/sigsnoop.bpf.c examples/sigsnoop/sigsnoop.h
{ set +x; } 2>/dev/null
ls -l out
echo "--- out/sigsnoop.skel.json (maps, programs, variables, export types) ---"
cat out/sigsnoop.skel.json
