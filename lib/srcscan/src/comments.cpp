#include "comments.h"

#include <clang/Basic/SourceManager.h>

namespace ecc::srcscan {

const clang::RawComment* comment_before(clang::ASTContext& ctx, clang::SourceLocation begin) {
  const clang::SourceManager& sm = ctx.getSourceManager();
  begin = sm.getExpansionLoc(begin);
  auto [fid, offset] = sm.getDecomposedLoc(begin);
  const auto* comments = ctx.Comments.getCommentsInFile(fid);
  if (!comments) return nullptr;
  auto it = comments->lower_bound(offset);
  if (it == comments->begin()) return nullptr;
  const clang::RawComment* rc = std::prev(it)->second;
  // `int a; ///< about a` documents the declaration before it.
  if (!rc->isDocumentation() || rc->isTrailingComment()) return nullptr;
  auto [end_fid, end] = sm.getDecomposedLoc(rc->getEndLoc());
  if (end_fid != fid || end > offset) return nullptr;
  llvm::StringRef buffer = sm.getBufferData(fid);
  llvm::StringRef between = buffer.slice(end, offset);
  // The comment's end location may point at its own last character.
  if (between.startswith("/")) between = between.drop_front();
  return between.trim().empty() ? rc : nullptr;
}

}  // namespace ecc::srcscan
