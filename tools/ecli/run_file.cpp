#include "run_file.h"

#include <csignal>
#include <iostream>

#include "ecc/wasmhost.h"

namespace ecc::ecli {

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

}  // namespace

// Everything is checked before the kernel sees anything.
int run_decoded_package(const loader::Package& pkg, const std::vector<std::string>& program_args,
                        const loader::RunOptions& run, const UsageText& usage) {
  auto opts = loader::program_options(pkg);
  bool help = false;
  auto settings = loader::parse_program_args(opts, program_args, help);
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

int run_wasm_module(std::span<const uint8_t> module, const std::string& name, const std::vector<std::string>& args,
                    const loader::RunOptions& run, WasmEngine engine) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  WasmRunOptions opts;
  opts.duration = run.duration;
  opts.stop = &g_stop;
  opts.btf_path = run.btf_path;
  opts.engine = engine;
  opts.verbose = run.verbose;
  return run_wasm_app(module, name, args, opts);
}

}  // namespace ecc::ecli
