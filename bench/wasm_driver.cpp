// A minimal runner for bench/wasm_throughput.sh (until `ecli run app.wasm`):
// runs an app.wasm through ecc::run_wasm_app with SIGINT/SIGTERM stopping it.
// usage: wasm_bench_driver APP.wasm [ARGS...]
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "ecc/error.h"
#include "ecc/wasmhost.h"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s APP.wasm [ARGS...]\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "wasm_bench_driver: cannot read %s\n", argv[1]);
    return 1;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  ecc::WasmRunOptions opts;
  opts.stop = &g_stop;
  try {
    return ecc::run_wasm_app(bytes, argv[1], std::vector<std::string>(argv + 2, argv + argc), opts);
  } catch (const ecc::Error& e) {
    std::fprintf(stderr, "wasm_bench_driver: error: %s\n", e.line().c_str());
    return 1;
  }
}
