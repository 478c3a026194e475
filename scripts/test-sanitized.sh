#!/usr/bin/env bash
# The whole ctest suite built with AddressSanitizer + UndefinedBehaviorSanitizer
# (docs/testing.md, Sanitizers): configures build-asan with clang 14,
# ECC_SANITIZE=ON and ECC_FUZZ=ON (one directory serves both), builds, mounts
# the kernel filesystems and runs every test with leak detection on. ctest's
# summary is the last thing printed.
#
# Excluded: the tests of the container image, docker_image, docker_agent and
# deploy_kube_play. They build the image (its packages and layers) and run
# the ecc and ecli inside it, none of the code built here. And bench_smoke:
# the benches time the plain build (scripts/test.sh runs it there).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=$src/build-asan

bash scripts/install-deps.sh
# The fuzz targets (tests/fuzz) are built here too: ctest replays their corpora
# and fuzzes each for ECC_FUZZ_SECONDS (default 30).
# -O1 with line tables only: sanitizer stacks keep file:line, and the build is
# about a third faster than -O2 -g.
flags="-O1 -gline-tables-only -DNDEBUG"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DECC_SANITIZE=ON -DECC_FUZZ=ON \
  -DECC_FUZZ_SECONDS="${ECC_FUZZ_SECONDS:-30}" >/dev/null
cmake --build "$build" -j"$(nproc)"
bash scripts/mount-kernel-fs.sh

# The same options build-asan's ctest sets for itself (tests/sanitize/ctest_env.cmake.in):
# leaks reported, every finding fatal with a stack, third-party suppressions only.
# exitcode=23: a finding (a leak at exit too) is an exit status no ecc/ecli path
# uses, so a test that expects an error exit (1) still fails on it.
supp=$src/tests/sanitize
export ASAN_OPTIONS="detect_leaks=1:print_stacktrace=1:halt_on_error=1:exitcode=23"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=23:suppressions=$supp/ubsan.supp"
export LSAN_OPTIONS="print_suppressions=0:suppressions=$supp/lsan.supp"
# A fresh cache, so cold and warm paths both run instrumented.
export XDG_CACHE_HOME=$build/test-cache
rm -rf "$XDG_CACHE_HOME"
cd "$build"
excluded='^(docker_image|docker_agent|deploy_kube_play|bench_smoke)$'
ctest --output-on-failure -j"$(nproc)" -E "$excluded" && exit 0
# LeakSanitizer's tracer (the thread that stops the others to scan them at
# exit) now and then dies of SIGSEGV itself under load, in a process with
# libclang mapped ("Tracer caught signal 11 ... LeakSanitizer has encountered a
# fatal error"): no finding, and it does not repeat. When the log shows one,
# the failed tests run once more, alone; whatever fails again fails the run.
grep -q 'LeakSanitizer has encountered a fatal error' Testing/Temporary/LastTest.log || exit 1
echo "test-sanitized: LeakSanitizer's tracer crashed in a test above; the failed tests run once more" >&2
ctest --output-on-failure --rerun-failed -E "$excluded"
