// scan_source(): export types from the header and doc comments from the
// source, read from one in-process parse (a second one only when the source
// does not include the header). The compile in-process (compile.cpp) reads
// its own AST with the same read_ast().
#include <filesystem>
#include <set>

#include <clang/Basic/SourceManager.h>
#include <llvm/Support/FileSystem.h>

#include "comments.h"
#include "ecc/error.h"
#include "ecc/srcscan.h"
#include "parse.h"
#include "read_ast.h"
#include "type_builder.h"

namespace ecc {

namespace {

using namespace srcscan;
namespace fs = std::filesystem;

// The file a declaration is written in (where its macro was used, for a
// declaration made by a macro); null for built-in declarations.
const clang::FileEntry* file_of(const clang::SourceManager& sm, clang::SourceLocation loc) {
  if (loc.isInvalid()) return nullptr;
  return sm.getFileEntryForID(sm.getFileID(sm.getExpansionLoc(loc)));
}

bool was_included(const clang::SourceManager& sm, const llvm::sys::fs::UniqueID& id) {
  for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it)
    if (it->first->getUniqueID() == id) return true;
  return false;
}

void collect_docs(clang::ASTContext& ctx, const std::vector<clang::Decl*>& decls, ScanResult& out) {
  const clang::SourceManager& sm = ctx.getSourceManager();
  for (clang::Decl* d : decls) {
    auto* named = llvm::dyn_cast<clang::NamedDecl>(d);
    if (!named || sm.isInSystemHeader(sm.getExpansionLoc(d->getLocation()))) continue;
    std::map<std::string, Json>* into = nullptr;
    if (auto* var = llvm::dyn_cast<clang::VarDecl>(d); var && var->isFileVarDecl()) {
      into = &out.vars;
    } else if (auto* fn = llvm::dyn_cast<clang::FunctionDecl>(d);
               fn && (fn->doesThisDeclarationHaveABody() || fn->hasSkippedBody())) {
      into = &out.funcs;
    }
    if (!into) continue;
    // Any declaration of it may carry the comment: BPF_PROG(name, ...)
    // writes the definition inside a macro after a prototype that follows
    // the SEC() and the comment.
    const clang::RawComment* rc = nullptr;
    for (const clang::Decl* r : d->redecls())
      if ((rc = comment_before(ctx, r->getBeginLoc()))) break;
    if (!rc) continue;
    Json doc = parse_doc_comment(rc->getRawText(sm).str());
    if (!doc.empty()) (*into)[named->getNameAsString()] = std::move(doc);
  }
}

class ExportCollector {
 public:
  ExportCollector(clang::ASTContext& ctx, TypeTable& tt, const llvm::sys::fs::UniqueID& header,
                  const std::string& header_path)
      : ctx_(ctx),
        header_(header),
        builder_(ctx, tt, [this](const clang::RecordDecl* rd) { return in_header(rd); }, header_path) {}

  void collect(const std::vector<clang::Decl*>& decls, std::vector<TypeId>& out) {
    for (clang::Decl* d : decls) visit(d, out);
  }

 private:
  bool in_header(const clang::Decl* d) const {
    const clang::FileEntry* fe = file_of(ctx_.getSourceManager(), d->getLocation());
    return fe && fe->getUniqueID() == header_;
  }

  // Named definitions, outer before inner (the order their text starts).
  void visit(clang::Decl* d, std::vector<TypeId>& out) {
    // `typedef struct {...} row_t;`: the record has no name of its own, so it
    // is exported under the typedef's.
    if (auto* td = llvm::dyn_cast<clang::TypedefNameDecl>(d)) {
      const clang::TagDecl* anon = td->getUnderlyingType()->getAsTagDecl();
      if (anon && anon->getName().empty() && anon->getTypedefNameForAnonDecl() == td && in_header(td) &&
          anon->isCompleteDefinition()) {
        TypeId id = builder_.build(ctx_.getTypedefType(td));
        if (seen_.insert(id).second) out.push_back(id);
      }
      return;
    }
    auto* tag = llvm::dyn_cast<clang::TagDecl>(d);
    if (!tag || !tag->isThisDeclarationADefinition()) return;
    if (!tag->getName().empty() && in_header(tag)) {
      TypeId id = builder_.build_tag(tag);
      if (seen_.insert(id).second) out.push_back(id);
    }
    for (clang::Decl* inner : tag->decls()) visit(inner, out);
  }

  clang::ASTContext& ctx_;
  llvm::sys::fs::UniqueID header_;
  TypeBuilder builder_;
  std::set<TypeId> seen_;
};

[[noreturn]] void parse_failed(const std::string& error, const std::string& file) {
  throw Error(Exit::bad_input, "cannot parse for export types: " + error, file);
}

// A translation unit of its own for a header the source does not include:
// vmlinux.h first, as the header expects its types.
void scan_header_alone(const ScanOptions& opts, const std::vector<std::string>& args,
                       const llvm::sys::fs::UniqueID& header_id, TypeTable& into, ScanResult& out) {
  fs::path header = fs::absolute(opts.header);
  std::string text;
  if (!opts.vmlinux_h.empty()) text += "#include \"" + fs::absolute(opts.vmlinux_h).string() + "\"\n";
  text += "#include \"" + header.string() + "\"\n";
  std::string name = (header.parent_path() / ("__ecc_scan_" + header.filename().string() + ".c")).string();
  auto memory = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
  memory->addFile(name, 0, llvm::MemoryBuffer::getMemBufferCopy(text, name));
  auto overlay = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(llvm::vfs::getRealFileSystem());
  overlay->pushOverlay(memory);
  auto err = parse(args, name, overlay, [&](clang::ASTContext& ctx, const std::vector<clang::Decl*>& decls) {
    ExportCollector(ctx, into, header_id, opts.header).collect(decls, out.export_types);
  });
  if (err) parse_failed(*err, opts.header);
}

ScanResult scan_once(const ScanOptions& opts, const std::vector<std::string>& args,
                     const std::optional<llvm::sys::fs::UniqueID>& header_id, TypeTable& into,
                     std::optional<std::string>& error) {
  ScanResult out;
  bool header_seen = false;
  error = parse(args, opts.source, nullptr, [&](clang::ASTContext& ctx, const std::vector<clang::Decl*>& decls) {
    header_seen = read_ast(opts, header_id, ctx, decls, into, out);
  });
  if (!error) finish_scan(opts, args, header_id, header_seen, into, out);
  return out;
}

}  // namespace

namespace srcscan {

std::optional<llvm::sys::fs::UniqueID> header_id_of(const ScanOptions& opts) {
  if (opts.header.empty()) return std::nullopt;
  llvm::sys::fs::UniqueID id;
  if (std::error_code ec = llvm::sys::fs::getUniqueID(opts.header, id))
    throw Error(Exit::bad_input, "cannot read the export header: " + ec.message(), opts.header);
  return id;
}

bool read_ast(const ScanOptions& opts, const std::optional<llvm::sys::fs::UniqueID>& header_id,
              clang::ASTContext& ctx, const std::vector<clang::Decl*>& decls, TypeTable& into, ScanResult& out) {
  collect_docs(ctx, decls, out);
  if (!header_id || !was_included(ctx.getSourceManager(), *header_id)) return false;
  ExportCollector(ctx, into, *header_id, opts.header).collect(decls, out.export_types);
  return true;
}

void finish_scan(const ScanOptions& opts, const std::vector<std::string>& args,
                 const std::optional<llvm::sys::fs::UniqueID>& header_id, bool header_seen, TypeTable& into,
                 ScanResult& out) {
  if (header_id && !header_seen) scan_header_alone(opts, args, *header_id, into, out);
}

}  // namespace srcscan

ScanResult scan_source(const ScanOptions& opts, TypeTable& into) {
  std::optional<llvm::sys::fs::UniqueID> header_id = header_id_of(opts);
  std::optional<std::string> error;
  if (!opts.pch.empty()) {
    std::vector<std::string> args = opts.clang_args;
    args.insert(args.end(), {"-include-pch", opts.pch});
    ScanResult out = scan_once(opts, args, header_id, into, error);
    if (!error) return out;
    // A stale or mismatched PCH must not fail the build: parse without it,
    // which also gives the real error if the source itself is wrong. A
    // failed parse added nothing to the table.
  }
  ScanResult out = scan_once(opts, opts.clang_args, header_id, into, error);
  if (error) parse_failed(*error, opts.source);
  // Parsed fine without the PCH, so the PCH was what failed: it is a cache
  // entry, dropped so that the next run builds a good one.
  if (!opts.pch.empty()) llvm::sys::fs::remove(opts.pch);
  return out;
}

}  // namespace ecc
