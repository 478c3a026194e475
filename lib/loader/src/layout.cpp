// Record layouts for decoding, from the types of the model (the object's
// BTF, or json_types.cpp for an export type only the meta describes).

#include "ecc/loader.h"

namespace ecc::loader {

namespace {

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

}  // namespace ecc::loader
