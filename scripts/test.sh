#!/usr/bin/env bash
# Sets everything up and runs every test: install dependencies, build, ctest.
# ctest's summary is the last thing printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
bash scripts/mount-kernel-fs.sh
# Each test run gets a fresh cache so cold and warm paths are both exercised.
export XDG_CACHE_HOME="${XDG_CACHE_HOME:-$PWD/build/test-cache}"
cd build && ctest --output-on-failure -j"$(nproc)"
