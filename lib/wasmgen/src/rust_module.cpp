// The Rust module: #[repr(C)] types with the BPF layout, proven at compile
// time, the embedded object and a skeleton over the safe host wrappers.
//
// Rust 1.63 has no offset_of! and cannot subtract pointers in a const, so the
// offsets are proven another way: every gap is an explicit field, and a
// const assertion that the field sizes add up to size_of::<T>() shows the
// compiler inserted no padding of its own; then each field's offset is the
// sum of the sizes before it, which is asserted against the BPF offset.
#include <set>

#include "ecc/wasmgen.h"
#include "ecc/guest_model.h"

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

std::string record_def(const WPlan& plan, const WRecord& r) {
  std::string name = sanitize_ident(r.rust_name);
  std::string repr = "#[repr(C";
  if (r.packed) repr += ", packed";
  else if (r.natural_align < r.align) repr += ", align(" + std::to_string(r.align) + ")";
  repr += ")]";
  std::string out = repr + "\n#[derive(Clone, Copy)]\npub " + (r.is_union ? "union " : "struct ") + name + " {\n";
  std::vector<std::pair<std::string, std::string>> fields;  // rust name, type
  std::vector<uint32_t> offsets;
  int anon = 0;
  std::string accessors;
  for (const WField& f : r.fields) {
    std::string fname = f.name.empty() ? "__anon" + std::to_string(anon++) : field_name(f.name);
    std::string ty = f.role == WField::Role::Member ? rust_type(plan, f.type) : "[u8; " + std::to_string(f.size) + "]";
    fields.push_back({fname, ty});
    offsets.push_back(f.offset);
    for (const WBit& b : f.bits) {
      bool sgn = b.type.is_signed;
      accessors += "    /// Bitfield `" + b.name + "` (" + std::to_string(b.bit_size) + " bits).\n    pub fn " +
                   field_name(b.name) + "(&self) -> " + (sgn ? "i64" : "u64") + " {\n        " +
                   (sgn ? "bits_signed(" : "bits_get(") +
                   (r.is_union ? "unsafe { &self." + fname + " }" : "&self." + fname) + ", " +
                   std::to_string(b.bit_offset) + ", " + std::to_string(b.bit_size) + ")\n    }\n";
    }
  }
  for (const auto& [fname, ty] : fields) out += "    pub " + fname + ": " + ty + ",\n";
  out += "}\n";
  if (!accessors.empty()) out += "impl " + name + " {\n" + accessors + "}\n";
  out += "const _: () = assert!(size_of::<" + name + ">() == " + std::to_string(r.size) + ", \"" + name +
         ": size differs from the BPF side\");\n";
  if (!r.packed)
    out += "const _: () = assert!(align_of::<" + name + ">() == " + std::to_string(r.align) + ", \"" + name +
           ": alignment differs from the BPF side\");\n";
  if (r.is_union) {
    for (const auto& [fname, ty] : fields)
      out += "const _: () = assert!(size_of::<" + ty + ">() <= " + std::to_string(r.size) + ");\n";
    return out;
  }
  std::string sum = "0";
  for (size_t i = 0; i < fields.size(); ++i) {
    out += "const _: () = assert!(" + sum + " == " + std::to_string(offsets[i]) + ", \"" + name + "." +
           fields[i].first + ": offset differs from the BPF side\");\n";
    sum += " + size_of::<" + fields[i].second + ">()";
  }
  out += "const _: () = assert!(" + sum + " == size_of::<" + name + ">(), \"" + name +
         ": implicit padding (the offsets above would not hold)\");\n";
  return out;
}

std::string enum_defs(const TypeTable& types, TypeId id) {
  const Type& t = types.at(id);
  std::string ty = (t.is_signed ? "i" : "u") + std::to_string(t.size * 8);
  std::string name = t.name.empty() ? "anon_enum_" + std::to_string(id) : t.name;
  std::string out = "pub type " + name + " = " + ty + ";\n";
  for (const EnumValue& v : t.values) {
    std::string lit;
    if (t.is_signed) lit = std::to_string(v.value) + "i64 as " + ty;
    else lit = std::to_string(static_cast<uint64_t>(v.value)) + "u64 as " + ty;
    out += "pub const " + v.name + ": " + name + " = " + lit + ";\n";
  }
  return out;
}

}  // namespace

Context rust_context(const GuestModel& g, const GuestInput& in) {
  Context c;
  Vars& v = c.vars;
  v["name"] = in.name;
  v["crate_name"] = sanitize_ident(in.name);
  v["source"] = in.source_file;
  v["object_file"] = in.object_file;
  v["obj"] = g.obj;

  std::string types;
  for (TypeId e : g.plan.enums) types += enum_defs(*g.plan.types, e) + "\n";
  for (const WRecord& r : g.plan.records) types += record_def(g.plan, r) + "\n";
  for (const SectionView& sv : g.views) types += "/// " + sv.section + " at its BTF offsets.\n" + record_def(g.plan, sv.rec) + "\n";
  v["types"] = types;

  std::string maps, map_loads, views, pushes, progs, attach;
  for (const GuestMap& m : g.maps) {
    maps += "    /// " + m.lookup_name + (m.type.empty() ? "" : " (" + m.type + ")") + "\n    pub " + field_name(m.ident) + ": i32,\n";
    map_loads += "        self.maps." + field_name(m.ident) + " = match host::map_fd_by_name(handle, " +
                 c_string_literal(m.lookup_name) + ") {\n            Ok(fd) => fd,\n            Err(e) => " +
                 (m.required ? "return Err(e)" : "e") + ",\n        };\n";
  }
  std::string bss_fields, bss_init;
  for (const SectionView& sv : g.views) {
    std::string ty = sanitize_ident(sv.rec.rust_name);
    std::string id = field_name(sv.ident);
    if (sv.in_image) {
      views += "    /// " + sv.section + ": set before load(); the fields live in the object image.\n    pub fn " + id +
               "(&mut self) -> &mut " + ty + " {\n        const OFFSET: usize = " + std::to_string(sv.file_offset) +
               ";\n        const _: () = assert!(OFFSET % align_of::<" + ty + ">() == 0);\n" +
               "        assert!(OFFSET + size_of::<" + ty + ">() <= OBJECT.len());\n" +
               "        // The image is u64-aligned and the section within it aligned for the view.\n"
               "        unsafe { &mut *((self.image.as_mut_ptr() as *mut u8).add(OFFSET) as *mut " + ty + ") }\n    }\n";
    } else {
      bss_fields += "    " + id + ": " + ty + ",\n";
      bss_init += "            " + id + ": unsafe { core::mem::zeroed() },\n";
      views += "    /// " + sv.section + ": a local copy, written to the kernel by load() and " + sv.ident +
               "_push().\n    pub fn " + id + "(&mut self) -> &mut " + ty + " {\n        &mut self." + id +
               "\n    }\n    pub fn " + sv.ident + "_push(&self) -> Result<(), i32> {\n        host::map_update(self.maps." +
               id + ", &0u32.to_ne_bytes(), as_bytes(&self." + id + "), 0)\n    }\n    pub fn " + sv.ident +
               "_pull(&mut self) -> Result<(), i32> {\n        let fd = self.maps." + id +
               ";\n        host::map_lookup(fd, &0u32.to_ne_bytes(), as_bytes_mut(&mut self." + id + "))\n    }\n";
      pushes += "        self." + sv.ident + "_push()?;\n";
    }
  }
  for (const GuestProg& p : g.progs) {
    progs += "    /// Attaches " + p.name + " (SEC(\"" + p.attach + "\")); an empty target attaches by section.\n    pub fn attach_" +
             p.name + "(&self, target: &str) -> Result<(), i32> {\n        host::attach_program(self.handle, " +
             c_string_literal(p.name) + ", target)\n    }\n";
    if (p.auto_attach) attach += "        self.attach_" + p.name + "(\"\")?;\n";
    else attach += "        // " + p.name + " needs a target: call attach_" + p.name + "(target).\n";
  }
  v["maps"] = maps;
  v["map_loads"] = map_loads;
  v["views"] = views;
  v["pushes"] = pushes;
  v["prog_functions"] = progs;
  v["attach_body"] = attach;
  v["local_sections"] = bss_fields;
  v["local_sections_init"] = bss_init;
  v["poll_buf_size"] = std::to_string(g.poll_buf_size);

  // main.rs: poll every buffer map; print the size and the first fields.
  std::string polls;
  for (const GuestMap& m : g.maps) {
    if (!m.is_buffer) continue;
    std::string handler = "|data: &[u8]| {\n                println!(\"" + m.ident + ": {} bytes\", data.len());\n                0\n            }";
    if (m.event_record >= 0) {
      std::string ty = sanitize_ident(g.plan.records[m.event_record].rust_name);
      handler = "|data: &[u8]| {\n                if let Some(e) = skel::from_bytes::<skel::" + ty +
                ">(data) {\n                    println!(\"{}\", skel::hex(skel::as_bytes(&e)));\n" +
                "                }\n                0\n            }";
    }
    polls += "        let fd = s.maps." + field_name(m.ident) + ";\n        if let Err(e) = s.poll(fd, 100, " + handler +
             ") {\n            eprintln!(\"{}: polling failed: {}\", NAME, e);\n            break;\n        }\n";
  }
  if (polls.empty()) polls = "        std::thread::sleep(std::time::Duration::from_secs(1));\n";
  v["poll_loop"] = polls;
  return c;
}

}  // namespace ecc::wasmgen
