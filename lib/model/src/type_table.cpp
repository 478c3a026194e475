#include "ecc/model.h"

#include "ecc/error.h"

namespace ecc {

TypeTable::TypeTable() { types_.push_back(Type{.kind = TypeKind::Void, .name = "void"}); }

TypeId TypeTable::add(Type t) {
  types_.push_back(std::move(t));
  return static_cast<TypeId>(types_.size() - 1);
}

static const char* kind_name(TypeKind k) {
  switch (k) {
    case TypeKind::Void: return "void";
    case TypeKind::Int: return "int";
    case TypeKind::Float: return "float";
    case TypeKind::Pointer: return "pointer";
    case TypeKind::Array: return "array";
    case TypeKind::Struct: return "struct";
    case TypeKind::Union: return "union";
    case TypeKind::Enum: return "enum";
    case TypeKind::Fwd: return "forward declaration";
    case TypeKind::Typedef: return "typedef";
    case TypeKind::Const: return "const";
    case TypeKind::Volatile: return "volatile";
    case TypeKind::Restrict: return "restrict";
    case TypeKind::TypeTag: return "type tag";
    case TypeKind::FuncProto: return "function prototype";
    case TypeKind::Func: return "function";
  }
  return "type";
}

std::string TypeTable::describe(TypeId id) const {
  std::string out = "type " + std::to_string(id);
  if (id >= types_.size()) return out;
  const Type& t = types_[id];
  std::string what = kind_name(t.kind);
  if (t.kind == TypeKind::Int || t.kind == TypeKind::Float) what = t.name.empty() ? what : t.name;
  else if (!t.name.empty()) what += " " + t.name;
  return out + " (" + what + ")";
}

void TypeTable::past_the_last(TypeId id) const {
  throw Error(Exit::bad_input,
              "type " + std::to_string(id) + " is past the last type " + std::to_string(types_.size() - 1));
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
  throw Error(Exit::bad_input, describe(id) + " is in a loop of typedefs and modifiers");
}

// The element type under `id`'s arrays (`id` itself when it is none), and
// how many elements they hold together.
static TypeId innermost_element(const TypeTable& tt, TypeId id, uint64_t& count) {
  TypeId outer = id;
  count = 1;
  for (int depth = 0; depth <= kMaxTypeDepth; ++depth) {
    TypeId rid = tt.resolve(id);
    const Type& t = tt.at(rid);
    if (t.kind != TypeKind::Array) return rid;
    count *= t.nelems;
    id = t.target;
  }
  throw Error(Exit::bad_input, tt.describe(outer) + " nests arrays more than " + std::to_string(kMaxTypeDepth) +
                                   " deep");
}

uint32_t TypeTable::size_of(TypeId id) const {
  uint64_t count = 1;
  const Type& t = at(innermost_element(*this, id, count));
  return static_cast<uint32_t>(count * t.size);
}

uint32_t TypeTable::align_of(TypeId id) const {
  uint64_t count = 1;
  const Type& t = at(innermost_element(*this, id, count));
  return t.align ? t.align : 1;
}

bool TypeTable::is_char(TypeId id) const {
  const Type& t = at(resolve(id));
  if (t.kind != TypeKind::Int || t.size != 1 || t.is_bool) return false;
  return t.is_char || t.name == "char" || t.name == "signed char" || t.name == "unsigned char";
}

bool TypeTable::is_char_array(TypeId id) const {
  const Type& t = at(resolve(id));
  return t.kind == TypeKind::Array && is_char(t.target);
}

static void place_members(const TypeTable& tt, TypeId record, TypeId outer, uint32_t base_bits, int depth,
                          std::vector<PlacedMember>& out) {
  if (depth > kMaxTypeDepth)
    throw Error(Exit::bad_input, tt.describe(outer) + " nests anonymous records more than " +
                                     std::to_string(kMaxTypeDepth) + " deep");
  for (const Member& m : tt.at(tt.resolve(record)).members) {
    PlacedMember p{.member = &m, .bit_offset = base_bits + m.bit_offset};
    TypeId mt = tt.resolve(m.type);
    const Type& t = tt.at(mt);
    p.expanded = (t.kind == TypeKind::Struct || t.kind == TypeKind::Union) && (m.name.empty() || t.name.empty());
    if (p.expanded) place_members(tt, mt, outer, p.bit_offset, depth + 1, p.inner);
    out.push_back(std::move(p));
  }
}

std::vector<PlacedMember> TypeTable::placed_members(TypeId record) const {
  std::vector<PlacedMember> out;
  place_members(*this, record, record, 0, 0, out);
  return out;
}

static void flatten(std::vector<PlacedMember>& members, std::vector<PlacedMember>& out) {
  for (PlacedMember& p : members) {
    if (p.expanded && p.member->name.empty()) flatten(p.inner, out);
    else out.push_back(std::move(p));
  }
}

std::vector<PlacedMember> TypeTable::flat_members(TypeId record) const {
  std::vector<PlacedMember> placed = placed_members(record), out;
  flatten(placed, out);
  return out;
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
