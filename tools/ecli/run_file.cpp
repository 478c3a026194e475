#include "run_file.h"

#include <iostream>

#include "ecc/runtime.h"
#include "ecc/step_times.h"
#include "ecc/wasmhost.h"

namespace ecc::ecli {

// Everything is checked before the kernel sees anything.
int run_decoded_package(const loader::Package& pkg, const std::vector<std::string>& program_args,
                        const loader::RunOptions& run, const UsageText& usage) {
  auto opts = loader::program_options(pkg);
  bool help = false;
  auto settings = loader::parse_program_args(opts, program_args, help);
  runtime::step_done("program options");
  if (help) {
    std::string s = loader::program_usage(pkg, opts);
    if (!usage.command.empty()) s = "Usage: " + usage.command + " [options]" + s.substr(s.find('\n'));
    std::cout << s << usage.more;
    return 0;
  }
  return loader::run_package(pkg, settings, run);
}

int run_package_file(const std::string& path, const std::vector<std::string>& program_args,
                     const loader::RunOptions& run) {
  return run_decoded_package(loader::read_package(path), program_args, run);
}

int run_package_bytes(std::span<const uint8_t> bytes, const std::string& path,
                      const std::vector<std::string>& program_args, const loader::RunOptions& run) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return run_decoded_package(loader::decode_package(text, path), program_args, run);
}

int run_wasm_module(std::span<const uint8_t> module, const std::string& name, const std::vector<std::string>& args,
                    const loader::RunOptions& run, WasmEngine engine) {
  runtime::catch_stop_signals();
  WasmRunOptions opts;
  opts.duration = run.duration;
  opts.stop = runtime::stop_flag();
  opts.btf_path = run.btf_path;
  opts.engine = engine;
  opts.verbose = run.verbose;
  opts.load_check = run.load_check;
  return run_wasm_app(module, name, args, opts);
}

}  // namespace ecc::ecli
