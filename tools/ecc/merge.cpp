#include "merge.h"

#include <unordered_map>

#include "ecc/error.h"
#include "ecc/layout_check.h"

namespace ecc {

namespace {

void attach_doc(Json& doc, const std::map<std::string, Json>& docs, const std::string& name) {
  if (auto it = docs.find(name); it != docs.end()) doc = it->second;
}

// The types read from the object's BTF by kind and name (the first of a
// kind and name): one pass, then a lookup per export type.
class BtfTypeIndex {
 public:
  explicit BtfTypeIndex(const TypeTable& tt) {
    for (TypeId id = 1; id < tt.size(); ++id)
      if (const Type& t = tt.at(id); t.btf_id != 0) index_.emplace(key(t), id);
  }
  std::optional<TypeId> find(const Type& wanted) const {
    auto it = index_.find(key(wanted));
    return it == index_.end() ? std::nullopt : std::optional<TypeId>(it->second);
  }

 private:
  static std::string key(const Type& t) { return std::to_string(static_cast<int>(t.kind)) + ':' + t.name; }
  std::unordered_map<std::string, TypeId> index_;
};

// The doc comments of the members Clang saw, onto the same members in BTF
// (compare_layouts has matched them name by name), nested records included.
void copy_member_docs(TypeTable& tt, TypeId from_clang, TypeId from_btf, int depth) {
  const Type& ct = tt.at(tt.resolve(from_clang));
  TypeId b = tt.resolve(from_btf);
  if (depth > kMaxTypeDepth || (ct.kind != TypeKind::Struct && ct.kind != TypeKind::Union)) return;
  for (size_t i = 0; i < ct.members.size() && i < tt.at(b).members.size(); ++i) {
    const Member& cm = ct.members[i];
    if (!cm.doc.is_null()) tt.at(b).members[i].doc = cm.doc;
    copy_member_docs(tt, cm.type, tt.at(b).members[i].type, depth + 1);
  }
}

}  // namespace

void merge_scan(Skeleton& skel, const TypeTable& scan_types, const ScanResult& scan, const std::string& header) {
  for (auto& m : skel.maps)
    if (m.section == ".maps") attach_doc(m.doc, scan.vars, m.name);
  for (auto& p : skel.progs) attach_doc(p.doc, scan.funcs, p.name);
  for (auto& ds : skel.data_sections)
    for (auto& v : ds.variables) attach_doc(v.doc, scan.vars, v.name);
  attach_doc(skel.doc, scan.vars, "LICENSE");

  std::vector<TypeId> memo;
  const BtfTypeIndex btf_types(skel.types);  // the BTF's types are all in before the scan's are copied
  for (TypeId scanned : scan.export_types) {
    const Type& t = scan_types.at(scanned);
    TypeId from_clang = copy_type(scan_types, scanned, skel.types, memo);
    std::optional<TypeId> from_btf = btf_types.find(t);
    // ecc added every export type the program's BTF lacked (docs/package-format.md).
    if (!from_btf)
      throw Error(Exit::bad_input, "export type '" + t.name + "' has no type in the object's BTF", header);
    if (auto diff = compare_layouts(skel.types, from_clang, *from_btf))
      throw Error(Exit::bad_input, "export type layout disagrees with the object's BTF: " + *diff, header);
    // BTF records no alignment and libbpf's guess misses aligned() members
    // and 128-bit ints: Clang's layout knows.
    skel.types.at(*from_btf).align = skel.types.at(from_clang).align;
    copy_member_docs(skel.types, from_clang, *from_btf, 0);
    skel.export_types.push_back(*from_btf);
  }
}

}  // namespace ecc
