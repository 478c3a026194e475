// The clang driver run in-process, as far as a single compile needs it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <clang/Basic/Diagnostic.h>
#include <clang/Frontend/CompilerInvocation.h>

namespace ecc::srcscan {

// The cc1 invocation the driver makes of `argv` (argv[0] the clang binary):
// exactly one clang job, as for `clang -c` or `clang -E` of one file; null
// (the driver's errors reported to `diags`) otherwise.
std::unique_ptr<clang::CompilerInvocation> cc1_invocation(const std::vector<std::string>& argv,
                                                          clang::DiagnosticsEngine& diags);

}  // namespace ecc::srcscan
