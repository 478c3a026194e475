// One in-process parse that hands its AST to a callback while it is alive.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <llvm/Support/VirtualFileSystem.h>

namespace ecc::srcscan {

// The AST of the main file: every top-level declaration parsed (not those
// read from a PCH), in source order.
using AstUser = std::function<void(clang::ASTContext&, const std::vector<clang::Decl*>&)>;

// Parses `input` with the compile's driver `args`, skipping function
// bodies. Returns the first error when it does not parse; otherwise calls
// `use` and returns nullopt. Exceptions from `use` propagate.
std::optional<std::string> parse(const std::vector<std::string>& args, const std::string& input,
                                 llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs, const AstUser& use);

}  // namespace ecc::srcscan
