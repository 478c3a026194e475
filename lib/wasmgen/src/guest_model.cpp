#include "ecc/guest_model.h"

#include <algorithm>
#include <cctype>

#include "ecc/annotations.h"
#include "ecc/elf_file.h"
#include "ecc/error.h"
#include "ecc/program_options.h"

namespace ecc::wasmgen {

namespace {

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// Sections libbpf cannot attach without a target (an interface, a cgroup, a
// perf event, ...): bpf_program__attach() fails on them, so __attach skips them.
bool auto_attachable(const std::string& sec) {
  static const char* manual[] = {"socket",     "xdp",         "tc",       "classifier",   "action",
                                 "sk_skb",     "sk_msg",      "sk_reuseport", "sockops",  "flow_dissector",
                                 "cgroup",     "perf_event",  "sk_lookup",    "lwt_",     "lirc_mode2",
                                 "syscall",    "struct_ops",  "netfilter",    "iter"};
  for (const char* m : manual)
    if (starts_with(sec, m)) return false;
  return true;
}

std::string doc_string(const Json& doc, const char* key) {
  if (!doc.is_object() || !doc.contains(key)) return "";
  const Json& v = doc[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

bool scalar_option(const WType& t) {
  return t.kind == WKind::Int || t.kind == WKind::Bool || t.kind == WKind::Char || t.kind == WKind::Enum ||
         t.kind == WKind::Float;
}

bool is_exported(const WPlan& plan, int r) {
  return r >= 0 && std::find(plan.exported.begin(), plan.exported.end(), r) != plan.exported.end();
}

// The plan record of a model type that is an export type; -1 otherwise.
int exported_record(const Skeleton& skel, const WPlan& plan, std::optional<TypeId> id) {
  int r = id ? plan.find(skel.types.resolve(*id)) : -1;
  return is_exported(plan, r) ? r : -1;
}

// What the model says of a map (docs/annotations.md, the rules ecli applies too): the
// export type its records are events of, and its typed @sample.
void map_rules(const Skeleton& skel, const MapInfo& m, const WPlan& plan, GuestMap& gm) {
  if (gm.is_buffer) gm.event_record = exported_record(skel, plan, m.event_type);
  if (!m.sample) return;
  gm.sample_ms = m.sample->interval_ms;
  gm.sample_clear = m.sample->clear_map;
  gm.key_size = m.key_size;
  gm.value_size = m.value_size;
  // The value is typed only when it is an export type: those get JSON writers.
  gm.value_record = exported_record(skel, plan, m.value_type);
}

// The view of every data section with variables, except .kconfig.
void section_views(const GuestInput& in, GuestModel& g) {
  const Skeleton& skel = *in.skel;
  std::vector<ElfSection> sections = read_elf(in.elf, in.object_file).sections;
  for (const DataSection& ds : skel.data_sections) {
    if (ds.variables.empty() || ds.name == ".kconfig") continue;
    SectionView sv;
    sv.section = ds.name;
    sv.ident = sanitize_ident(ds.map_ident.empty() ? ds.name.substr(1) : ds.map_ident);
    sv.ds = &ds;
    auto es = std::find_if(sections.begin(), sections.end(), [&](const ElfSection& s) { return s.name == ds.name; });
    if (es == sections.end())
      throw Error(Exit::bad_input, "data section '" + ds.name + "' is not in the object", in.object_file);
    sv.in_image = es->has_bytes;
    sv.file_offset = es->offset;
    if (sv.in_image && es->size < ds.size)
      throw Error(Exit::bad_input, "data section '" + ds.name + "' is shorter in the object than in its BTF",
                  in.object_file);
    sv.rec = plan_section_view(skel.types, ds, g.obj + "__" + sv.ident, g.plan);
    g.views.push_back(std::move(sv));
  }
}

void guest_maps(const Skeleton& skel, GuestModel& g) {
  for (const MapInfo& m : skel.maps) {
    GuestMap gm;
    gm.ident = sanitize_ident(m.ident.empty() ? m.name : m.ident);
    bool internal = !m.section.empty() && m.section != ".maps" && m.section[0] == '.';
    gm.lookup_name = internal ? m.section : m.name;
    gm.required = !internal;
    gm.type = m.type;
    gm.is_buffer = m.type == "BPF_MAP_TYPE_RINGBUF" || m.type == "BPF_MAP_TYPE_PERF_EVENT_ARRAY";
    map_rules(skel, m, g.plan, gm);
    g.maps.push_back(std::move(gm));
  }
  // Internal maps a view pushes to are needed after all.
  for (const SectionView& sv : g.views)
    for (GuestMap& gm : g.maps)
      if (gm.lookup_name == sv.section && !sv.in_image) gm.required = true;
}

// A variable's type as the guest has it.
WType option_type(const Skeleton& skel, const Variable& var) {
  WPlan scratch;
  return plan_type(skel.types, var.type, scratch);
}

bool is_char_array(const WType& t) { return t.kind == WKind::Array && t.elem->kind == WKind::Char; }

// The program options (ecc/program_options.h's rule) of the variables app.c
// can parse: scalars and char arrays.
void guest_options(const Skeleton& skel, GuestModel& g) {
  auto settable = [&](const DataSection&, const Variable& v) {
    WType t = option_type(skel, v);
    return scalar_option(t) || is_char_array(t);
  };
  for (const VariableOption& vo : variable_options(skel, settable)) {
    GuestOption o;
    o.view = std::find_if(g.views.begin(), g.views.end(), [&](const SectionView& sv) { return sv.ds == vo.section; })->ident;
    o.var = vo.var->name;
    o.type = option_type(skel, *vo.var);
    o.is_string = is_char_array(o.type);
    o.is_switch = o.type.kind == WKind::Bool;
    o.long_name = vo.long_name;
    o.short_name = vo.short_name;
    o.help = vo.help;
    if (!vo.default_value.is_null())
      o.default_text = vo.default_value.is_string() ? vo.default_value.get<std::string>() : vo.default_value.dump();
    g.options.push_back(std::move(o));
  }
}

}  // namespace

GuestModel guest_model(const GuestInput& in) {
  const Skeleton& skel = *in.skel;
  GuestModel g;
  g.obj = sanitize_ident(skel.obj_name);
  g.plan = plan_export_types(skel);
  section_views(in, g);
  guest_maps(skel, g);
  for (const ProgInfo& p : skel.progs) g.progs.push_back({p.name, p.attach, auto_attachable(p.attach)});
  for (int r : g.plan.exported)
    g.poll_buf_size = std::max<uint32_t>(g.poll_buf_size, (g.plan.records[r].size + 64 + 7) / 8 * 8);
  g.brief = doc_string(skel.doc, "brief");
  if (g.brief.empty()) g.brief = doc_string(skel.doc, "description");
  g.details = doc_string(skel.doc, "details");
  guest_options(skel, g);
  return g;
}

}  // namespace ecc::wasmgen
