// What compile_wasm_app (ecc/wasmhost.h) did; C++17-clean like
// wasmhost_options.h.
#pragma once

#include <string>

namespace ecc {

struct WasmCompileResult {
  std::string shared_object;  // the cache entry
  bool compiled = false;      // false: it was in the cache already
};

}  // namespace ecc
