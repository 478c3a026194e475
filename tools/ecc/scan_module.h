// Loads ecc-srcscan.so on a background thread (see srcscan_module.h).
#pragma once

#include <filesystem>
#include <future>
#include <mutex>
#include <vector>

#include "ecc/srcscan_module.h"

namespace ecc {

// Where the module may be, in the order load() tries: beside the binary
// (build tree), then ../lib/ecc (install tree).
std::vector<std::filesystem::path> scan_module_candidates();

// Whether `clang` is the clang binary of the LLVM the module was built with
// (ECC_LIBCLANG_CLANG): the only clang ecc runs in-process.
bool is_libclang_clang(const std::string& clang);

class ScanModule {
 public:
  // Starts loading now, or (`start_now` false) at start() or api().
  explicit ScanModule(bool start_now = true);
  // Starts loading on a thread of its own, unless it has started.
  void start();
  // Waits for the load, or loads here when nothing started it. Throws
  // Error(tool_failed) when the module is missing or from another build.
  const SrcscanApi& api();

 private:
  std::mutex mutex_;
  std::shared_future<const SrcscanApi*> loading_;
};

}  // namespace ecc
