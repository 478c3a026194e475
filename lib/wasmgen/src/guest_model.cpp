#include "ecc/guest_model.h"

#include <algorithm>
#include <cctype>

#include "ecc/annotations.h"
#include "ecc/error.h"

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

// What the model says of a map (SPEC §6, the rules ecli applies too): the
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

}  // namespace

GuestModel guest_model(const GuestInput& in) {
  const Skeleton& skel = *in.skel;
  GuestModel g;
  g.obj = sanitize_ident(skel.obj_name);
  g.plan = plan_export_types(skel);
  std::vector<ElfSection> sections = elf_sections(in.elf, in.object_file);

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

  for (const ProgInfo& p : skel.progs) g.progs.push_back({p.name, p.attach, auto_attachable(p.attach)});

  for (int r : g.plan.exported)
    g.poll_buf_size = std::max<uint32_t>(g.poll_buf_size, (g.plan.records[r].size + 64 + 7) / 8 * 8);

  g.brief = doc_string(skel.doc, "brief");
  if (g.brief.empty()) g.brief = doc_string(skel.doc, "description");
  g.details = doc_string(skel.doc, "details");

  std::vector<std::string> longs = {"help"};
  std::string shorts = "h";
  for (const SectionView& sv : g.views) {
    for (const Variable& var : sv.ds->variables) {
      if (is_placeholder_variable(var.name)) continue;
      WPlan scratch;
      WType t = plan_type(skel.types, var.type, scratch);
      bool is_string = t.kind == WKind::Array && t.elem->kind == WKind::Char;
      if (!scalar_option(t) && !is_string) continue;
      GuestOption o;
      o.view = sv.ident;
      o.var = var.name;
      o.type = t;
      o.is_string = is_string;
      o.is_switch = t.kind == WKind::Bool;
      const std::optional<CmdArg>& cmdarg = var.cmdarg;
      o.long_name = cmdarg && !cmdarg->long_name.empty() ? cmdarg->long_name : var.name;
      if (cmdarg && cmdarg->short_name && shorts.find(cmdarg->short_name) == std::string::npos) {
        o.short_name = cmdarg->short_name;
        shorts += cmdarg->short_name;
      }
      if (std::find(longs.begin(), longs.end(), o.long_name) != longs.end()) continue;
      longs.push_back(o.long_name);
      o.help = cmdarg ? cmdarg->help : "";
      if (o.help.empty()) o.help = doc_string(var.doc, "description");
      if (o.help.empty()) o.help = "set " + var.name;
      if (cmdarg && !cmdarg->default_value.is_null())
        o.default_text = cmdarg->default_value.is_string() ? cmdarg->default_value.get<std::string>()
                                                           : cmdarg->default_value.dump();
      g.options.push_back(std::move(o));
    }
  }
  return g;
}

}  // namespace ecc::wasmgen
