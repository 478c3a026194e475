// The PCHs a warm compile reuses: clang's PCH of vmlinux.h and the scan's.
// They are byte-for-byte irrelevant to the output (tested), so a cold run
// builds them after its own work, off its critical path: in-process before
// exiting (ECC_CACHE_WARM=sync), or by a fresh `ecc --warm-cache ...` that
// the run leaves behind (the default).
#pragma once

#include <string>
#include <vector>

#include "scan_module.h"

namespace ecc {

struct WarmJob {
  std::vector<std::string> clang_cmd;   // clang ... -x c-header VMLINUX_H -o PCH: the PCH is its last argument
  std::string header;                   // vmlinux.h
  std::vector<std::string> scan_args;   // the scan's flags, the key of its PCH
  std::string scan_pch;                 // empty: none (the in-process compile's scan needs none)
};

// Builds what is missing of the two PCHs, here and now. A scan PCH that
// cannot be built is skipped (it only costs time).
void warm_cache(ScanModule& scan_module, const WarmJob& job);

// Starts `ecc --warm-cache ...` for `job` in a session of its own and does
// not wait for it. A warmer that cannot be started is no error: the cache
// stays cold.
void start_warm_cache(const WarmJob& job);

// The same, once the run is over: a warmer started during the run takes a
// core from the run's own last steps (on 2 cores, writing the outputs of a
// large program took twice as long beside it). The subcommand table's
// wrapper (options.cpp) starts what was deferred when the subcommand
// returns.
void defer_warm_cache(const WarmJob& job);
void start_deferred_warm_caches();

// The hidden entry point the above starts:
//   ecc --warm-cache SCAN_PCH VMLINUX_H COUNT SCAN_ARG... CLANG_COMMAND...
// with COUNT scan arguments. Throws Error(usage) for any other shape.
inline constexpr const char* kWarmCacheFlag = "--warm-cache";
int run_warm_cache(const std::vector<std::string>& args);

}  // namespace ecc
