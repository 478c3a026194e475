// meta (docs/package-format.md) -> the model of the package's object. Packages written by
// eunomia-bpf's ecc are read too: their meta may say `"maps": null`, carries
// no variable offsets and no member offsets (the object's BTF has them), and
// may hold keys we do not know (ignored).
#include <set>
#include <span>

#include "ecc/annotations.h"
#include "ecc/package_format.h"
#include "meta.h"

namespace ecc::loader {

namespace {

const Json kEmptyArray = Json::array();

// An array member of `j`; null or absent is empty.
const Json& array_of(const Json& j, const char* key, const std::string& where, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return kEmptyArray;
  if (!it->is_array()) throw Error(Exit::bad_input, where + "." + key + " is not an array", path);
  return *it;
}

std::string name_of(const Json& entry, const std::string& where, const std::string& path) {
  if (!entry.is_object()) throw Error(Exit::bad_input, where + " has an entry that is not an object", path);
  auto it = entry.find("name");
  if (it == entry.end() || !it->is_string() || it->get<std::string>().empty())
    throw Error(Exit::bad_input, where + " has an entry without a name", path);
  return it->get<std::string>();
}

// The annotations of an entry: its keys other than the ones the skeleton
// itself writes (docs/package-format.md), so that the typed readers see only the doc.
Json doc_of(const Json& entry, std::span<const char* const> own) {
  Json doc = Json::object();
  for (const auto& [k, v] : entry.items()) {
    bool is_own = false;
    for (const char* o : own) is_own |= k == o;
    if (!is_own) doc[k] = v;
  }
  return doc;
}

Json doc_of(const Json& entry, std::initializer_list<const char*> own) {
  return doc_of(entry, std::span(own.begin(), own.size()));
}

void apply_maps(const Json& skel, Skeleton& obj, const std::string& path) {
  for (const auto& m : array_of(skel, "maps", "bpf_skel", path)) {
    std::string name = name_of(m, "bpf_skel.maps", path);
    MapInfo* found = nullptr;
    for (MapInfo& om : obj.maps)
      if (om.name == name) found = &om;
    if (!found) throw Error(Exit::bad_input, "package names map '" + name + "' that the BPF object lacks", path);
    found->doc = doc_of(m, {"name", "ident", "mmaped", "type", "key_size", "value_size", "max_entries", "key_type",
                            "value_type"});
  }
}

void apply_progs(const Json& skel, Skeleton& obj, const std::string& path) {
  for (const auto& p : array_of(skel, "progs", "bpf_skel", path)) {
    std::string name = name_of(p, "bpf_skel.progs", path);
    for (ProgInfo& op : obj.progs) {
      if (op.name != name) continue;
      if (auto l = p.find("link"); l != p.end() && !l->is_null()) {
        if (!l->is_boolean()) throw Error(Exit::bad_input, "program '" + name + "': link is not true or false", path);
        op.link = l->get<bool>();
      }
      op.doc = doc_of(p, {"name", "attach", "link", "type", "attach_type"});
    }
  }
}

void apply_variables(const Json& skel, Skeleton& obj, const std::string& path) {
  for (const auto& s : array_of(skel, "data_sections", "bpf_skel", path)) {
    std::string section = name_of(s, "bpf_skel.data_sections", path);
    for (const auto& v : array_of(s, "variables", "data section '" + section + "'", path)) {
      std::string name = name_of(v, "data section '" + section + "' variables", path);
      // Offsets and sizes are the object's (its DATASEC): the meta's, when
      // it has them, are not read (docs/package-format.md: the BTF wins).
      for (DataSection& ds : obj.data_sections)
        if (ds.name == section)
          for (Variable& ov : ds.variables) {
            if (ov.name != name) continue;
            ov.doc = doc_of(v, {"name", "type", "offset", "size"});
          }
    }
  }
  if (auto d = skel.find("doc"); d != skel.end() && d->is_object()) obj.doc = *d;
}

// The table id of an export entry: BTF by type_id, BTF by name, else JSON.
TypeId export_type_id(const Json& e, const Json& exports, Skeleton& obj, const std::string& path) {
  std::string name = name_of(e, "meta.export_types", path);
  const TypeTable& tt = obj.types;
  auto is_layout_kind = [](const Type& t) {
    return t.kind == TypeKind::Struct || t.kind == TypeKind::Union || t.kind == TypeKind::Enum;
  };
  if (auto it = e.find("type_id"); it != e.end() && !it->is_null()) {
    uint64_t id = it->is_number_unsigned() ? it->get<uint64_t>() : 0;
    bool ok = id > 0 && id < tt.size() && tt.at(static_cast<TypeId>(id)).btf_id != 0;
    if (ok) {
      // The id names this very type, or a typedef of an anonymous record,
      // or the anonymous record itself that a typedef of that name names
      // (what ecc writes for `typedef struct {...} task_row_t`).
      const Type& named = tt.at(static_cast<TypeId>(id));
      TypeId resolved = tt.resolve(static_cast<TypeId>(id));
      const Type& t = tt.at(resolved);
      auto td = tt.find(TypeKind::Typedef, name);
      ok = is_layout_kind(t) &&
           (t.name == name || (t.name.empty() && (named.name == name || (td && tt.resolve(*td) == resolved))));
    }
    if (!ok)
      throw Error(Exit::bad_input, "export type '" + name + "' (type_id " + it->dump() + ") is not in the BPF object's BTF",
                  path);
    return static_cast<TypeId>(id);
  }
  for (TypeKind k : {TypeKind::Struct, TypeKind::Union, TypeKind::Enum})
    if (auto id = tt.find(k, name); id && tt.at(*id).btf_id) return *id;
  if (auto id = tt.find(TypeKind::Typedef, name); id && is_layout_kind(tt.at(tt.resolve(*id)))) return *id;
  return type_from_json(e, exports, obj.types, path);
}

// The member of `members` an entry names: by name, an anonymous one by its
// place among the anonymous ones (`anon`, counted by the caller).
Member* member_named(std::vector<Member>& members, const std::string& name, size_t anon) {
  for (Member& m : members) {
    if (m.name != name) continue;
    if (!name.empty() || anon == 0) return &m;
    --anon;
  }
  return nullptr;
}

// The annotations of an export type's member entries (docs/package-format.md#export_types)
// onto the members of the type the entry resolved to, into the `members` of
// anonymous records. An annotated entry the type lacks is an error.
void apply_member_docs(const Json& list, TypeTable& tt, TypeId record, const std::string& where,
                       const std::string& path, int depth) {
  if (!list.is_array() || depth > kMaxTypeDepth) return;
  size_t anon = 0;
  for (const Json& e : list) {
    if (!e.is_object()) continue;
    auto n = e.find("name");
    std::string name = n != e.end() && n->is_string() ? n->get<std::string>() : "";
    Json doc = doc_of(e, kMemberFields);
    Member* m = member_named(tt.at(tt.resolve(record)).members, name, anon);
    if (name.empty()) ++anon;
    if (!m && !doc.empty())
      throw Error(Exit::bad_input, where + " member '" + name + "' has annotations but is not in the type", path);
    if (!m) continue;
    m->doc = doc.empty() ? Json() : std::move(doc);
    if (auto inner = e.find("members"); inner != e.end())
      apply_member_docs(*inner, tt, m->type, where, path, depth + 1);
  }
}

void apply_export_types(const Json& meta, Skeleton& obj, const std::string& path) {
  const Json& exports = array_of(meta, "export_types", "meta", path);
  for (const auto& e : exports) {
    TypeId id = export_type_id(e, exports, obj, path);
    obj.export_types.push_back(id);
    if (auto members = e.find("members"); members != e.end())
      apply_member_docs(*members, obj.types, id, "export type '" + e["name"].get<std::string>() + "'", path, 0);
  }
}

}  // namespace

void apply_meta(Package& pkg) {
  const std::string& path = pkg.path;
  auto skel = pkg.meta.find("bpf_skel");
  if (skel == pkg.meta.end() || !skel->is_object()) throw Error(Exit::bad_input, "package meta has no bpf_skel object", path);
  apply_maps(*skel, pkg.object, path);
  apply_progs(*skel, pkg.object, path);
  apply_variables(*skel, pkg.object, path);
  apply_export_types(pkg.meta, pkg.object, path);
  read_annotations(pkg.object, path);
  read_metrics(pkg.object, path);
  assign_event_types(pkg.object);
}

}  // namespace ecc::loader
