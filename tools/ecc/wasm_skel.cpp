#include "wasm_skel.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "ecc/error.h"
#include "ecc/process.h"
#include "ecc/files.h"
#include "ecc/guest_model.h"
#include "ecc/skelgen.h"
#include "ecc/wasmgen.h"
#include "outputs.h"
#include "package.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {

std::string read_template(const fs::path& dir, const std::string& rel) {
  return read_text_file(dir / rel, "template", Exit::tool_failed);
}

bool has_templates(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / wasmgen::kSkelTemplate, ec);
}

// A user-editable file: written when absent or with --force, else kept.
bool may_write(const Options& o, const fs::path& p) {
  std::error_code ec;
  if (!fs::exists(p, ec) || o.force) return true;
  std::cerr << "ecc: note: keeping the existing " << p.filename().string()
            << " (use --force to overwrite it) (" << p.string() << ")\n";
  return false;
}

}  // namespace

fs::path find_templates_dir() {
  if (const char* env = std::getenv("ECC_TEMPLATES_DIR"); env && *env) {
    if (!has_templates(env))
      throw Error(Exit::tool_failed, std::string("ECC_TEMPLATES_DIR has no ") + wasmgen::kSkelTemplate, env);
    return env;
  }
  std::error_code ec;
  fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  std::vector<fs::path> candidates = {exe_dir / ".." / "share" / "ecc" / "templates", exe_dir / ".." / ".." / "templates"};
  for (const auto& c : candidates)
    if (has_templates(c)) return c.lexically_normal();
  throw Error(Exit::tool_failed,
              "cannot find ecc's templates (looked in " + candidates[0].lexically_normal().string() + " and " +
                  candidates[1].lexically_normal().string() + "); set ECC_TEMPLATES_DIR",
              exe_dir.string());
}

std::vector<std::string> default_bpf_inputs(const fs::path& dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (n.size() > 6 && n.compare(n.size() - 6, 6, ".bpf.c") == 0 && e.is_regular_file()) found.push_back(e.path());
  }
  if (ec) throw Error(Exit::bad_input, "cannot list the current directory: " + ec.message(), dir.string());
  if (found.empty()) throw Error(Exit::bad_input, "no *.bpf.c file in the current directory", dir.string());
  if (found.size() > 1) {
    std::sort(found.begin(), found.end());
    std::string names;
    for (const auto& f : found) names += (names.empty() ? "" : ", ") + f.filename().string();
    throw Error(Exit::bad_input, "several *.bpf.c files in the current directory (" + names + "): name one",
                dir.string());
  }
  std::string file = found[0].filename().string();
  fs::path header = dir / (file.substr(0, file.find('.')) + ".h");
  if (!fs::is_regular_file(header, ec))
    throw Error(Exit::bad_input, "no export header " + header.filename().string() + " next to " + file,
                header.string());
  return {found[0].string(), header.string()};
}

int run_gen_wasm_skel(const Options& opts) {
  reexec_with_huge_page_malloc();  // a compile follows, as in run_package
  Options o = opts;
  if (o.inputs.empty()) o.inputs = default_bpf_inputs(fs::current_path());
  Inputs in = resolve_inputs(o);
  fs::path templates = find_templates_dir();
  OutputSet outputs(in.out_dir);

  WorkDir work;
  Compiled c = compile_and_describe(o, in, work.path());
  std::string package = add_package_outputs(outputs, o, in, c, true);

  wasmgen::GuestInput g{&c.skel, c.object, package, in.name, in.name + ".bpf.o", in.source.filename().string(), {}};
  if (c.btfgen) g.btf_archive = c.btfgen->archive.dump();
  // One model for every emitter.
  const wasmgen::GuestModel model = wasmgen::guest_model(g);
  auto render = [&](const char* rel, const wasmgen::Context& ctx) {
    return wasmgen::render_context(read_template(templates, rel), ctx, (templates / rel).string());
  };
  auto vars = [](wasmgen::Vars v) { return wasmgen::Context{std::move(v), {}}; };
  outputs.add(in.name + ".skel.h", render(wasmgen::kSkelHTemplate, wasmgen::c_skel_context(model, g)));
  outputs.add(in.name + ".wasm.h", render(wasmgen::kWasmHTemplate, vars(wasmgen::c_wasm_types_vars(model, g))));
  outputs.add("ewasm-skel.h", render(wasmgen::kSkelTemplate, vars(wasmgen::c_skel_vars(model, g))));
  if (may_write(o, in.out_dir / "app.c"))
    outputs.add("app.c", render(wasmgen::kAppTemplate, wasmgen::c_app_context(model, g)));

  OutputSet sdk(in.out_dir / wasmgen::kSdkDir);
  std::vector<fs::path> sdk_files;
  for (const auto& e : fs::directory_iterator(templates / wasmgen::kSdkDir))
    if (e.is_regular_file()) sdk_files.push_back(e.path());
  std::sort(sdk_files.begin(), sdk_files.end());
  for (const auto& f : sdk_files)
    sdk.add(f.filename().string(), read_template(templates / wasmgen::kSdkDir, f.filename().string()));

  std::optional<OutputSet> cargo;
  if (o.rust) {
    wasmgen::Context rv = wasmgen::rust_context(model, g);
    outputs.add(in.name + "_skel.rs", render(wasmgen::kRustSkelTemplate, rv));
    if (may_write(o, in.out_dir / "main.rs")) outputs.add("main.rs", render(wasmgen::kRustMainTemplate, rv));
    if (may_write(o, in.out_dir / "Cargo.toml")) outputs.add("Cargo.toml", render(wasmgen::kCargoTemplate, rv));
    cargo.emplace(in.out_dir / ".cargo");
    if (may_write(o, in.out_dir / ".cargo" / "config.toml"))
      cargo->add("config.toml", render(wasmgen::kCargoConfigTemplate, rv));
  }
  if (o.verbose) std::cerr << "# write outputs to " << in.out_dir.string() << " (templates from " << templates.string() << ")\n";
  outputs.commit();
  sdk.commit();
  if (cargo) cargo->commit();
  return 0;
}

}  // namespace ecc
