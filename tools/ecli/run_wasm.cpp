#include "run_wasm.h"

#include <csignal>
#include <fstream>
#include <iostream>
#include <iterator>

#include "ecc/error.h"
#include "ecc/wasmhost.h"

namespace ecc::ecli {

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

}  // namespace

bool is_wasm_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && magic[0] == '\0' && magic[1] == 'a' && magic[2] == 's' && magic[3] == 'm';
}

namespace {

std::vector<uint8_t> read_module(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Exit::bad_input, "cannot read", path);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

int run_wasm(const std::string& path, const std::vector<std::string>& args, const loader::RunOptions& run,
             WasmEngine engine) {
  std::vector<uint8_t> module = read_module(path);
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
  return run_wasm_app(module, path, args, opts);
}

int compile_wasm(const std::string& path, bool verbose) {
  if (!is_wasm_file(path)) throw Error(Exit::bad_input, "not a wasm module (no \\0asm header)", path);
  WasmCompileResult r = compile_wasm_app(read_module(path), path);
  if (verbose || r.compiled)
    std::cerr << "ecli: " << (r.compiled ? "compiled " : "already compiled: ") << r.shared_object << "\n";
  return 0;
}

}  // namespace ecc::ecli
