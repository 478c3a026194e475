// ewasm-skel.h: the embedded object, the data-section views and the
// libbpf-style skeleton functions over the wasm_bpf host ABI (SPEC §8).
#include <algorithm>
#include <cctype>

#include "c_emit.h"
#include "ecc/error.h"
#include "ecc/wasmgen.h"
#include "guest_model.h"

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

std::string quoted(const std::string& s) { return c_string_literal(s, 1000); }

}  // namespace

std::string c_export_types(const Skeleton& skel) { return emit_types(plan_export_types(skel)); }

Vars c_skel_vars(const GuestInput& in) {
  GuestModel g = guest_model(in);
  const std::string& obj = g.obj;
  Vars v;
  v["obj"] = obj;
  v["source"] = in.source_file;
  v["object_file"] = in.object_file;
  v["guard"] = "EWASM_SKEL_" + sanitize_ident(obj) + "_H";
  for (char& c : v["guard"]) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  v["export_types"] = emit_types(g.plan);
  v["object_size"] = std::to_string(in.elf.size());
  v["object_bytes"] = c_byte_list(in.elf);
  v["program_data"] = c_string_literal(in.package_json);

  std::string views, view_members, open_body, load_body, push_body, functions;
  for (const SectionView& sv : g.views) {
    std::string type = sv.rec.c_name();
    views += "/* " + sv.section + (sv.in_image ? ": set before __load(); the fields live in the object image */\n"
                                               : ": a local copy, written to the map by __load() and __" +
                                                     sv.ident + "_push() */\n");
    views += c::definition(g.plan, sv.rec) + c::asserts(g.plan, sv.rec, type);
    if (sv.in_image)
      views += "_Static_assert(" + std::to_string(sv.file_offset) + " % _Alignof(" + type +
               ") == 0, \"" + sv.section + " is misaligned in the object image\");\n";
    views += "\n";
    view_members += "\t" + type + " *" + sv.ident + ";\n";
    if (sv.in_image) {
      open_body += "\tskel." + sv.ident + " = (" + type + " *)(" + obj + "__object + " +
                   std::to_string(sv.file_offset) + ");\n";
    } else {
      open_body += "\tstatic " + type + " " + sv.ident + "_copy;\n\tskel." + sv.ident + " = &" + sv.ident + "_copy;\n";
      push_body += "\tfd = " + obj + "__" + sv.ident + "_push(skel);\n\tif (fd < 0)\n\t\treturn fd;\n";
      for (const char* dir : {"push", "pull"}) {
        bool push = std::string(dir) == "push";
        functions += "/* " + std::string(push ? "Writes the local copy of " : "Reads ") + sv.section +
                     (push ? " to the kernel" : " from the kernel into the local copy") + ". */\n";
        functions += "static inline int " + obj + "__" + sv.ident + "_" + dir + "(struct " + obj +
                     " *skel)\n{\n\tuint32_t key = 0;\n\n\treturn wasm_bpf_map_operate(skel->maps." + sv.ident +
                     ", " + (push ? "EWASM_MAP_UPDATE" : "EWASM_MAP_LOOKUP") + ", &key, skel->" + sv.ident +
                     ", NULL, 0);\n}\n\n";
      }
    }
  }
  std::string map_members;
  for (const GuestMap& m : g.maps) {
    map_members += "\t\tint " + m.ident + "; /* " + m.lookup_name + (m.type.empty() ? "" : ", " + m.type) + " */\n";
    load_body += "\tfd = wasm_bpf_map_fd_by_name(skel->handle, " + quoted(m.lookup_name) + ");\n";
    if (m.required) load_body += "\tif (fd < 0)\n\t\treturn fd;\n";
    load_body += "\tskel->maps." + m.ident + " = fd;\n";
  }
  load_body += push_body;  // after the map fds: a push needs its map

  std::string attach_body;
  for (const GuestProg& pr : g.progs) {
    functions += "static inline int " + obj + "__attach_" + pr.name + "(struct " + obj +
                 " *skel, const char *target)\n{\n\treturn wasm_attach_bpf_program(skel->handle, " + quoted(pr.name) +
                 ", target ? target : \"\");\n}\n\n";
    if (pr.auto_attach)
      attach_body += "\tif (!err)\n\t\terr = " + obj + "__attach_" + pr.name + "(skel, NULL);\n";
    else
      attach_body += "\t/* " + pr.name + " (SEC(\"" + pr.attach + "\")) needs a target: call " + obj + "__attach_" +
                     pr.name + "(skel, target) */\n";
  }
  v["section_views"] = views;
  v["view_members"] = view_members;
  v["map_members"] = map_members;
  v["open_body"] = open_body;
  v["load_body"] = load_body;
  v["functions"] = functions;
  v["attach_body"] = attach_body;
  v["poll_buf_size"] = std::to_string(g.poll_buf_size);
  return v;
}

}  // namespace ecc::wasmgen
