// Loads ecc-srcscan.so on a background thread (see srcscan_module.h).
#pragma once

#include <future>

#include "ecc/srcscan_module.h"

namespace ecc {

class ScanModule {
 public:
  // Starts loading now.
  ScanModule();
  // Waits for the load. Throws Error(tool_failed) when the module is missing
  // or from another build.
  const SrcscanApi& api();

 private:
  std::shared_future<const SrcscanApi*> loading_;
};

}  // namespace ecc
