#include "gadget.h"

#include <algorithm>
#include <iostream>

#include "cache.h"
#include "btfgen.h"
#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/program_options.h"
#include "ecc/tar.h"
#include "ecc/wasmgen.h"
#include "link.h"
#include "outputs.h"
#include "process.h"
#include "wasm_skel.h"

namespace ecc {

namespace {

using wasmgen::Context;

// A YAML scalar that reads back as exactly `s`.
std::string yaml_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\n') out += ' ';
    else out += c == '\'' ? std::string("''") : std::string(1, c);
  }
  return out + "'";
}

std::string oci_arch(const std::string& ecc_arch) {
  if (ecc_arch == "x86") return "amd64";
  if (ecc_arch == "arm64") return "arm64";
  throw Error(Exit::usage, "--gadget builds for x86 (amd64) and arm64, not --target-arch " + ecc_arch);
}

std::string json_text(const Json& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(); }

// Tracers (with their struct's fields) and params, as both templates use them.
Context gadget_context(const Inputs& in, const Skeleton& skel) {
  Context ctx;
  ctx.vars["name"] = in.name;
  ctx.vars["description"] = yaml_quote(skel.doc.contains("brief") ? json_text(skel.doc["brief"]) : in.name);
  const TypeTable& tt = skel.types;
  for (const MapInfo& m : skel.maps) {
    if (!m.event_type) continue;
    TypeId rec = tt.resolve(*m.event_type);
    const Type& t = tt.at(rec);
    if (t.kind != TypeKind::Struct || t.name.empty()) continue;  // IG's tracers carry named structs
    Context tracer{{{"tracer", m.name}, {"map", m.name}, {"struct", t.name}}, {}};
    for (const PlacedMember& p : tt.flat_members(rec))
      tracer.lists["fields"].push_back({{{"field", p.member->name},
                                         {"description", yaml_quote(tt.spell(p.member->type) + " " + p.member->name)}},
                                        {}});
    ctx.lists["tracers"].push_back(std::move(tracer));
  }
  auto every = [](const DataSection&, const Variable&) { return true; };
  for (const VariableOption& v : variable_options(skel, every))
    ctx.lists["params"].push_back({{{"var", v.var->name}, {"key", v.long_name},
                                    {"default", yaml_quote(json_text(v.default_value))},
                                    {"description", yaml_quote(v.help)}},
                                   {}});
  return ctx;
}

std::string render_template(const std::string& file, const Context& ctx) {
  std::filesystem::path path = find_templates_dir() / file;
  return wasmgen::render_context(read_text_file(path, "the template"), ctx, path.string());
}

// The program's object linked with a compiled markers.bpf.c.
std::vector<uint8_t> link_markers(const Options& o, const Compiled& c, const Context& ctx, const std::filesystem::path& dir) {
  write_file_atomic(dir / "program.o", std::span<const uint8_t>(c.object));
  write_file_atomic(dir / "markers.bpf.c", render_template("gadget/markers.bpf.c.in", ctx));
  Toolchain tc = probe_toolchain(o.clang, o.verbose);
  std::vector<std::string> argv = {tc.clang, "-g", "-O2", "-target", "bpf", "-c", (dir / "markers.bpf.c").string(),
                                   "-o", (dir / "markers.o").string()};
  if (o.verbose) std::cerr << shell_quote(argv) << "\n";
  ToolResult r = run_tool(argv);
  if (r.exit_code != 0) throw Error(Exit::tool_failed, "clang failed on the gadget markers: " + r.err, (dir / "markers.bpf.c").string());
  link_bpf_objects({(dir / "program.o").string(), (dir / "markers.o").string()}, (dir / "gadget.o").string());
  return read_file(dir / "gadget.o");
}

// The btfgen layer: the minimal BTFs of --btfgen as btfhub-archive's tree.
std::vector<uint8_t> btfgen_tar(const BtfgenResult& b) {
  std::vector<TarEntry> entries;
  for (const Json& k : b.archive["kernels"]) {
    std::string path = json_text(k["distro"]) + "/" + json_text(k["version"]) + "/" + json_text(k["arch"]) + "/" +
                       json_text(k["release"]) + ".btf";
    entries.push_back({path, zlib_inflate(base64_decode(k["btf"].get<std::string>()), k["btf_size"].get<size_t>()), false});
  }
  return write_tar(entries);
}

}  // namespace

oci::GadgetBuild gadget_build(const Options& o, const Inputs& in, const Compiled& c, const std::string& arch,
                              const std::filesystem::path& work_dir) {
  std::filesystem::path dir = work_dir / ("gadget-" + arch);
  std::filesystem::create_directories(dir);
  Context ctx = gadget_context(in, c.skel);
  if (ctx.lists["tracers"].empty())
    throw Error(Exit::bad_input, "--gadget: no ring buffer or perf event array carries a named export struct; "
                                 "Inspektor Gadget shows tracers only", in.source.string());
  oci::GadgetBuild b;
  b.architecture = oci_arch(arch);
  b.ebpf = link_markers(o, c, ctx, dir);
  b.metadata = render_template("gadget/gadget.yaml.in", ctx);
  // The markers add no CO-RE relocation: the program's minimal BTFs serve.
  if (c.btfgen) b.btfgen = btfgen_tar(*c.btfgen);
  b.annotations = {{"org.opencontainers.image.title", in.name},
                   {"org.opencontainers.image.description",
                    c.skel.doc.contains("brief") ? json_text(c.skel.doc["brief"]) : in.name}};
  return b;
}

std::vector<oci::GadgetBuild> gadget_builds(const Options& o, const Inputs& in, const Compiled& first,
                                            const std::filesystem::path& work_dir) {
  // ecc's names of every --target-arch (the host's without one); `first`
  // was compiled for target_arch(o), the last one given.
  std::vector<std::string> archs;
  for (const std::string& a : o.target_archs.empty() ? std::vector<std::string>{""} : o.target_archs) {
    Options oa = o;
    oa.target_arch = a;
    std::string arch = target_arch(oa);
    if (std::find(archs.begin(), archs.end(), arch) != archs.end())
      throw Error(Exit::usage, "--target-arch " + arch + " is given twice: one manifest per architecture");
    archs.push_back(arch);
  }
  std::vector<oci::GadgetBuild> out;
  for (size_t i = 0; i < archs.size(); i++) {
    std::filesystem::path dir = work_dir / ("arch-" + archs[i]);
    std::filesystem::create_directories(dir);
    if (archs[i] == target_arch(o)) {
      out.push_back(gadget_build(o, in, first, archs[i], dir));
      continue;
    }
    Options oa = o;
    oa.target_arch = archs[i];
    out.push_back(gadget_build(oa, in, compile_and_describe(oa, in, dir), archs[i], dir));
  }
  return out;
}

}  // namespace ecc
