#include "ecc/guest_model.h"

#include <algorithm>
#include <cctype>

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

// ---- the rules the lead developer moves into lib/model: which export type a
// ---- buffer's records decode as, and a map's @sample interval. Keep them here
// ---- only, so that switching them to the model is one edit.

bool is_exported(const WPlan& plan, int r) {
  return r >= 0 && std::find(plan.exported.begin(), plan.exported.end(), r) != plan.exported.end();
}

// As ecli decodes: the map's value type when it is an export type, else the
// first exported record; -1 when there is none.
int buffer_event_record(const Skeleton& skel, const MapInfo& m, const WPlan& plan) {
  if (m.value_type) {
    int r = plan.find(skel.types.resolve(*m.value_type));
    if (is_exported(plan, r)) return r;
  }
  return plan.exported.empty() ? -1 : plan.exported.front();
}

// `@sample {interval, clear_map}` (SPEC §6): interval 0 or absent is 1000 ms.
// The value is typed only when it is an export type: those get JSON writers.
void sample_rule(const MapInfo& m, const WPlan& plan, const Skeleton& skel, GuestMap& gm) {
  const Json* sample = m.doc.contains("sample") ? &m.doc["sample"] : nullptr;
  if (!sample || !sample->is_object()) return;
  gm.sample_ms = sample->value("interval", 1000u);
  if (gm.sample_ms == 0) gm.sample_ms = 1000;
  gm.sample_clear = sample->value("clear_map", false);
  gm.key_size = m.key_size;
  gm.value_size = m.value_size;
  int r = m.value_type ? plan.find(skel.types.resolve(*m.value_type)) : -1;
  if (is_exported(plan, r)) gm.value_record = r;
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
    if (gm.is_buffer) gm.event_record = buffer_event_record(skel, m, g.plan);
    sample_rule(m, g.plan, skel, gm);
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
      const Json* cmdarg = var.doc.contains("cmdarg") && var.doc["cmdarg"].is_object() ? &var.doc["cmdarg"] : nullptr;
      o.long_name = cmdarg && (*cmdarg).contains("long") ? doc_string(*cmdarg, "long") : var.name;
      std::string s = cmdarg ? doc_string(*cmdarg, "short") : "";
      if (s.size() == 1 && std::isalnum(static_cast<unsigned char>(s[0])) && shorts.find(s[0]) == std::string::npos) {
        o.short_name = s[0];
        shorts += s[0];
      }
      if (std::find(longs.begin(), longs.end(), o.long_name) != longs.end()) continue;
      longs.push_back(o.long_name);
      o.help = cmdarg ? doc_string(*cmdarg, "help") : "";
      if (o.help.empty()) o.help = doc_string(var.doc, "description");
      if (o.help.empty()) o.help = "set " + var.name;
      if (cmdarg && (*cmdarg).contains("default")) o.default_text = doc_string(*cmdarg, "default");
      g.options.push_back(std::move(o));
    }
  }
  return g;
}

}  // namespace ecc::wasmgen
