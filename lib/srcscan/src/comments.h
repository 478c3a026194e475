// Doc comments found in the AST by position (docs/annotations.md#which-comments).
#pragma once

#include <clang/AST/ASTContext.h>
#include <clang/AST/RawCommentList.h>

namespace ecc::srcscan {

// The `///` or `/** */` comment that ends right before `begin` with only
// whitespace in between; null when there is none. Clang's own attachment
// looks before the declared name, which misses `struct {...} map
// SEC(".maps")` and BPF_PROG(name, ...).
const clang::RawComment* comment_before(clang::ASTContext& ctx, clang::SourceLocation begin);

}  // namespace ecc::srcscan
