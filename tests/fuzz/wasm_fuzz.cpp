// A Wasm module (app.wasm from outside) in lib/wasmhost's interpreter engine:
// decode, validation, imports, `_start`, the WASI subset and the wasm_bpf host
// ABI against the fake BPF backend of fake_libbpf.cpp. A run is cut after a
// short time; the guest's output is dropped. With ECC_FUZZ_WASM_ENGINE=aot
// the AOT engine runs instead (cache in $ECC_FUZZ_AOT_CACHE): too slow to
// fuzz with (a C compile per module), it replays the corpus (ctest
// fuzz_replay_wasm_aot).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>

#include "ecc/wasmhost.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ecc::WasmRunOptions opts;
  static const char* engine = std::getenv("ECC_FUZZ_WASM_ENGINE");
  static const char* cache = std::getenv("ECC_FUZZ_AOT_CACHE");
  bool aot = engine && std::strcmp(engine, "aot") == 0;
  opts.engine = aot ? ecc::WasmEngine::aot : ecc::WasmEngine::interp;
  if (aot && cache) opts.aot_cache = cache;
  opts.duration = 0.2;
  opts.slice = 20000;
  opts.out = [](std::string_view) {};
  opts.err = [](std::string_view) {};
  ecc::fuzz::expect_only_our_errors(
      [&] { (void)ecc::run_wasm_app(std::span(data, size), "fuzz.wasm", {"-v", "arg"}, opts); });
  return 0;
}
