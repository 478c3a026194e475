#include "type_builder.h"

#include <algorithm>

#include <clang/AST/RecordLayout.h>
#include <clang/AST/Type.h>

#include "comments.h"
#include "ecc/error.h"
#include "ecc/srcscan.h"

namespace ecc::srcscan {

namespace {

uint32_t bytes(uint64_t bits) { return static_cast<uint32_t>(bits / 8); }

// "struct event member 'task.pid'": a member of an anonymous record by its
// path from the named record around it, for messages.
std::string member_where(const clang::FieldDecl* fd) {
  std::string path = fd->getName().empty() ? "<anonymous>" : fd->getNameAsString();
  const clang::RecordDecl* rd = fd->getParent();
  for (int depth = 0; rd->getName().empty() && !rd->getTypedefNameForAnonDecl() && depth < kMaxTypeDepth; ++depth) {
    const auto* outer = llvm::dyn_cast<clang::RecordDecl>(rd->getDeclContext());
    if (!outer) break;
    for (const clang::FieldDecl* f : outer->fields())
      if (!f->getName().empty() && f->getType()->getAsRecordDecl() == rd) {
        path = f->getNameAsString() + "." + path;  // the first of `struct {...} a, b;`
        break;
      }
    rd = outer;
  }
  const clang::NamedDecl* named = rd->getName().empty() && rd->getTypedefNameForAnonDecl()
                                      ? static_cast<const clang::NamedDecl*>(rd->getTypedefNameForAnonDecl())
                                      : rd;
  return std::string(rd->getKindName()) + " " + named->getNameAsString() + " member '" + path + "'";
}

}  // namespace

TypeBuilder::TypeBuilder(clang::ASTContext& ctx, TypeTable& table,
                         std::function<bool(const clang::RecordDecl*)> wanted, std::string file)
    : ctx_(ctx), tt_(table), wanted_(std::move(wanted)), file_(std::move(file)) {}

void TypeBuilder::fail(const std::string& what) const { throw Error(Exit::bad_input, what, file_); }

TypeId TypeBuilder::build_tag(const clang::TagDecl* tag) {
  if (const auto* ed = llvm::dyn_cast<clang::EnumDecl>(tag)) return build_enum(ed);
  const auto* rd = llvm::cast<clang::RecordDecl>(tag);
  const clang::RecordDecl* def = rd->getDefinition();
  if (!def || def->isInvalidDecl())
    fail("cannot compute the layout of " + std::string(rd->getKindName()) + " " +
         (rd->getName().empty() ? std::string("<anonymous>") : rd->getNameAsString()));
  return build_record(def, false);
}

TypeId TypeBuilder::build(clang::QualType qt, bool behind_pointer) {
  if (qt.isNull()) return 0;
  const void* key = qt.getAsOpaquePtr();
  auto& memo = by_type_[behind_pointer];
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  if (behind_pointer)  // a fully built type serves a pointer as well
    if (auto it = by_type_[0].find(key); it != by_type_[0].end()) return it->second;
  TypeId id = build_uncached(qt, behind_pointer);
  memo[key] = id;
  return id;
}

TypeId TypeBuilder::build_uncached(clang::QualType qt, bool behind_pointer) {
  clang::Qualifiers quals = qt.getLocalQualifiers();
  if (quals.hasConst() || quals.hasVolatile() || quals.hasRestrict()) {
    TypeId id = build(qt.getLocalUnqualifiedType(), behind_pointer);
    if (quals.hasVolatile()) id = tt_.add(Type{.kind = TypeKind::Volatile, .target = id});
    if (quals.hasConst()) id = tt_.add(Type{.kind = TypeKind::Const, .target = id});
    if (quals.hasRestrict()) id = tt_.add(Type{.kind = TypeKind::Restrict, .target = id});
    return id;
  }
  const clang::Type* t = qt.getTypePtr();
  if (const auto* td = llvm::dyn_cast<clang::TypedefType>(t)) {
    const clang::TypedefNameDecl* decl = td->getDecl()->getCanonicalDecl();
    if (auto it = by_decl_.find(decl); it != by_decl_.end()) return it->second;
    TypeId target = build(decl->getUnderlyingType(), false);
    TypeId id = tt_.add(Type{.kind = TypeKind::Typedef, .name = decl->getNameAsString(), .target = target});
    by_decl_[decl] = id;
    return id;
  }
  if (const auto* bt = llvm::dyn_cast<clang::BuiltinType>(t)) return build_builtin(qt, bt);
  if (const auto* rt = llvm::dyn_cast<clang::RecordType>(t)) return build_record(rt->getDecl(), behind_pointer);
  if (const auto* et = llvm::dyn_cast<clang::EnumType>(t)) return build_enum(et->getDecl());
  if (const auto* pt = llvm::dyn_cast<clang::PointerType>(t)) {
    TypeId target = build(pt->getPointeeType(), true);
    auto info = ctx_.getTypeInfo(qt);
    return tt_.add(Type{.kind = TypeKind::Pointer, .size = bytes(info.Width), .align = bytes(info.Align),
                        .target = target});
  }
  if (const auto* at = llvm::dyn_cast<clang::ConstantArrayType>(t)) {
    TypeId elem = build(at->getElementType(), behind_pointer);
    auto info = ctx_.getTypeInfo(qt);
    return tt_.add(Type{.kind = TypeKind::Array, .size = bytes(info.Width), .align = bytes(info.Align),
                        .target = elem, .nelems = static_cast<uint32_t>(at->getSize().getZExtValue())});
  }
  if (const auto* at = llvm::dyn_cast<clang::IncompleteArrayType>(t)) {
    TypeId elem = build(at->getElementType(), behind_pointer);
    return tt_.add(Type{.kind = TypeKind::Array, .size = 0, .align = tt_.align_of(elem), .target = elem,
                        .nelems = 0});
  }
  if (const auto* ft = llvm::dyn_cast<clang::FunctionType>(t)) {
    Type proto{.kind = TypeKind::FuncProto, .target = build(ft->getReturnType(), false)};
    if (const auto* fp = llvm::dyn_cast<clang::FunctionProtoType>(ft)) {
      for (clang::QualType p : fp->getParamTypes()) proto.params.push_back(Param{"", build(p, false)});
      proto.variadic = fp->isVariadic();
    }
    return tt_.add(std::move(proto));
  }
  // Elaborated (`struct foo`), parens, attributes, typeof...: look through.
  if (clang::QualType inner = qt.getSingleStepDesugaredType(ctx_); inner != qt) return build(inner, behind_pointer);
  fail("cannot export type '" + qt.getAsString() + "': not a type BTF can describe");
}

TypeId TypeBuilder::build_builtin(clang::QualType qt, const clang::BuiltinType* bt) {
  if (bt->isVoidType()) return 0;
  auto info = ctx_.getTypeInfo(qt);
  Type t{.name = std::string(bt->getName(ctx_.getPrintingPolicy())), .size = bytes(info.Width),
         .align = bytes(info.Align)};
  if (bt->isFloatingPoint()) {
    t.kind = TypeKind::Float;
  } else if (bt->isInteger()) {
    t.kind = TypeKind::Int;
    t.is_signed = bt->isSignedInteger();
    t.is_bool = bt->getKind() == clang::BuiltinType::Bool;
    t.is_char = bt->isCharType();
  } else {
    fail("cannot export type '" + qt.getAsString() + "': not a type BTF can describe");
  }
  return tt_.add(std::move(t));
}

// docs/annotations.md: a member's doc comment, like a declaration's; one
// @metric per member (docs/annotations.md#metric).
Json TypeBuilder::field_doc(const clang::FieldDecl* fd) const {
  const clang::RawComment* rc = comment_before(ctx_, fd->getBeginLoc());
  if (!rc) return nullptr;
  std::vector<std::string> repeated;
  Json doc = parse_doc_comment(rc->getRawText(ctx_.getSourceManager()).str(), &repeated);
  if (std::find(repeated.begin(), repeated.end(), "metric") != repeated.end())
    fail(member_where(fd) + ": @metric is given more than once");
  return doc.empty() ? Json() : doc;
}

TypeId TypeBuilder::build_fwd(const clang::RecordDecl* rd) {
  const clang::Decl* key = rd->getCanonicalDecl();
  if (auto it = fwd_.find(key); it != fwd_.end()) return it->second;
  TypeId id = tt_.add(Type{.kind = TypeKind::Fwd, .name = rd->getNameAsString(), .fwd_is_union = rd->isUnion()});
  fwd_[key] = id;
  return id;
}

TypeId TypeBuilder::build_record(const clang::RecordDecl* rd, bool behind_pointer) {
  const clang::RecordDecl* def = rd->getDefinition();
  if (!def) {
    if (behind_pointer) return build_fwd(rd);
    fail("cannot compute the layout of " + std::string(rd->getKindName()) + " " + rd->getNameAsString() +
         ": it is incomplete");
  }
  if (auto it = by_decl_.find(def); it != by_decl_.end()) return it->second;
  if (behind_pointer && !wanted_(def)) return build_fwd(def);
  if (def->isInvalidDecl())
    fail("cannot compute the layout of " + std::string(def->getKindName()) + " " + def->getNameAsString());

  // Registered before the members so that `struct node *next` finds it.
  TypeId id = tt_.add(Type{.kind = def->isUnion() ? TypeKind::Union : TypeKind::Struct,
                           .name = def->getNameAsString()});
  by_decl_[def] = id;
  const clang::ASTRecordLayout& layout = ctx_.getASTRecordLayout(def);
  bool documented = wanted_(def);
  std::vector<Member> members;
  for (const clang::FieldDecl* fd : def->fields()) {
    // Like clang's debug info (and so BTF): unnamed bitfields are padding,
    // anonymous struct/union members are kept with an empty name.
    if (fd->getName().empty() && !fd->getType()->isRecordType()) continue;
    Member m{.name = fd->getNameAsString(), .type = build(fd->getType(), false),
             .bit_offset = static_cast<uint32_t>(layout.getFieldOffset(fd->getFieldIndex()))};
    if (fd->isBitField()) m.bit_size = fd->getBitWidthValue(ctx_);
    if (documented) m.doc = field_doc(fd);
    members.push_back(std::move(m));
  }
  Type& t = tt_.at(id);
  t.size = static_cast<uint32_t>(layout.getSize().getQuantity());
  t.align = static_cast<uint32_t>(layout.getAlignment().getQuantity());
  t.members = std::move(members);
  return id;
}

TypeId TypeBuilder::build_enum(const clang::EnumDecl* ed) {
  const clang::EnumDecl* def = ed->getDefinition();
  const clang::Decl* key = def ? def : ed->getCanonicalDecl();
  if (auto it = by_decl_.find(key); it != by_decl_.end()) return it->second;
  Type t{.kind = TypeKind::Enum, .name = ed->getNameAsString(), .size = 4, .align = 4};
  if (def) {
    clang::QualType it = def->getIntegerType();
    if (!it.isNull()) {
      auto info = ctx_.getTypeInfo(it);
      t.size = bytes(info.Width);
      t.align = bytes(info.Align);
      t.is_signed = it->isSignedIntegerType();
    }
    for (const clang::EnumConstantDecl* c : def->enumerators()) {
      const llvm::APSInt& v = c->getInitVal();
      int64_t value = v.isSigned() ? v.getSExtValue() : static_cast<int64_t>(v.getZExtValue());
      t.values.push_back(EnumValue{c->getNameAsString(), value});
    }
  }
  TypeId id = tt_.add(std::move(t));
  by_decl_[key] = id;
  return id;
}

}  // namespace ecc::srcscan
