#include "ecc/wasmhost.h"
#include "run_module.h"

namespace ecc {

int run_wasm_app(std::span<const uint8_t> module, const std::string& name, const std::vector<std::string>& args,
                 const WasmRunOptions& opts) {
  return wasmhost::run_module(module.data(), module.size(), name, args, opts);
}

WasmCompileResult compile_wasm_app(std::span<const uint8_t> module, const std::string& name, const WasmRunOptions& opts) {
  return wasmhost::compile_module(module.data(), module.size(), name, opts);
}

}  // namespace ecc
