// The scan, and the in-process compile, as a loadable module. Linking
// libclang-cpp and libLLVM costs every process tens of milliseconds of
// relocations and static initialisers before main; ecc loads this module on a
// second thread instead, beside its other work, and only the subcommands
// that compile pay for it.
#pragma once

#include "ecc/srcscan.h"

namespace ecc {

struct SrcscanApi {
  int abi_version;  // kSrcscanAbi of the module's build
  ScanResult (*scan_source)(const ScanOptions& opts, TypeTable& into);
  void (*make_scan_pch)(const std::string& header, const std::vector<std::string>& clang_args,
                        const std::string& out_path);
  CompileOutcome (*compile_program)(const CompileRequest& req, TypeTable& into);
  std::string (*clang_version)();
  ClangFacts (*clang_facts)(const std::string& clang);
};

// Bumped whenever this struct, the requests, the results or the model change shape.
constexpr int kSrcscanAbi = 3;

// File name of the module, installed beside ecc or in ../lib/ecc.
constexpr const char* kSrcscanModuleName = "ecc-srcscan.so";

}  // namespace ecc

// The module's one exported symbol.
extern "C" const ecc::SrcscanApi* ecc_srcscan_api();
