// `ecli run APP.wasm [args]`: the app runs in the Wasm host (docs/wasm-host-abi.md).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ecc/loader.h"
#include "ecc/wasmhost_options.h"

namespace ecc::ecli {

// True when the file (the bytes) starts with the Wasm magic "\0asm".
bool is_wasm_file(const std::string& path);
bool is_wasm_module(std::span<const uint8_t> bytes);

// Runs the module to completion, or until -d / SIGINT / SIGTERM; returns its
// exit code (proc_exit's, 0 when _start returns or the run is stopped).
int run_wasm(const std::string& path, const std::vector<std::string>& args, const loader::RunOptions& run,
             WasmEngine engine);

// `ecli compile APP.wasm`: fills the AOT cache; says on stderr which entry,
// and whether it was compiled now or found.
int compile_wasm(const std::string& path, bool verbose);

}  // namespace ecc::ecli
