// SKEL in docs/package-format.md: maps, progs, data sections and the LICENSE doc.
#include "doc_merge.h"
#include "ecc/skelgen.h"

namespace ecc {

static Json map_json(const TypeTable& types, const MapInfo& m) {
  Json j = Json::object();
  j["name"] = m.name;
  j["ident"] = m.ident;
  if (m.mmaped) j["mmaped"] = true;
  j["type"] = m.type;
  j["key_size"] = m.key_size;
  j["value_size"] = m.value_size;
  j["max_entries"] = m.max_entries;
  if (m.key_type) j["key_type"] = types.spell(*m.key_type);
  if (m.value_type) j["value_type"] = types.spell(*m.value_type);
  detail::merge_doc(j, m.doc);
  return j;
}

static Json prog_json(const ProgInfo& p) {
  Json j = Json::object();
  j["name"] = p.name;
  j["attach"] = p.attach;
  j["link"] = p.link;
  j["type"] = p.type;
  if (!p.attach_type.empty()) j["attach_type"] = p.attach_type;
  detail::merge_doc(j, p.doc);
  return j;
}

static Json section_json(const TypeTable& types, const DataSection& s) {
  Json vars = Json::array();
  for (const Variable& v : s.variables) {
    Json j = Json::object();
    j["name"] = v.name;
    j["type"] = types.spell(v.type);  // spell() drops const/volatile
    j["offset"] = v.offset;
    j["size"] = v.size;
    detail::merge_doc(j, v.doc);
    vars.push_back(std::move(j));
  }
  Json j = Json::object();
  j["name"] = s.name;
  j["variables"] = std::move(vars);
  return j;
}

Json skeleton_json(const Skeleton& skel) {
  // Arrays are created up front so that an object without maps still says
  // `"maps": []`, never null: loaders iterate these without checking.
  Json maps = Json::array(), progs = Json::array(), sections = Json::array();
  for (const MapInfo& m : skel.maps) maps.push_back(map_json(skel.types, m));
  for (const ProgInfo& p : skel.progs) progs.push_back(prog_json(p));
  for (const DataSection& s : skel.data_sections) sections.push_back(section_json(skel.types, s));

  Json j = Json::object();
  j["obj_name"] = skel.obj_name;
  j["maps"] = std::move(maps);
  j["progs"] = std::move(progs);
  j["data_sections"] = std::move(sections);
  if (skel.doc.is_object() && !skel.doc.empty()) j["doc"] = skel.doc;
  return j;
}

}  // namespace ecc
