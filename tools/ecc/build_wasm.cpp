#include "build_wasm.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>

#include "ecc/error.h"
#include "cache.h"
#include "outputs.h"
#include "process.h"
#include "standalone.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {

bool is_sysroot(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "include" / "wasm32-wasi" / "stdio.h", ec) ||
         fs::is_regular_file(dir / "include" / "stdio.h", ec);
}

// Debian's wasi-libc puts its headers in <sysroot>/include/wasm32-wasi.
std::optional<fs::path> sysroot_from_dpkg() {
  ToolResult r;
  try {
    r = run_tool({find_tool("dpkg", "dpkg"), "-L", "wasi-libc"});
  } catch (const Error&) {
    return std::nullopt;
  }
  if (r.exit_code != 0) return std::nullopt;
  std::istringstream lines(r.out);
  const std::string suffix = "/include/wasm32-wasi";
  for (std::string line; std::getline(lines, line);)
    if (line.size() > suffix.size() && line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0)
      return fs::path(line.substr(0, line.size() - suffix.size()));
  return std::nullopt;
}

}  // namespace

fs::path find_wasi_sysroot(const Options& o) {
  if (!o.wasi_sysroot.empty()) {
    if (!is_sysroot(o.wasi_sysroot))
      throw Error(Exit::bad_input, "not a WASI sysroot (no include/wasm32-wasi/stdio.h or include/stdio.h)",
                  o.wasi_sysroot);
    return o.wasi_sysroot;
  }
  if (auto s = sysroot_from_dpkg(); s && is_sysroot(*s)) return *s;
  for (const char* d : {"/usr/share/wasi-sysroot", "/opt/wasi-sdk/share/wasi-sysroot"})
    if (is_sysroot(d)) return d;
  throw Error(Exit::tool_failed, "no WASI sysroot: install Debian's wasi-libc or pass --wasi-sysroot DIR",
              "wasi-libc");
}

std::vector<std::string> build_wasm_command(const Options& o, const std::string& clang, const fs::path& sysroot,
                                            const std::vector<fs::path>& inputs, const fs::path& output) {
  fs::path dir = inputs.front().parent_path();
  std::vector<std::string> argv = {clang, "--target=wasm32-wasi", "--sysroot=" + sysroot.string(), "-O2",
                                   "-I" + dir.string(), "-I" + (dir / "eunomia-include").string()};
  for (const auto& f : colour_flags()) argv.push_back(f);
  argv.insert(argv.end(), o.clang_flags.begin(), o.clang_flags.end());
  // -O2, not -Oz: the app runs interpreted, where every instruction costs;
  // -O2 handled 18% more events per CPU-second on the flood bench for 7% more
  // bytes (sigsnoop: 26,147 vs 24,380, still well under half of 70,076). The wasm_bpf functions carry import_module attributes: they stay
  // imports. The table is exported because the host calls callbacks in it.
  argv.insert(argv.end(), {"-Wl,--export-table", "-Wl,--gc-sections", "-Wl,--strip-all", "-o", output.string()});
  for (const auto& i : inputs) argv.push_back(i.string());
  return argv;
}

int run_build_wasm(const Options& o) {
  std::vector<fs::path> inputs;
  if (o.inputs.empty()) {
    fs::path app = fs::current_path() / "app.c";
    if (!fs::exists(app))
      throw Error(Exit::bad_input, "no app.c in the current directory (run `ecc gen-wasm-skel` first)", app.string());
    inputs.push_back(app);
  }
  for (const auto& i : o.inputs) {
    fs::path p = fs::absolute(i).lexically_normal();
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) throw Error(Exit::bad_input, "app source not found", p.string());
    inputs.push_back(p);
  }
  fs::path out_dir = o.out_dir.empty() ? inputs.front().parent_path() : fs::absolute(o.out_dir).lexically_normal();
  fs::path sysroot = find_wasi_sysroot(o);
  std::string clang = find_tool(o.clang, "--clang");
  fs::path runner = o.standalone ? find_standalone_runner() : fs::path();
  OutputSet outputs(out_dir);

  WorkDir work;
  fs::path built = work.path() / "app.wasm";

  std::vector<std::string> argv = build_wasm_command(o, clang, sysroot, inputs, built);
  if (o.verbose) std::cerr << shell_quote(argv) << "\n";
  run_clang(argv, inputs.front().string(), "build the app");

  std::vector<uint8_t> wasm = read_file(built);
  outputs.add("app.wasm", wasm);
  // --standalone: `app`, the module inside the runner.
  std::vector<uint8_t> executable;
  if (o.standalone) {
    executable = standalone_executable(runner, standalone::PayloadKind::wasm, wasm);
    outputs.add_executable("app", executable);
  }
  outputs.commit();
  std::cout << (out_dir / "app.wasm").string() << ": " << wasm.size() << " bytes\n";
  if (o.standalone) std::cout << (out_dir / "app").string() << ": " << executable.size() << " bytes\n";
  return 0;
}

}  // namespace ecc
