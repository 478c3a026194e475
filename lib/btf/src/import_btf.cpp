// BTF types -> model types, one for one, so that ids stay aligned.
#include <linux/btf.h>
#include <bpf/btf.h>

#include <algorithm>
#include <vector>

#include "ecc/btf.h"
#include "ecc/error.h"
#include "enum_signedness.h"

namespace ecc {
namespace {

// Maps a BTF id to its table id; BTF id 0 is `void` in both.
struct IdMap {
  TypeId base;
  TypeId operator()(uint32_t btf_id) const { return btf_id ? base + btf_id - 1 : 0; }
};

// Before kind_flag existed, a bitfield was a member whose type is an INT
// narrower than its storage (BTF_INT_BITS) and possibly shifted within it
// (BTF_INT_OFFSET). Modifiers and typedefs in between are looked through.
const struct btf_type* bitfield_int(const struct btf* btf, uint32_t id) {
  for (int hops = 0; hops < 32; ++hops) {
    const struct btf_type* t = btf__type_by_id(btf, id);
    if (!t) return nullptr;
    if (btf_is_int(t)) return t;
    if (!btf_is_mod(t) && !btf_is_typedef(t) && !btf_is_type_tag(t)) return nullptr;
    id = t->type;
  }
  return nullptr;
}

// The legacy bitfield INT of a member of a kind_flag=0 record, or nullptr.
const struct btf_type* legacy_bitfield(const struct btf* btf, uint32_t member_type) {
  const struct btf_type* it = bitfield_int(btf, member_type);
  return it && (btf_int_bits(it) != it->size * 8 || btf_int_offset(it) != 0) ? it : nullptr;
}

// Alignment in bytes as the C compiler laid the types out, 0 where there is
// none (FUNC, VAR, a FWD...). libbpf's btf__align_of follows the same rules
// but caps integers at the pointer size, which is right for long long on a
// 32-bit ABI and wrong for __int128: clang aligns it at 16 for target bpf as
// on every 64-bit ABI. Memoised: records are shared by many members.
class Aligner {
 public:
  explicit Aligner(const struct btf* btf) : btf_(btf), memo_(btf__type_cnt(btf), kUnknown) {}

  uint32_t operator()(uint32_t id) {
    if (id >= memo_.size()) return 0;
    if (memo_[id] == kUnknown) {
      memo_[id] = kBusy;  // a malformed loop ends as "no alignment"
      memo_[id] = compute(id);
    }
    return memo_[id] == kBusy ? 0 : memo_[id];
  }

 private:
  static constexpr uint32_t kUnknown = ~0u, kBusy = ~0u - 1;

  uint32_t compute(uint32_t id) {
    const struct btf_type* t = btf__type_by_id(btf_, id);
    switch (btf_kind(t)) {
      case BTF_KIND_INT:
        if (t->size == 16) return 16;
        [[fallthrough]];
      case BTF_KIND_FLOAT:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
      case BTF_KIND_PTR: {
        int a = btf__align_of(btf_, id);
        return a > 0 ? static_cast<uint32_t>(a) : 0;
      }
      case BTF_KIND_ARRAY:
        return (*this)(btf_array(t)->type);
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG:
        return (*this)(t->type);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        return record(t);
      default:
        return 0;
    }
  }

  // The largest member alignment, or 1 when the record must have been
  // packed: a non-bitfield member off its alignment, or a size that is not
  // a multiple of it.
  uint32_t record(const struct btf_type* t) {
    uint32_t max_align = 1;
    const struct btf_member* m = btf_members(t);
    for (uint32_t i = 0; i < btf_vlen(t); ++i, ++m) {
      uint32_t a = (*this)(m->type);
      if (a == 0) return 0;
      max_align = std::max(max_align, a);
      bool bitfield = btf_kflag(t) ? btf_member_bitfield_size(t, i) != 0 : legacy_bitfield(btf_, m->type) != nullptr;
      if (!bitfield && btf_member_bit_offset(t, i) % (8 * a) != 0) return 1;
    }
    return t->size % max_align ? 1 : max_align;
  }

  const struct btf* btf_;
  std::vector<uint32_t> memo_;
};

uint32_t resolved_size(const struct btf* btf, uint32_t id) {
  long long s = btf__resolve_size(btf, id);
  return s > 0 ? static_cast<uint32_t>(s) : 0;
}

void import_members(const struct btf* btf, const struct btf_type* t, const IdMap& map, Type& out) {
  const struct btf_member* m = btf_members(t);
  for (uint32_t i = 0; i < btf_vlen(t); ++i, ++m) {
    Member mem{.name = name_of(btf, m->name_off), .type = map(m->type)};
    if (btf_kflag(t)) {
      // Both fields are packed into `offset`: size in the top 8 bits.
      mem.bit_offset = btf_member_bit_offset(t, i);
      mem.bit_size = btf_member_bitfield_size(t, i);
    } else {
      mem.bit_offset = m->offset;
      if (const struct btf_type* it = legacy_bitfield(btf, m->type)) {
        mem.bit_size = btf_int_bits(it);
        mem.bit_offset += btf_int_offset(it);
      }
    }
    out.members.push_back(std::move(mem));
  }
}

void import_enum(const struct btf* btf, const struct btf_type* t, bool legacy, Type& out) {
  out.kind = TypeKind::Enum;
  out.size = t->size;
  out.is_signed = btf_kflag(t) || (legacy && btf_is_enum(t));
  if (btf_is_enum(t)) {
    const struct btf_enum* e = btf_enum(t);
    for (uint32_t i = 0; i < btf_vlen(t); ++i, ++e) {
      int64_t v = out.is_signed ? int64_t{e->val} : int64_t{static_cast<uint32_t>(e->val)};
      out.values.push_back({name_of(btf, e->name_off), v});
    }
    return;
  }
  const struct btf_enum64* e = btf_enum64(t);
  for (uint32_t i = 0; i < btf_vlen(t); ++i, ++e) {
    // An unsigned value above INT64_MAX keeps its bits (two's complement).
    out.values.push_back({name_of(btf, e->name_off), static_cast<int64_t>(btf_enum64_value(e))});
  }
}

void import_func_proto(const struct btf* btf, const struct btf_type* t, const IdMap& map, Type& out) {
  out.kind = TypeKind::FuncProto;
  out.target = map(t->type);
  const struct btf_param* p = btf_params(t);
  uint16_t n = btf_vlen(t);
  for (uint16_t i = 0; i < n; ++i, ++p) {
    // `...` is encoded as a trailing parameter of type void with no name.
    if (i + 1 == n && p->type == 0 && p->name_off == 0) {
      out.variadic = true;
      break;
    }
    out.params.push_back({name_of(btf, p->name_off), map(p->type)});
  }
}

// "BTF type 12 (struct event)", for messages.
std::string describe(const struct btf* btf, uint32_t id, const struct btf_type* t) {
  static constexpr const char* kKinds[] = {"void",     "int",   "ptr",      "array",    "struct",   "union",   "enum",
                                           "fwd",      "typedef", "volatile", "const",  "restrict", "func",
                                           "func_proto", "var", "datasec",  "float",    "decl_tag", "type_tag",
                                           "enum64"};
  uint16_t kind = btf_kind(t);
  std::string what = kind < std::size(kKinds) ? kKinds[kind] : "kind " + std::to_string(kind);
  std::string name = name_of(btf, t->name_off);
  return "BTF type " + std::to_string(id) + " (" + what + (name.empty() ? "" : " " + name) + ")";
}

// Every type id that type `id` refers to names a type of `btf`: the BTF
// comes from outside (a package, an object), and a damaged id must end in a
// message naming the type and the field, not in the table's range check.
void check_refs(const struct btf* btf, uint32_t id, const struct btf_type* t) {
  uint32_t count = btf__type_cnt(btf);
  auto check = [&](uint32_t ref, const std::string& field) {
    if (ref < count) return;
    throw Error(Exit::bad_input, describe(btf, id, t) + (field.empty() ? "" : " " + field) + " refers to type " +
                                     std::to_string(ref) + ", past the last type " + std::to_string(count - 1));
  };
  auto nth = [](const char* what, uint32_t i, const std::string& name) {
    return std::string(what) + (name.empty() ? " " + std::to_string(i) : " '" + name + "'");
  };
  if (btf_is_ptr(t) || btf_is_typedef(t) || btf_is_mod(t) || btf_is_type_tag(t) || btf_is_func(t) ||
      btf_is_var(t) || btf_is_decl_tag(t))
    check(t->type, "");
  else if (btf_is_array(t))
    check(btf_array(t)->type, "element type");
  else if (btf_is_composite(t))
    for (uint32_t i = 0; i < btf_vlen(t); ++i)
      check(btf_members(t)[i].type, nth("member", i, name_of(btf, btf_members(t)[i].name_off)));
  else if (btf_is_func_proto(t)) {
    check(t->type, "return type");
    for (uint32_t i = 0; i < btf_vlen(t); ++i)
      check(btf_params(t)[i].type, nth("parameter", i, name_of(btf, btf_params(t)[i].name_off)));
  } else if (btf_is_datasec(t))
    for (uint32_t i = 0; i < btf_vlen(t); ++i) check(btf_var_secinfos(t)[i].type, nth("variable", i, ""));
}

// INT and FLOAT.
void import_number(const struct btf_type* t, Type& out) {
  out.size = t->size;
  if (btf_kind(t) == BTF_KIND_FLOAT) {
    out.kind = TypeKind::Float;
    return;
  }
  uint8_t enc = btf_int_encoding(t);
  out.kind = TypeKind::Int;
  out.is_signed = enc & BTF_INT_SIGNED;
  out.is_char = enc & BTF_INT_CHAR;  // clang leaves it unset: TypeTable::is_char knows the names
  out.is_bool = enc & BTF_INT_BOOL;
}

// TYPEDEF, CONST, VOLATILE, RESTRICT, TYPE_TAG: a name or a qualifier on
// another type.
void import_alias(const struct btf* btf, const struct btf_type* t, const IdMap& map, Type& out) {
  static constexpr TypeKind kinds[] = {
      /*TYPEDEF*/ TypeKind::Typedef, /*VOLATILE*/ TypeKind::Volatile, /*CONST*/ TypeKind::Const,
      /*RESTRICT*/ TypeKind::Restrict};
  out.kind = btf_is_type_tag(t) ? TypeKind::TypeTag : kinds[btf_kind(t) - BTF_KIND_TYPEDEF];
  out.target = map(t->type);
  out.size = resolved_size(btf, t->type);
}

// PTR and ARRAY.
void import_pointer_or_array(const struct btf* btf, const struct btf_type* t, const IdMap& map, Type& out) {
  if (btf_is_ptr(t)) {
    size_t ptr = btf__pointer_size(btf);
    out.kind = TypeKind::Pointer;
    out.size = ptr ? static_cast<uint32_t>(ptr) : 8;
    out.align = out.align ? out.align : out.size;
    out.target = map(t->type);
    return;
  }
  const struct btf_array* a = btf_array(t);
  out.kind = TypeKind::Array;
  out.target = map(a->type);
  out.nelems = a->nelems;
  out.size = a->nelems * resolved_size(btf, a->type);
}

Type import_one(const struct btf* btf, uint32_t id, const IdMap& map, bool legacy_enums, Aligner& align_of) {
  const struct btf_type* t = btf__type_by_id(btf, id);
  check_refs(btf, id, t);
  Type out;
  out.btf_id = id;
  out.name = name_of(btf, t->name_off);
  out.align = align_of(id);
  switch (btf_kind(t)) {
    case BTF_KIND_INT:
    case BTF_KIND_FLOAT:
      import_number(t, out);
      break;
    case BTF_KIND_PTR:
    case BTF_KIND_ARRAY:
      import_pointer_or_array(btf, t, map, out);
      break;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
      out.kind = btf_is_struct(t) ? TypeKind::Struct : TypeKind::Union;
      out.size = t->size;
      import_members(btf, t, map, out);
      break;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
      import_enum(btf, t, legacy_enums, out);
      break;
    case BTF_KIND_FWD:
      out.kind = TypeKind::Fwd;
      out.fwd_is_union = btf_kflag(t);
      break;
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
      import_alias(btf, t, map, out);
      break;
    case BTF_KIND_FUNC_PROTO:
      import_func_proto(btf, t, map, out);
      out.align = 0;
      break;
    case BTF_KIND_FUNC:
      out.kind = TypeKind::Func;
      out.target = map(t->type);
      out.align = 0;
      break;
    case BTF_KIND_VAR:
    case BTF_KIND_DATASEC:
    case BTF_KIND_DECL_TAG:
      // Not types of C; kept as placeholders so that ids stay aligned.
      out = Type{.kind = TypeKind::Void, .name = out.name, .btf_id = id};
      break;
    default:
      throw Error(Exit::bad_input, "unknown BTF kind " + std::to_string(btf_kind(t)) + " at type id " +
                                       std::to_string(id));
  }
  return out;
}

}  // namespace

TypeId import_btf(const struct btf* btf, TypeTable& table) {
  IdMap map{static_cast<TypeId>(table.size())};
  bool legacy_enums = legacy_enum_signedness(btf);
  Aligner align_of(btf);
  uint32_t n = btf__type_cnt(btf);
  for (uint32_t id = 1; id < n; ++id) table.add(import_one(btf, id, map, legacy_enums, align_of));
  // A loop of typedefs, modifiers or arrays is damage too: found here,
  // where the caller names the file, not wherever the type is first used.
  for (TypeId id = map.base; id < table.size(); ++id) table.size_of(id);
  return map.base;
}

}  // namespace ecc
