// A gadget image's parts -> the model of its object, as a package's meta
// would give it (docs/gadget.md): markers and gadget.yaml become the same
// doc annotations (@cmdarg, @sample) and event types a package has.
#include <algorithm>

#include "ecc/annotations.h"
#include "ecc/btf.h"
#include "ecc/error.h"
#include "ecc/gadget.h"
#include "ecc/open_guard.h"

namespace ecc::gadget {

namespace {

constexpr const char* kTracer = "gadget_tracer_";
constexpr const char* kParam = "gadget_param_";
constexpr const char* kMapIter = "gadget_mapiter_";
constexpr const char* kSnapshotter = "gadget_snapshotter_";

struct Context {
  const Parts& parts;
  const Metadata& meta;
  loader::Package& pkg;
  std::vector<std::pair<std::string, TypeId>> tracer_maps;  // map -> struct
};

[[noreturn]] void bad(const Context& c, const std::string& what) { throw Error(Exit::bad_input, what, c.parts.where); }

// "a___b___c" -> {a, b, c}.
std::vector<std::string> split_marker(const std::string& rest) {
  std::vector<std::string> parts;
  size_t pos = 0;
  for (size_t next; (next = rest.find("___", pos)) != std::string::npos; pos = next + 3) parts.push_back(rest.substr(pos, next - pos));
  parts.push_back(rest.substr(pos));
  return parts;
}

MapInfo* find_map(loader::Package& pkg, const std::string& name) {
  for (MapInfo& m : pkg.object.maps)
    if (m.name == name) return &m;
  return nullptr;
}

Variable* find_variable(loader::Package& pkg, const std::string& name) {
  for (DataSection& ds : pkg.object.data_sections)
    for (Variable& v : ds.variables)
      if (v.name == name) return &v;
  return nullptr;
}

// `who` ("marker gadget_tracer_...", "gadget.yaml: structs.x") names the struct.
TypeId find_struct(const Context& c, const std::string& name, const std::string& who) {
  const TypeTable& tt = c.pkg.object.types;
  for (TypeKind k : {TypeKind::Struct, TypeKind::Union})
    if (auto id = tt.find(k, name); id && tt.at(*id).btf_id) return *id;
  bad(c, who + " names struct '" + name + "', which the object's BTF lacks");
}

// The fields of data source or struct `source` as columns of `structure`.
void add_columns(Context& c, const std::string& source, const std::string& structure) {
  auto it = c.meta.fields.find(source);
  if (it == c.meta.fields.end()) return;
  for (const auto& [field, f] : it->second)
    c.pkg.columns[structure + "." + field] = {f.hidden, f.width, f.align_right};
}

void read_tracer(Context& c, const std::string& marker) {
  auto parts = split_marker(marker.substr(std::string(kTracer).size()));
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty())
    bad(c, "marker " + marker + " is not gadget_tracer_<name>___<map>___<struct>");
  MapInfo* map = find_map(c.pkg, parts[1]);
  if (!map) bad(c, "marker " + marker + " names map '" + parts[1] + "', which the object lacks");
  if (map->type != "BPF_MAP_TYPE_RINGBUF" && map->type != "BPF_MAP_TYPE_PERF_EVENT_ARRAY")
    bad(c, "marker " + marker + " names map '" + parts[1] + "', which is no ring buffer or perf event array");
  TypeId id = find_struct(c, parts[2], "marker " + marker);
  auto& exports = c.pkg.object.export_types;
  if (std::find(exports.begin(), exports.end(), id) == exports.end()) exports.push_back(id);
  c.tracer_maps.emplace_back(parts[1], id);
  add_columns(c, parts[2], parts[2]);  // the older form: structs.<struct>
  add_columns(c, parts[0], parts[2]);  // the current form: datasources.<tracer>
}

void read_param(Context& c, const std::string& marker) {
  std::string var = marker.substr(std::string(kParam).size());
  Variable* v = find_variable(c.pkg, var);
  if (!v) bad(c, "marker " + marker + " names variable '" + var + "', which the object lacks");
  v->option = true;
  Json cmdarg = Json::object();
  auto p = c.meta.params.find(var);
  cmdarg["long"] = p != c.meta.params.end() && !p->second.key.empty() ? p->second.key : var;
  if (p != c.meta.params.end() && !p->second.description.empty()) cmdarg["help"] = p->second.description;
  if (p != c.meta.params.end() && !p->second.default_value.empty()) cmdarg["default"] = p->second.default_value;
  v->doc["cmdarg"] = cmdarg;
}

void read_mapiter(Context& c, const std::string& marker) {
  auto parts = split_marker(marker.substr(std::string(kMapIter).size()));
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty())
    bad(c, "marker " + marker + " is not gadget_mapiter_<name>___<map>");
  MapInfo* map = find_map(c.pkg, parts[1]);
  if (!map) bad(c, "marker " + marker + " names map '" + parts[1] + "', which the object lacks");
  auto iv = c.meta.intervals.find(parts[0]);
  map->doc["sample"] = {{"type", "top"}, {"interval", iv != c.meta.intervals.end() ? iv->second : 1000}, {"clear_map", true}};
  const TypeTable& tt = c.pkg.object.types;
  for (const auto& t : {map->key_type, map->value_type})
    if (t) add_columns(c, parts[0], tt.at(tt.resolve(*t)).name);
}

// gadget_snapshotter_<name>___<struct>___<prog>[___<prog>...]: iterator
// programs run once (not attached with the others).
void read_snapshotter(Context& c, const std::string& marker) {
  auto parts = split_marker(marker.substr(std::string(kSnapshotter).size()));
  if (parts.size() < 3 || std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); }))
    bad(c, "marker " + marker + " is not gadget_snapshotter_<name>___<struct>___<program>...");
  loader::Package::Snapshot snap{parts[0], find_struct(c, parts[1], "marker " + marker), {}};
  for (size_t i = 2; i < parts.size(); i++) {
    auto prog = std::find_if(c.pkg.object.progs.begin(), c.pkg.object.progs.end(),
                             [&](const ProgInfo& p) { return p.name == parts[i]; });
    if (prog == c.pkg.object.progs.end())
      bad(c, "marker " + marker + " names program '" + parts[i] + "', which the object lacks");
    if (prog->type != "BPF_PROG_TYPE_TRACING" || prog->attach.rfind("iter", 0) != 0)
      bad(c, "marker " + marker + " names program '" + parts[i] + "', which is no iterator (SEC(\"iter/...\"))");
    prog->link = false;
    snap.programs.push_back(parts[i]);
  }
  add_columns(c, parts[0], parts[1]);
  c.pkg.snapshots.push_back(std::move(snap));
}

// Every marker in the object's data sections, in order.
void read_markers(Context& c) {
  std::vector<std::string> names;
  for (DataSection& ds : c.pkg.object.data_sections)
    for (Variable& v : ds.variables) {
      v.option = false;  // only params are options
      names.push_back(v.name);
    }
  for (const std::string& n : names) {
    if (n.starts_with(kTracer)) read_tracer(c, n);
    else if (n.starts_with(kParam)) read_param(c, n);
    else if (n.starts_with(kMapIter)) read_mapiter(c, n);
    else if (n.starts_with(kSnapshotter)) read_snapshotter(c, n);
  }
  if (c.tracer_maps.empty() && c.pkg.snapshots.empty() && std::none_of(c.pkg.object.maps.begin(), c.pkg.object.maps.end(),
                                            [](const MapInfo& m) { return m.doc.contains("sample"); }))
    bad(c, "the object has no gadget_tracer_, gadget_mapiter_ or gadget_snapshotter_ marker: nothing to show");
}

// The older form's tracers and structs must name what the object has.
void check_metadata(const Context& c) {
  for (const auto& [name, t] : c.meta.tracers) {
    std::string at = "gadget.yaml: tracers." + name;
    if (!t.map.empty() && !find_map(c.pkg, t.map)) bad(c, at + ".mapName names map '" + t.map + "', which the object lacks");
    if (!t.structure.empty()) find_struct(c, t.structure, at + ".structName");
  }
  for (const std::string& name : c.meta.structs) find_struct(c, name, "gadget.yaml: structs." + name);
}

void check_elf(const Parts& parts) {
  static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
  if (parts.ebpf.size() < 4 || !std::equal(magic, magic + 4, parts.ebpf.begin()))
    throw Error(Exit::bad_input, "the gadget's ebpf layer is not an ELF file", parts.where);
  check_libbpf_survives_open(parts.ebpf.data(), parts.ebpf.size(), parts.where);
}

}  // namespace

loader::Package read_gadget(const Parts& parts) {
  Metadata meta = parse_metadata(parts.metadata, parts.where);
  check_elf(parts);
  loader::Package pkg;
  pkg.path = parts.where;
  pkg.kind = "gadget";
  pkg.flatten_tables = true;
  pkg.elf = parts.ebpf;
  pkg.object = read_object(pkg.elf, "gadget", parts.where);
  pkg.name = meta.name;
  for (char& ch : pkg.name)
    if (ch == ' ' || ch == '-') ch = '_';
  if (!meta.description.empty() || !meta.name.empty())
    pkg.object.doc["brief"] = meta.name.empty() ? meta.description : meta.name + ": " + meta.description;
  Context c{parts, meta, pkg, {}};
  read_markers(c);
  check_metadata(c);
  read_annotations(pkg.object, parts.where);
  // The markers say which maps carry which events (not the package rule).
  for (MapInfo& m : pkg.object.maps) {
    m.event_type.reset();
    for (const auto& [map, id] : c.tracer_maps)
      if (m.name == map) m.event_type = id;
  }
  if (!parts.btfgen.empty()) pkg.btf_archive = btfgen_archive_json(parts.btfgen, parts.where + " (btfgen layer)");
  return pkg;
}

}  // namespace ecc::gadget
