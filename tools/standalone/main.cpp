// The runner of `ecc --standalone` (docs/ecc-standalone.md): an executable that carries a
// package.json or an app.wasm after its own ELF image (payload.h) and runs
// it with ecli's code (ecli_run): the program's options are its options,
// plus ecli run's -j, -q, -d, --btf, --engine, --metrics, --otlp, -v and -h; a spelling both have
// is the program's (runner_options() in tools/ecli/options.cpp).
#include <filesystem>
#include <iostream>
#include <optional>

#include "ecc/btf_file.h"
#include "ecc/error.h"
#include "ecc/tool_name.h"
#include "ecc/files.h"
#include "metrics_run.h"
#include "options.h"
#include "payload.h"
#include "run_file.h"

namespace {

using namespace ecc;

int run(const std::string& name, const std::vector<std::string>& args) {
  // This executable's own bytes, through /proc/self/exe: it works for a
  // copy moved anywhere, and for one whose directory is gone.
  std::vector<uint8_t> self = read_file("/proc/self/exe", "this executable", Exit::tool_failed);
  std::string label = std::filesystem::read_symlink("/proc/self/exe").string();
  standalone::Embedded payload = standalone::read_embedded(self, label);
  self = {};
  if (payload.kind == standalone::PayloadKind::wasm) {
    ecli::StandaloneArgs a = ecli::parse_standalone_args(args, true, {});
    if (!a.ecli.run.btf_path.empty()) check_btf_file(a.ecli.run.btf_path);
    std::optional<ecli::MetricsRun> metrics;
    if (!a.help) metrics.emplace(a.ecli, name, name);
    int code = ecli::run_wasm_module(payload.bytes, name, a.program_args, a.ecli.run, a.ecli.engine);
    if (a.help) std::cout << ecli::standalone_usage_text(true, {});
    return code;
  }
  loader::Package pkg = loader::decode_package(std::string(payload.bytes.begin(), payload.bytes.end()), name);
  payload.bytes = {};
  auto opts = loader::program_options(pkg);
  ecli::StandaloneArgs a = ecli::parse_standalone_args(args, false, opts);
  if (!a.ecli.run.btf_path.empty() && !a.help) check_btf_file(a.ecli.run.btf_path);
  std::optional<ecli::MetricsRun> metrics;
  if (!a.help) metrics.emplace(a.ecli, name, name);
  return ecli::run_decoded_package(pkg, a.program_args, a.ecli.run, {name, ecli::standalone_usage_text(false, opts)});
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "ecc-standalone";
  return run_tool(name, [&] { return run(name, std::vector<std::string>(argv + 1, argv + argc)); });
}
