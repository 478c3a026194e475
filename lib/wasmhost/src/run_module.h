// The C++17 entry into the interpreter side (see ecc/wasmhost_options.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecc/wasmhost_options.h"
#include "ecc/wasmhost_compile.h"

namespace ecc::wasmhost {

int run_module(const uint8_t* data, size_t size, const std::string& name, const std::vector<std::string>& args,
               const WasmRunOptions& opts);
WasmCompileResult compile_module(const uint8_t* data, size_t size, const std::string& name, const WasmRunOptions& opts);

}  // namespace ecc::wasmhost
