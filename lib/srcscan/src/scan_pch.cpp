// make_scan_pch(): vmlinux.h precompiled for the in-process parser, so that
// the scan does not re-read megabytes of kernel types on every run.
#include <filesystem>

#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendActions.h>

#include "clang_setup.h"
#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/srcscan.h"

namespace ecc {

void make_scan_pch(const std::string& header, const std::vector<std::string>& clang_args,
                   const std::string& out_path) {
  namespace fs = std::filesystem;
  auto fail = [&](const std::string& why) {
    throw Error(Exit::tool_failed, "cannot precompile " + header + " for the scan: " + why, out_path);
  };
  // Written under a temporary name and renamed: a concurrent run sees either
  // no PCH or a whole one.
  PendingFile pch{fs::path(out_path)};
  srcscan::FirstErrorConsumer diags;
  std::unique_ptr<clang::CompilerInstance> ci = srcscan::make_instance(clang_args, header, true, diags, nullptr);
  if (!ci) fail(diags.first_error());
  ci->getFrontendOpts().SkipFunctionBodies = true;  // as the scan parses
  ci->getFrontendOpts().OutputFile = pch.tmp().string();
  ci->getFrontendOpts().ProgramAction = clang::frontend::GeneratePCH;
  ci->getDiagnosticOpts().ShowCarets = false;  // no "N errors generated." on stderr
  clang::GeneratePCHAction action;
  if (!ci->ExecuteAction(action) || diags.getNumErrors())
    fail(diags.first_error().empty() ? "unknown error" : diags.first_error());
  try {
    pch.commit();
  } catch (const Error& e) {
    fail(e.what());
  }
}

}  // namespace ecc
