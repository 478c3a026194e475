// Clang AST types -> TypeTable entries, with Clang's record layouts for the
// target being parsed (bpf). Names follow what clang's BTF would carry, so a
// type spells the same whether it was read from BTF or built here.
#pragma once

#include <functional>
#include <map>
#include <string>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>

#include "ecc/model.h"

namespace ecc::srcscan {

class TypeBuilder {
 public:
  // `wanted(def)` says whether a record that is only reached through a
  // pointer is built in full; others become forward declarations so that a
  // `struct task_struct *` member does not drag in half of vmlinux.h. The
  // members of wanted records get their doc comments' annotations
  // (Member::doc). `file` names the file errors are about.
  TypeBuilder(clang::ASTContext& ctx, TypeTable& table,
              std::function<bool(const clang::RecordDecl*)> wanted, std::string file);

  // A struct, union or enum definition. Throws ecc::Error(bad_input) when
  // the record's layout cannot be computed.
  TypeId build_tag(const clang::TagDecl* tag);

  TypeId build(clang::QualType qt) { return build(qt, false); }

 private:
  TypeId build(clang::QualType qt, bool behind_pointer);
  TypeId build_uncached(clang::QualType qt, bool behind_pointer);
  TypeId build_builtin(clang::QualType qt, const clang::BuiltinType* bt);
  TypeId build_record(const clang::RecordDecl* rd, bool behind_pointer);
  TypeId build_enum(const clang::EnumDecl* ed);
  TypeId build_fwd(const clang::RecordDecl* rd);
  Json field_doc(const clang::FieldDecl* fd) const;
  [[noreturn]] void fail(const std::string& what) const;

  clang::ASTContext& ctx_;
  TypeTable& tt_;
  std::function<bool(const clang::RecordDecl*)> wanted_;
  std::string file_;
  // One TypeId per (sugared, qualified) type; the behind-pointer view is
  // kept apart because it may hold forward declarations.
  std::map<const void*, TypeId> by_type_[2];
  std::map<const clang::Decl*, TypeId> by_decl_;
  std::map<const clang::Decl*, TypeId> fwd_;
};

}  // namespace ecc::srcscan
