// <name>.skel.h, <name>.wasm.h and ewasm-skel.h: the embedded object, the
// data-section views and the bpftool-shaped skeleton over libbpf-wasm.h.
// The C text is in templates/skel.h.in; this fills its variables and lists.
#include <algorithm>
#include <cctype>

#include "c_emit.h"
#include "ecc/error.h"
#include "ecc/package_format.h"
#include "ecc/wasmgen.h"
#include "ecc/guest_model.h"

namespace ecc::wasmgen {

namespace {

std::string emit_types(const WPlan& plan) {
  std::string out;
  for (TypeId e : plan.enums) out += c::enum_definition(*plan.types, e) + "\n";
  for (const WRecord& r : plan.records) {
    if (r.inline_anonymous) continue;
    std::string name = r.c_name();
    out += c::definition(plan, r) + c::asserts(plan, r, name) + c::accessors(plan, r, name) +
           c::json_printer(plan, r, name) + "\n";
  }
  return out;
}

std::string guard(const std::string& s) {
  std::string g;
  for (char c : sanitize_ident(s)) g += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return g;
}

// The map types libbpf-wasm.h's enum bpf_map_type names; others are UNSPEC.
std::string map_type_constant(const std::string& type) {
  static const char* known[] = {
      "HASH", "ARRAY", "PROG_ARRAY", "PERF_EVENT_ARRAY", "PERCPU_HASH", "PERCPU_ARRAY", "STACK_TRACE",
      "CGROUP_ARRAY", "LRU_HASH", "LRU_PERCPU_HASH", "LPM_TRIE", "ARRAY_OF_MAPS", "HASH_OF_MAPS", "DEVMAP",
      "SOCKMAP", "CPUMAP", "XSKMAP", "SOCKHASH", "CGROUP_STORAGE", "REUSEPORT_SOCKARRAY", "PERCPU_CGROUP_STORAGE",
      "QUEUE", "STACK", "SK_STORAGE", "DEVMAP_HASH", "STRUCT_OPS", "RINGBUF", "INODE_STORAGE", "TASK_STORAGE",
      "BLOOM_FILTER", "USER_RINGBUF", "CGRP_STORAGE"};
  for (const char* k : known)
    if (type == std::string("BPF_MAP_TYPE_") + k) return type;
  return "BPF_MAP_TYPE_UNSPEC";
}

bool uses_records(const WType& t) {
  if (t.kind == WKind::Array) return uses_records(*t.elem);
  return t.kind == WKind::Record;
}

}  // namespace

std::string c_export_types(const Skeleton& skel) { return emit_types(plan_export_types(skel)); }

Vars c_wasm_types_vars(const GuestModel& g, const GuestInput& in) {
  return {{"name", in.name},
          {"source", in.source_file},
          {"guard", "__" + guard(in.name) + "_WASM_H__"},
          {"export_types", emit_types(g.plan)}};
}

namespace {

// `text` as lines of a top-level asm statement that put it, verbatim, in
// the custom section kBtfArchiveSection of the linked app.wasm: clang 14
// and wasm-ld keep ".custom_section.*" sections of assembly (not of C data).
std::string asm_ascii_lines(const std::string& text) {
  std::string out;
  for (size_t at = 0; at < text.size(); at += 96) {
    std::string asm_text;  // what the assembler reads: an .ascii string
    for (char c : text.substr(at, 96)) asm_text += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    out += "\t\".ascii \\\"" + c_string_literal(asm_text, 100000).substr(1);
    out.insert(out.size() - 1, "\\\"\\n");
    out += "\n";
  }
  return out;
}

// The lists "views" (a struct per data section) and "needs_types" (one
// item when a view's field is a record: the header includes the types).
void add_views(const GuestModel& g, Context& c) {
  bool needs_types = false;
  for (const SectionView& sv : g.views) {
    std::string type = sv.rec.c_name();
    std::string def = c::definition(g.plan, sv.rec) + c::asserts(g.plan, sv.rec, type);
    if (sv.in_image)
      def += "_Static_assert(" + std::to_string(sv.file_offset) + " % _Alignof(" + type + ") == 0, \"" + sv.section +
             " is misaligned in the object image\");\n";
    for (const WField& f : sv.rec.fields) needs_types = needs_types || uses_records(f.type);
    c.lists["views"].push_back({{{"section", sv.section},
                                 {"ident", sv.ident},
                                 {"type", type},
                                 {"definition", def},
                                 {"what", sv.in_image ? "set before __load(); the fields live in the object image"
                                                      : "a local copy, written to the map by __load() and __" +
                                                            sv.ident + "_push()"}},
                                {}});
  }
  c.lists["needs_types"] = needs_types ? std::vector<Context>{Context{}} : std::vector<Context>{};
}

// The lists "maps" (each with its data-section view, if any) and
// "local_views" (the views that are copies, pushed to their map).
void add_maps(const GuestModel& g, Context& c) {
  for (const GuestMap& m : g.maps) {
    Context mc;
    mc.vars = {{"ident", m.ident},
               {"lookup_name", m.lookup_name},
               {"type_note", m.type.empty() ? "" : ", " + m.type},
               {"required", m.required ? "true" : "false"},
               {"map_type", map_type_constant(m.type)}};
    auto sv = std::find_if(g.views.begin(), g.views.end(), [&](const SectionView& s) { return s.section == m.lookup_name; });
    if (sv != g.views.end()) {
      mc.lists["view"].push_back(
          {{{"view_ident", sv->ident}, {"image_offset", sv->in_image ? std::to_string(sv->file_offset) : "-1"}}, {}});
      if (!sv->in_image) c.lists["local_views"].push_back({{{"section", sv->section}, {"ident", sv->ident}, {"map_ident", m.ident}}, {}});
    } else {
      mc.lists["view"] = {};
    }
    c.lists["maps"].push_back(std::move(mc));
  }
  c.lists.try_emplace("local_views");
}

}  // namespace

Context c_skel_context(const GuestModel& g, const GuestInput& in) {
  Context c;
  Vars& v = c.vars;
  v["obj"] = g.obj;
  v["name"] = in.name;
  v["source"] = in.source_file;
  v["guard"] = "__" + guard(g.obj) + "_SKEL_H__";
  v["object_size"] = std::to_string(in.elf.size());
  v["object_bytes"] = c_byte_list(in.elf);
  v["record_max"] = std::to_string(g.poll_buf_size);
  v["map_cnt"] = std::to_string(g.maps.size());
  v["prog_cnt"] = std::to_string(g.progs.size());
  if (!in.btf_archive.empty())
    c.lists["btf_archive"].push_back({{{"section", kBtfArchiveSection}, {"asm_lines", asm_ascii_lines(in.btf_archive)}}, {}});
  c.lists.try_emplace("btf_archive");
  add_views(g, c);
  add_maps(g, c);
  for (const GuestProg& p : g.progs)
    c.lists["progs"].push_back({{{"prog", p.name},
                                 {"sec", p.attach},
                                 {"sec_literal", c_string_literal(p.attach, 1000)},
                                 {"autoattach", p.auto_attach ? "true" : "false"}},
                                {}});
  c.lists.try_emplace("progs");
  c.lists.try_emplace("maps");
  c.lists.try_emplace("views");
  return c;
}

Vars c_skel_vars(const GuestModel& g, const GuestInput& in) {
  return {{"name", in.name},
          {"obj", g.obj},
          {"source", in.source_file},
          {"guard", "EWASM_SKEL_" + guard(g.obj) + "_H"},
          {"program_data", c_string_literal(in.package_json)}};
}

}  // namespace ecc::wasmgen
