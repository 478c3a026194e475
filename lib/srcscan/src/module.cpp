// Entry point of ecc-srcscan.so (see srcscan_module.h).
#include "ecc/srcscan_module.h"

extern "C" __attribute__((visibility("default"))) const ecc::SrcscanApi* ecc_srcscan_api() {
  static const ecc::SrcscanApi api{ecc::kSrcscanAbi, &ecc::scan_source, &ecc::make_scan_pch, &ecc::compile_program,
                                    &ecc::clang_version, &ecc::clang_facts};
  return &api;
}
