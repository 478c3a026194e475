// Record layouts for decoding, from the types of the model (the object's
// BTF, or json_types.cpp for an export type only the meta describes).

#include "ecc/loader.h"

namespace ecc::loader {

namespace {

// Inspektor Gadget's typedefs that print as more than a number (docs/gadget.md).
Field::Format typedef_format(const std::string& name) {
  using F = Field::Format;
  static const std::pair<const char*, F> table[] = {
      {"gadget_timestamp", F::timestamp},   {"gadget_errno", F::errno_name},
      {"gadget_signal", F::signal_name},    {"gadget_syscall", F::syscall_name},
      {"gadget_file_mode", F::file_mode},   {"gadget_file_flags", F::file_flags},
  };
  for (const auto& [n, f] : table)
    if (name == n) return f;
  return F::plain;
}

// The format of type `id`: the first gadget typedef on its typedef chain,
// the endpoint structs, an enum named *_set.
Field::Format format_of(const TypeTable& types, TypeId id) {
  for (int depth = 0; depth < kMaxTypeDepth; depth++) {
    const Type& t = types.at(id);
    switch (t.kind) {
      case TypeKind::Typedef:
        if (Field::Format f = typedef_format(t.name); f != Field::Format::plain) return f;
        [[fallthrough]];
      case TypeKind::Const:
      case TypeKind::Volatile:
      case TypeKind::Restrict:
      case TypeKind::TypeTag:
        id = t.target;
        continue;
      case TypeKind::Struct:
        if (t.name == "gadget_l3endpoint_t") return Field::Format::l3endpoint;
        if (t.name == "gadget_l4endpoint_t") return Field::Format::l4endpoint;
        return Field::Format::plain;
      case TypeKind::Enum:
        return t.name.ends_with("_set") ? Field::Format::flag_set : Field::Format::plain;
      default:
        return Field::Format::plain;
    }
  }
  return Field::Format::plain;
}

Field layout_at(const TypeTable& types, TypeId id, const std::string& name, int depth);

// Members of an anonymous record are members of the enclosing one.
void add_members(const TypeTable& types, TypeId record, Field& out, int depth) {
  for (const PlacedMember& p : types.flat_members(record)) {
    const Member& m = *p.member;
    uint32_t bits = p.bit_offset;
    Field f = layout_at(types, m.type, m.name, depth + 1);
    f.offset = bits / 8;
    if (m.bit_size) {
      f.bit_offset = bits % 8;
      f.bit_size = m.bit_size;
      if (f.kind != Field::Kind::Enum && f.kind != Field::Kind::Bool) f.kind = Field::Kind::Int;
    }
    out.children.push_back(std::move(f));
  }
}

Field layout_at(const TypeTable& types, TypeId id, const std::string& name, int depth) {
  if (depth > kMaxTypeDepth) throw Error(Exit::bad_input, "type '" + name + "' nests too deeply to decode");
  Field f;
  f.name = name;
  TypeId rid = types.resolve(id);
  const Type& t = types.at(rid);
  f.size = types.size_of(rid);
  f.format = format_of(types, id);
  // IG's rule: a formatted "x_raw" shows as "x", the number kept.
  if (f.format != Field::Format::plain && name.size() > 4 && name.ends_with("_raw"))
    f.target = name.substr(0, name.size() - 4);
  switch (t.kind) {
    case TypeKind::Int:
      f.kind = t.is_bool ? Field::Kind::Bool : Field::Kind::Int;
      f.is_signed = t.is_signed;
      break;
    case TypeKind::Float:
      f.kind = Field::Kind::Float;
      break;
    case TypeKind::Pointer:
      f.kind = Field::Kind::Int;
      break;
    case TypeKind::Enum:
      f.kind = Field::Kind::Enum;
      f.is_signed = t.is_signed;
      f.values = t.values;
      break;
    case TypeKind::Array: {
      // char arrays print as strings: the common case of comm/filename.
      if (types.is_char_array(rid)) {
        f.kind = Field::Kind::String;
        break;
      }
      f.kind = Field::Kind::Array;
      f.count = t.nelems;
      f.children.push_back(layout_at(types, t.target, "", depth + 1));
      break;
    }
    case TypeKind::Struct:
    case TypeKind::Union:
      f.kind = Field::Kind::Record;
      add_members(types, rid, f, depth);
      break;
    default:
      f.kind = Field::Kind::Raw;
      break;
  }
  return f;
}

}  // namespace

Field layout_of(const TypeTable& types, TypeId id, const std::string& name) { return layout_at(types, id, name, 0); }

namespace {

// `prefix` is "<struct>." or "<struct>.<member>."; a formatted "x_raw" takes
// the attributes of "x", the column it shows as.
void apply_styles(Field& f, const std::string& prefix, const Package& pkg) {
  std::string path = prefix + (f.target.empty() ? f.name : f.target);
  if (auto it = pkg.columns.find(path); it != pkg.columns.end()) {
    f.hidden = it->second.hidden;
    f.width = it->second.width;
    f.align_right = it->second.align_right;
  }
  if (f.kind == Field::Kind::Record)
    for (Field& c : f.children) apply_styles(c, path + ".", pkg);
}

}  // namespace

Field print_layout(const Package& pkg, TypeId id) {
  Field f = layout_of(pkg.object.types, id);
  if (pkg.columns.empty()) return f;
  const TypeTable& tt = pkg.object.types;
  std::string name = tt.at(tt.resolve(id)).name;
  if (name.empty()) name = tt.at(id).name;
  for (Field& c : f.children) apply_styles(c, name + ".", pkg);
  return f;
}

}  // namespace ecc::loader
