// Shared by the scan and the PCH writer: one in-process Clang front end set
// up from the compile's driver arguments, quiet, remembering its first error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <clang/Basic/Diagnostic.h>
#include <clang/Frontend/CompilerInstance.h>
#include <llvm/Support/VirtualFileSystem.h>

namespace ecc::srcscan {

// Prints nothing (the driver's child clang reports the real diagnostics);
// keeps the first error as "file:line:col: message".
class FirstErrorConsumer : public clang::DiagnosticConsumer {
 public:
  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic& info) override;
  const std::string& first_error() const { return first_error_; }

 private:
  std::string first_error_;
};

// `args` plus `-resource-dir` (ours unless given) and `input` as the one
// input, as a compiler instance ready for BeginSourceFile. `vfs` lets a
// caller supply a file that is not on disk. Returns null with the reason in
// `diags` when the driver rejects the arguments.
std::unique_ptr<clang::CompilerInstance> make_instance(const std::vector<std::string>& args,
                                                       const std::string& input, bool as_header,
                                                       FirstErrorConsumer& diags,
                                                       llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs);

// The clang resource dir the in-process front end uses for `args`.
std::string resource_dir(const std::vector<std::string>& args);

}  // namespace ecc::srcscan
