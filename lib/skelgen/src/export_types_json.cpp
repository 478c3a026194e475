// TYPE in docs/package-format.md: layouts of the exported structs, unions and enums.
#include <string_view>

#include "ecc/error.h"
#include "ecc/package_format.h"
#include "ecc/skelgen.h"

namespace ecc {

// The member's doc-comment annotations after its own fields, keys named
// like a member field dropped (docs/package-format.md#export_types).
static void merge_member_doc(Json& entry, const Json& doc) {
  if (!doc.is_object()) return;
  for (const auto& [key, value] : doc.items()) {
    bool own = false;
    for (const char* f : kMemberFields) own |= key == std::string_view(f);
    if (!own) entry[key] = value;
  }
}

// Members of anonymous records are nested under them with offsets from the
// start of the exported type, so a reader never has to add them up.
static Json members_json(const TypeTable& types, const std::vector<PlacedMember>& members) {
  Json out = Json::array();
  for (const PlacedMember& p : members) {
    const Member& m = *p.member;
    uint32_t bits = p.bit_offset;
    Json j = Json::object();
    j["name"] = m.name;
    j["type"] = types.spell(m.type);
    j["offset"] = bits / 8;
    j["size"] = types.size_of(m.type);
    if (m.bit_size) {
      j["bit_offset"] = bits;
      j["bit_size"] = m.bit_size;
    }
    if (p.expanded) j["members"] = members_json(types, p.inner);
    merge_member_doc(j, m.doc);
    out.push_back(std::move(j));
  }
  return out;
}

static Json export_type_json(const TypeTable& types, TypeId id) {
  const Type& named = types.at(id);
  const Type& t = types.at(types.resolve(id));
  // A typedef'd anonymous record (`typedef struct {...} foo_t;`) is known by
  // the typedef's name.
  std::string name = t.name.empty() ? named.name : t.name;
  if (t.kind != TypeKind::Struct && t.kind != TypeKind::Union && t.kind != TypeKind::Enum)
    throw Error(Exit::bad_input, "export type '" + name + "' is not a struct, union or enum");

  Json j = Json::object();
  j["name"] = name;
  j["size"] = types.size_of(id);
  j["align"] = types.align_of(id);
  // A type built from Clang's AST has no BTF id; 0 would be `void`, so the
  // key is left out rather than lying.
  if (t.btf_id) j["type_id"] = t.btf_id;
  if (t.kind == TypeKind::Enum) {
    Json values = Json::array();
    for (const EnumValue& v : t.values) values.push_back(Json{{"name", v.name}, {"value", v.value}});
    j["values"] = std::move(values);
  } else {
    j["members"] = members_json(types, types.placed_members(id));
  }
  return j;
}

Json export_types_json(const Skeleton& skel) {
  Json out = Json::array();
  for (TypeId id : skel.export_types) out.push_back(export_type_json(skel.types, id));
  return out;
}

}  // namespace ecc
