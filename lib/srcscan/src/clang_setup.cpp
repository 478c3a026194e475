#include "clang_setup.h"

#include <filesystem>
#include <optional>

#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/Utils.h>
#include <llvm/ADT/SmallString.h>

#include "ecc/error.h"

namespace ecc::srcscan {

void FirstErrorConsumer::HandleDiagnostic(clang::DiagnosticsEngine::Level level,
                                          const clang::Diagnostic& info) {
  DiagnosticConsumer::HandleDiagnostic(level, info);  // keeps the error count
  if (level < clang::DiagnosticsEngine::Error || !first_error_.empty()) return;
  llvm::SmallString<256> msg;
  info.FormatDiagnostic(msg);
  std::string where;
  if (info.hasSourceManager() && info.getLocation().isValid()) {
    clang::PresumedLoc p = info.getSourceManager().getPresumedLoc(info.getLocation());
    if (p.isValid())
      where = std::string(p.getFilename()) + ":" + std::to_string(p.getLine()) + ":" +
              std::to_string(p.getColumn()) + ": ";
  }
  first_error_ = where + std::string(msg.str());
}

namespace {

// The -resource-dir the caller gave, if any.
std::optional<std::string> given_resource_dir(const std::vector<std::string>& args) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "-resource-dir") return args[i + 1];
  for (const auto& a : args)
    if (a.rfind("-resource-dir=", 0) == 0) return a.substr(14);
  return std::nullopt;
}

}  // namespace

std::string resource_dir(const std::vector<std::string>& args) {
  return given_resource_dir(args).value_or(ECC_CLANG_RESOURCE_DIR);
}

std::unique_ptr<clang::CompilerInstance> make_instance(const std::vector<std::string>& args,
                                                       const std::string& input, bool as_header,
                                                       FirstErrorConsumer& diags,
                                                       llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs) {
  std::string res = resource_dir(args);
  // Without the builtin headers every BPF program fails on <stddef.h> with a
  // confusing message; say what is actually missing.
  for (const char* h : {"stddef.h", "stdbool.h"})
    if (!std::filesystem::exists(std::filesystem::path(res) / "include" / h))
      throw Error(Exit::tool_failed, std::string("clang resource dir has no include/") + h, res);

  std::vector<std::string> argv = {"clang", "-fsyntax-only"};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!given_resource_dir(args)) {
    argv.push_back("-resource-dir");
    argv.push_back(res);
  }
  argv.push_back("-w");  // warnings are the compile's business, not ours
  if (as_header) {
    argv.push_back("-x");
    argv.push_back("c-header");
  }
  argv.push_back(input);
  std::vector<const char*> cargv;
  for (const auto& a : argv) cargv.push_back(a.c_str());

  auto diag_opts = llvm::makeIntrusiveRefCnt<clang::DiagnosticOptions>();
  auto engine = clang::CompilerInstance::createDiagnostics(diag_opts.get(), &diags, /*ShouldOwnClient=*/false);
  std::unique_ptr<clang::CompilerInvocation> inv =
      clang::createInvocationFromCommandLine(cargv, engine, vfs);
  if (!inv) return nullptr;

  auto ci = std::make_unique<clang::CompilerInstance>();
  ci->setInvocation(std::move(inv));
  ci->createDiagnostics(&diags, /*ShouldOwnClient=*/false);
  if (vfs) ci->createFileManager(vfs);
  return ci;
}

}  // namespace ecc::srcscan
