// The scan's reading of one parsed translation unit, shared by scan_source()
// (its own parse) and compile_program() (the compile's AST).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <llvm/Support/FileSystem/UniqueID.h>

#include "ecc/srcscan.h"

namespace ecc::srcscan {

// The export header's file identity; nullopt without a header. Throws
// Error(bad_input) naming the header when it cannot be read.
std::optional<llvm::sys::fs::UniqueID> header_id_of(const ScanOptions& opts);

// Doc comments of `decls` into `out`, and the export types when the source
// included the header. Returns whether it did.
bool read_ast(const ScanOptions& opts, const std::optional<llvm::sys::fs::UniqueID>& header_id,
              clang::ASTContext& ctx, const std::vector<clang::Decl*>& decls, TypeTable& into, ScanResult& out);

// After read_ast(): a header the source did not include is parsed alone
// (after vmlinux.h) with the driver `args`.
void finish_scan(const ScanOptions& opts, const std::vector<std::string>& args,
                 const std::optional<llvm::sys::fs::UniqueID>& header_id, bool header_seen, TypeTable& into,
                 ScanResult& out);

}  // namespace ecc::srcscan
