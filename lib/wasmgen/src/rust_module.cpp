// The Rust module: #[repr(C)] types with the BPF layout, proven at compile
// time, the embedded object and a skeleton over the safe host wrappers. The
// Rust text is in templates/rust/; this fills their variables and lists.
//
// Rust 1.63 has no offset_of! and cannot subtract pointers in a const, so the
// offsets are proven another way: every gap is an explicit field, and a
// const assertion that the field sizes add up to size_of::<T>() shows the
// compiler inserted no padding of its own; then each field's offset is the
// sum of the sizes before it, which is asserted against the BPF offset.
#include <map>
#include <set>

#include "ecc/error.h"
#include "ecc/guest_model.h"
#include "ecc/wasmgen.h"

#include "wasm_bpf_abi.h"

namespace ecc::wasmgen {

namespace {


std::string field_name(const std::string& name) {
  static const std::set<std::string> raw_ok = {
      "as",    "break", "const", "continue", "else",   "enum",   "extern",  "false", "fn",      "for",
      "if",    "impl",  "in",    "let",      "loop",   "match",  "mod",     "move",  "mut",     "pub",
      "ref",   "return", "static", "struct", "trait",  "true",   "type",    "unsafe", "use",    "where",
      "while", "async", "await", "dyn",      "abstract", "become", "box",   "do",    "final",   "macro",
      "override", "priv", "typeof", "unsized", "virtual", "yield", "try"};
  if (name == "self" || name == "super" || name == "crate" || name == "Self") return name + "_";
  if (raw_ok.count(name)) return "r#" + name;
  return name;
}

std::string rust_scalar(const WType& t) {
  std::string bits = std::to_string(t.size * 8);
  switch (t.kind) {
    case WKind::Int:
    case WKind::Enum:
      return (t.is_signed ? "i" : "u") + bits;
    case WKind::Pointer:
      return "u64";
    case WKind::Bool:
    case WKind::Char:
      return "u" + bits;  // a kernel byte need not be a valid Rust bool
    case WKind::Float:
      return "f" + bits;
    default:
      return "[u8; " + std::to_string(t.size) + "]";
  }
}

std::string rust_type(const WPlan& plan, const WType& t) {
  if (t.kind == WKind::Array) return "[" + rust_type(plan, *t.elem) + "; " + std::to_string(t.count) + "]";
  if (t.kind == WKind::Record) return sanitize_ident(plan.records.at(t.record).rust_name);
  return rust_scalar(t);
}

// One record for the `records` section of skel.rs.in.
Context record_context(const WPlan& plan, const WRecord& r, const std::string& doc) {
  Context c;
  std::string name = sanitize_ident(r.rust_name);
  std::string repr = "C";
  if (r.packed) repr += ", packed";
  else if (r.natural_align < r.align) repr += ", align(" + std::to_string(r.align) + ")";
  c.vars = {{"rname", name},
            {"doc", doc},
            {"repr", repr},
            {"kind", r.is_union ? "union" : "struct"},
            {"size", std::to_string(r.size)},
            {"align", std::to_string(r.align)}};
  int anon = 0;
  std::string sum = "0";
  auto& fields = c.lists["fields"];
  auto& accessors = c.lists["accessors"];
  auto& offsets = c.lists["offsets"];
  for (const WField& f : r.fields) {
    std::string fname = f.name.empty() ? "__anon" + std::to_string(anon++) : field_name(f.name);
    std::string ty = f.role == WField::Role::Member ? rust_type(plan, f.type) : "[u8; " + std::to_string(f.size) + "]";
    fields.push_back({{{"fname", fname}, {"ty", ty}}, {}});
    offsets.push_back({{{"fname", fname}, {"sum", sum}, {"offset", std::to_string(f.offset)}}, {}});
    sum += " + size_of::<" + ty + ">()";
    for (const WBit& b : f.bits) {
      bool sgn = b.type.is_signed;
      accessors.push_back({{{"bit_name", b.name},
                            {"fn_name", field_name(b.name)},
                            {"ret", sgn ? "i64" : "u64"},
                            {"getter", sgn ? "bits_signed" : "bits_get"},
                            {"base", r.is_union ? "unsafe { &self." + fname + " }" : "&self." + fname},
                            {"bit_offset", std::to_string(b.bit_offset)},
                            {"bit_size", std::to_string(b.bit_size)}},
                           {}});
    }
  }
  c.lists["has_accessors"] = when(!accessors.empty());
  c.lists["aligned"] = when(!r.packed);
  c.lists["union_fields"] = r.is_union ? fields : std::vector<Context>{};
  if (r.is_union) offsets.clear();
  c.lists["struct_total"] = r.is_union ? std::vector<Context>{} : std::vector<Context>{Context{{{"sum", sum}}, {}}};
  return c;
}

Context enum_context(const TypeTable& types, TypeId id) {
  const Type& t = types.at(id);
  std::string ty = (t.is_signed ? "i" : "u") + std::to_string(t.size * 8);
  Context c;
  c.vars = {{"ename", t.name.empty() ? "anon_enum_" + std::to_string(id) : t.name}, {"ty", ty}};
  for (const EnumValue& v : t.values)
    c.lists["values"].push_back(
        {{{"vname", v.name},
          {"lit", t.is_signed ? std::to_string(v.value) + "i64 as " + ty
                              : std::to_string(static_cast<uint64_t>(v.value)) + "u64 as " + ty}},
         {}});
  c.lists.try_emplace("values");
  return c;
}

}  // namespace

namespace {

// The host ABI's one declaration (docs/wasm-host-abi.md), the list the guest's C header
// and the host are built from: here it becomes the Rust extern block.
struct AbiImport {
  const char* name;
  const char* c_result;
  const char* c_params;  // "(uint64_t handle, const char *name)"
};
#define ECC_ABI_ROW(name, wasm_result, wasm_params, c_result, c_params) {#name, #c_result, #c_params},
constexpr AbiImport kAbiImports[] = {EWASM_ABI_IMPORTS(ECC_ABI_ROW)};
#undef ECC_ABI_ROW

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

// The Rust type of a C type of the ABI list (wasm32: pointers are u8 pointers).
std::string rust_abi_type(const std::string& c) {
  static const std::map<std::string, std::string> types = {
      {"uint64_t", "u64"},       {"int", "i32"},          {"ewasm_sample_fn", "i32"},
      {"const void *", "*const u8"}, {"const char *", "*const u8"}, {"void *", "*mut u8"}};
  auto it = types.find(c);
  if (it == types.end()) throw Error(Exit::tool_failed, "internal: no Rust type for the host ABI's C type '" + c + "'");
  return it->second;
}

// "(uint64_t handle, const char *name)" -> "handle: u64, name: *const u8".
std::string rust_abi_params(std::string c) {
  c = c.substr(1, c.size() - 2);
  std::string out;
  size_t start = 0;
  while (start <= c.size()) {
    size_t comma = c.find(',', start);
    std::string p = trim(c.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    size_t name_at = p.find_last_of(" *") + 1;
    if (!out.empty()) out += ", ";
    out += p.substr(name_at) + ": " + rust_abi_type(trim(p.substr(0, name_at)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

void add_host_abi(Context& c) {
  c.vars["abi_module"] = EWASM_ABI_MODULE;
  for (const AbiImport& i : kAbiImports)
    c.lists["host_imports"].push_back(
        {{{"name", i.name}, {"params", rust_abi_params(i.c_params)}, {"result", rust_abi_type(i.c_result)}}, {}});
  for (auto [name, value] : {std::pair{"MAP_LOOKUP", EWASM_MAP_LOOKUP}, {"MAP_UPDATE", EWASM_MAP_UPDATE},
                             {"MAP_DELETE", EWASM_MAP_DELETE}, {"MAP_NEXT_KEY", EWASM_MAP_NEXT_KEY}})
    c.lists["map_commands"].push_back({{{"name", name}, {"value", std::to_string(value)}}, {}});
}

}  // namespace

Context rust_context(const GuestModel& g, const GuestInput& in) {
  Context c;
  c.vars = {{"name", in.name},
            {"crate_name", sanitize_ident(in.name)},
            {"source", in.source_file},
            {"object_file", in.object_file},
            {"obj", g.obj},
            {"record_max", std::to_string(g.poll_buf_size)}};
  add_host_abi(c);
  for (TypeId e : g.plan.enums) c.lists["enums"].push_back(enum_context(*g.plan.types, e));
  for (const WRecord& r : g.plan.records) c.lists["records"].push_back(record_context(g.plan, r, ""));
  for (const SectionView& sv : g.views)
    c.lists["records"].push_back(record_context(g.plan, sv.rec, "/// " + sv.section + " at its BTF offsets.\n"));

  for (const GuestMap& m : g.maps)
    c.lists["maps"].push_back({{{"field", field_name(m.ident)},
                                {"lookup_name", m.lookup_name},
                                {"lookup_literal", c_string_literal(m.lookup_name)},
                                {"type_note", m.type.empty() ? "" : " (" + m.type + ")"},
                                {"required", m.required ? "true" : "false"}},
                               {}});
  for (const GuestMap& m : g.maps)
    if (m.type == "BPF_MAP_TYPE_PERF_EVENT_ARRAY") c.lists["perf_maps"].push_back({{{"field", field_name(m.ident)}}, {}});
  for (const SectionView& sv : g.views) {
    Context v{{{"ident", field_name(sv.ident)},
               {"plain_ident", sv.ident},
               {"section", sv.section},
               {"rtype", sanitize_ident(sv.rec.rust_name)},
               {"offset", std::to_string(sv.file_offset)}},
              {}};
    c.lists[sv.in_image ? "image_views" : "local_views"].push_back(std::move(v));
  }
  for (const GuestProg& p : g.progs)
    c.lists["progs"].push_back({{{"prog", field_name(p.name)},
                                 {"prog_literal", c_string_literal(p.name)},
                                 {"sec", p.attach},
                                 {"sec_literal", c_string_literal(p.attach)},
                                 {"autoattach", p.auto_attach ? "true" : "false"}},
                                {}});
  // main.rs: poll every buffer map; print the size or the event's bytes.
  for (const GuestMap& m : g.maps) {
    if (!m.is_buffer) continue;
    Context b{{{"field", field_name(m.ident)}, {"ident", m.ident}}, {}};
    if (m.event_record >= 0)
      b.lists["typed"] = {Context{{{"rtype", sanitize_ident(g.plan.records[m.event_record].rust_name)}}, {}}};
    else
      b.lists["typed"] = {};
    b.lists["untyped"] = when(m.event_record < 0);
    c.lists["buffers"].push_back(std::move(b));
  }
  for (const char* l : {"enums", "records", "maps", "image_views", "local_views", "progs", "buffers", "perf_maps"})
    c.lists.try_emplace(l);
  c.lists["no_buffers"] = when(c.lists["buffers"].empty());
  c.lists["has_buffers"] = when(!c.lists["buffers"].empty());
  return c;
}

}  // namespace ecc::wasmgen
