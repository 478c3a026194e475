#include "ecc/model.h"

#include <stdexcept>

namespace ecc {

TypeTable::TypeTable() { types_.push_back(Type{.kind = TypeKind::Void, .name = "void"}); }

TypeId TypeTable::add(Type t) {
  types_.push_back(std::move(t));
  return static_cast<TypeId>(types_.size() - 1);
}

static bool is_modifier(TypeKind k) {
  return k == TypeKind::Const || k == TypeKind::Volatile || k == TypeKind::Restrict ||
         k == TypeKind::TypeTag;
}

TypeId TypeTable::strip_mods(TypeId id) const {
  // Bounded walk: a malformed table must not loop forever.
  for (size_t hops = 0; hops <= types_.size() && is_modifier(at(id).kind); ++hops) id = at(id).target;
  return id;
}

TypeId TypeTable::resolve(TypeId id) const {
  for (size_t hops = 0; hops <= types_.size(); ++hops) {
    const Type& t = at(id);
    if (!is_modifier(t.kind) && t.kind != TypeKind::Typedef) return id;
    id = t.target;
  }
  throw std::runtime_error("type loop at id " + std::to_string(id));
}

uint32_t TypeTable::size_of(TypeId id) const {
  const Type& t = at(resolve(id));
  if (t.kind == TypeKind::Array) return t.nelems * size_of(t.target);
  return t.size;
}

uint32_t TypeTable::align_of(TypeId id) const {
  const Type& t = at(resolve(id));
  if (t.kind == TypeKind::Array) return align_of(t.target);
  return t.align ? t.align : 1;
}

static std::string record_name(const char* keyword, const std::string& name) {
  return std::string(keyword) + " " + (name.empty() ? "{...}" : name);
}

// Builds a C declarator inside out, the way C reads it: `inner` is what
// already wraps the name position ("*", "[16]", "(*)(int)").
static std::string declarator(const TypeTable& tt, TypeId id, std::string inner, int depth) {
  if (depth > 64) return "<too deep>";
  id = tt.strip_mods(id);
  const Type& t = tt.at(id);
  switch (t.kind) {
    case TypeKind::Pointer: {
      TypeKind pointee = tt.at(tt.strip_mods(t.target)).kind;
      bool wrap = pointee == TypeKind::Array || pointee == TypeKind::FuncProto;
      return declarator(tt, t.target, wrap ? "(*" + inner + ")" : "*" + inner, depth + 1);
    }
    case TypeKind::Array:
      return declarator(tt, t.target, inner + "[" + (t.nelems ? std::to_string(t.nelems) : "") + "]",
                        depth + 1);
    case TypeKind::FuncProto: {
      std::string params;
      for (size_t i = 0; i < t.params.size(); ++i) {
        if (i) params += ", ";
        params += declarator(tt, t.params[i].type, "", depth + 1);
      }
      if (t.variadic) params += t.params.empty() ? "..." : ", ...";
      if (t.params.empty() && !t.variadic) params = "void";
      return declarator(tt, t.target, inner + "(" + params + ")", depth + 1);
    }
    default:
      break;
  }
  std::string base;
  switch (t.kind) {
    case TypeKind::Struct: base = record_name("struct", t.name); break;
    case TypeKind::Union: base = record_name("union", t.name); break;
    case TypeKind::Enum: base = record_name("enum", t.name); break;
    case TypeKind::Fwd: base = record_name(t.fwd_is_union ? "union" : "struct", t.name); break;
    case TypeKind::Void: base = "void"; break;
    default: base = t.name; break;  // Int, Float, Typedef, Func
  }
  if (inner.empty()) return base;
  if (inner.front() == '[') return base + inner;
  return base + " " + inner;
}

std::string TypeTable::spell(TypeId id) const { return declarator(*this, id, "", 0); }

std::optional<TypeId> TypeTable::find(TypeKind kind, std::string_view name) const {
  for (size_t i = 1; i < types_.size(); ++i)
    if (types_[i].kind == kind && types_[i].name == name) return static_cast<TypeId>(i);
  return std::nullopt;
}

TypeId copy_type(const TypeTable& src, TypeId id, TypeTable& dst, std::vector<TypeId>& memo) {
  if (id == 0) return 0;
  if (memo.size() < src.size()) memo.resize(src.size(), 0);
  if (memo[id]) return memo[id];
  // Reserve the slot first: records may refer back to themselves via pointers.
  TypeId out = dst.add(Type{});
  memo[id] = out;
  Type t = src.at(id);
  t.target = copy_type(src, t.target, dst, memo);
  for (auto& m : t.members) m.type = copy_type(src, m.type, dst, memo);
  for (auto& p : t.params) p.type = copy_type(src, p.type, dst, memo);
  dst.at(out) = std::move(t);
  return out;
}

std::string sanitize_ident(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_')) c = '_';
  if (!out.empty() && isdigit(static_cast<unsigned char>(out[0]))) out.insert(out.begin(), '_');
  return out;
}

}  // namespace ecc
