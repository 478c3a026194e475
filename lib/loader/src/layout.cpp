// Record layouts for decoding: from BTF types (model) or, for export types
// built from Clang's AST only, from the JSON members of the package.
#include <regex>

#include "ecc/loader.h"

namespace ecc::loader {

namespace {

constexpr int kMaxDepth = 32;

Field layout_at(const TypeTable& types, TypeId id, const std::string& name, int depth);

void add_members(const TypeTable& types, const Type& rec, uint32_t base_bits, Field& out, int depth) {
  for (const Member& m : rec.members) {
    uint32_t bits = base_bits + m.bit_offset;
    const Type& mt = types.at(types.resolve(m.type));
    if (m.name.empty() && (mt.kind == TypeKind::Struct || mt.kind == TypeKind::Union)) {
      // Members of an anonymous record are members of the enclosing one.
      add_members(types, mt, bits, out, depth + 1);
      continue;
    }
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
  if (depth > kMaxDepth) throw Error(Exit::bad_input, "type '" + name + "' nests too deeply to decode");
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
      const Type& elem = types.at(types.resolve(t.target));
      // char arrays print as strings: the common case of comm/filename.
      if (elem.kind == TypeKind::Int && elem.size == 1 && elem.is_char) {
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
      add_members(types, t, 0, f, depth);
      break;
    default:
      f.kind = Field::Kind::Raw;
      break;
  }
  return f;
}

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

const Json* find_export(const Json& exports, const std::string& name) {
  if (!exports.is_array()) return nullptr;
  for (const auto& e : exports)
    if (e.value("name", "") == name) return &e;
  return nullptr;
}

Field from_json(const Json& t, const Json& exports, const TypeTable& types, int depth);

// A member's C spelling -> a field of `size` bytes.
Field from_spelling(std::string spelling, uint32_t size, const Json& exports, const TypeTable& types, int depth) {
  if (depth > kMaxDepth) throw Error(Exit::bad_input, "export type nests too deeply to decode");
  std::vector<uint32_t> dims;
  static const std::regex dim_re(R"(\[(\d+)\]$)");
  // Dimensions are read from the right; the outermost is the leftmost.
  std::smatch m;
  while (std::regex_search(spelling, m, dim_re)) {
    dims.insert(dims.begin(), static_cast<uint32_t>(std::stoul(m[1].str())));
    spelling.erase(m.position(0));
  }
  while (!spelling.empty() && spelling.back() == ' ') spelling.pop_back();
  uint32_t elem_size = size;
  for (uint32_t d : dims) elem_size = d ? elem_size / d : 0;

  Field base;
  base.size = elem_size;
  bool is_char = spelling == "char" || spelling == "signed char" || spelling == "unsigned char";
  if (spelling.find('*') != std::string::npos) {
    base.kind = Field::Kind::Int;
  } else if (starts_with(spelling, "struct ") || starts_with(spelling, "union ") || starts_with(spelling, "enum ")) {
    std::string name = spelling.substr(spelling.find(' ') + 1);
    TypeKind kind = starts_with(spelling, "struct ") ? TypeKind::Struct
                    : starts_with(spelling, "union ") ? TypeKind::Union
                                                      : TypeKind::Enum;
    if (const Json* e = find_export(exports, name)) {
      base = from_json(*e, exports, types, depth + 1);
    } else if (auto id = types.find(kind, name)) {
      base = layout_at(types, *id, "", depth + 1);
    } else {
      throw Error(Exit::bad_input, "export member type '" + spelling + "' is neither exported nor in the BPF object");
    }
  } else if (spelling == "bool" || spelling == "_Bool") {
    base.kind = Field::Kind::Bool;
  } else if (spelling == "float" || spelling == "double" || spelling == "long double") {
    base.kind = Field::Kind::Float;
  } else if (is_char && !dims.empty()) {
    base.kind = Field::Kind::String;
  } else if (auto id = types.find(TypeKind::Typedef, spelling)) {
    base = layout_at(types, *id, "", depth + 1);
  } else {
    // A C integer spelling or a typedef only the header knew: its size is
    // given; the signedness follows the usual u/unsigned naming.
    base.kind = Field::Kind::Int;
    base.is_signed = !(spelling.find("unsigned") != std::string::npos || starts_with(spelling, "u") ||
                       starts_with(spelling, "__u") || spelling == "size_t" || spelling == "_Bool");
    if (spelling == "char") base.is_signed = true;
  }
  base.size = elem_size;
  if (base.kind == Field::Kind::String) {
    // The last dimension is the string; outer ones are arrays of strings.
    base.size = elem_size * dims.back();
    dims.pop_back();
  }
  Field f = std::move(base);
  for (auto it = dims.rbegin(); it != dims.rend(); ++it) {
    Field arr;
    arr.kind = Field::Kind::Array;
    arr.count = *it;
    arr.size = f.size * *it;
    arr.children.push_back(std::move(f));
    f = std::move(arr);
  }
  return f;
}

uint32_t get_u32(const Json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned())
    throw Error(Exit::bad_input, where + " has no valid '" + key + "'");
  return it->get<uint32_t>();
}

void members_from_json(const Json& members, uint32_t base, const Json& exports, const TypeTable& types, Field& out,
                       int depth, const std::string& tname) {
  for (const auto& m : members) {
    std::string name = m.value("name", "");
    std::string where = "export type '" + tname + "' member '" + name + "'";
    uint32_t off = get_u32(m, "offset", where);
    if (name.empty() && m.contains("members")) {
      // Anonymous records carry absolute offsets already.
      members_from_json(m["members"], base, exports, types, out, depth + 1, tname);
      continue;
    }
    uint32_t size = get_u32(m, "size", where);
    if (!m.contains("type") || !m["type"].is_string()) throw Error(Exit::bad_input, where + " has no type");
    Field f = from_spelling(m["type"].get<std::string>(), size, exports, types, depth);
    f.name = name;
    f.offset = off - base;
    if (m.contains("bit_size")) {
      uint32_t bits = get_u32(m, "bit_offset", where) - base * 8;
      f.offset = bits / 8;
      f.bit_offset = bits % 8;
      f.bit_size = get_u32(m, "bit_size", where);
      if (f.bit_size > 64) throw Error(Exit::bad_input, where + " has a bit_size over 64");
      if (f.kind != Field::Kind::Enum && f.kind != Field::Kind::Bool) f.kind = Field::Kind::Int;
    }
    if (out.size && (f.bit_size ? (f.offset * 8 + f.bit_offset + f.bit_size + 7) / 8 : f.offset + f.size) > out.size)
      throw Error(Exit::bad_input, where + " lies outside the type's " + std::to_string(out.size) + " bytes");
    out.children.push_back(std::move(f));
  }
}

Field from_json(const Json& t, const Json& exports, const TypeTable& types, int depth) {
  std::string name = t.value("name", "");
  if (t.contains("type_id")) return layout_at(types, t["type_id"].get<TypeId>(), "", depth);
  Field f;
  f.size = get_u32(t, "size", "export type '" + name + "'");
  if (t.contains("values")) {
    f.kind = Field::Kind::Enum;
    f.is_signed = true;
    for (const auto& v : t["values"]) f.values.push_back({v.value("name", ""), v.value("value", int64_t{0})});
    return f;
  }
  if (!t.contains("members")) {
    for (TypeKind k : {TypeKind::Struct, TypeKind::Union, TypeKind::Enum})
      if (auto id = types.find(k, name)) return layout_at(types, *id, "", depth);
    throw Error(Exit::bad_input, "export type '" + name + "' has no members");
  }
  f.kind = Field::Kind::Record;
  members_from_json(t["members"], 0, exports, types, f, depth, name);
  return f;
}

}  // namespace

Field layout_of(const TypeTable& types, TypeId id, const std::string& name) { return layout_at(types, id, name, 0); }

Field layout_of_export(const Json& export_type, const Json& exports, const TypeTable& types) {
  Field f = from_json(export_type, exports, types, 0);
  f.name = export_type.value("name", "");
  return f;
}

}  // namespace ecc::loader
