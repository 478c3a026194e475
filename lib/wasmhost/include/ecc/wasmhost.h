// The Wasm host in docs/wasm-host-abi.md: runs an app.wasm (WASI command, `_start`) in
// wabt's interpreter with the `wasm_bpf` host module (libbpf underneath)
// and a WASI preview1 subset.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ecc/wasmhost_compile.h"
#include "ecc/wasmhost_options.h"

namespace ecc {

// Runs the module: argv[0] = `name`, then `args`. Returns the exit code:
// proc_exit's code, 0 when `_start` returns, 0 when stopped by `duration`
// or `stop`. Throws ecc::Error (naming `name`) for a file that is not a valid
// wasm module, an unknown or mistyped import, a missing `_start`/`memory`,
// and for a trap (also one inside an event callback), with the trap message.
int run_wasm_app(std::span<const uint8_t> module, const std::string& name, const std::vector<std::string>& args,
                 const WasmRunOptions& opts = {});

// Fills the AOT cache for `module` (docs/wasm-host-abi.md, Engines) without running it:
// the same checks as run_wasm_app before anything is compiled. Throws
// ecc::Error (naming `name`) for an invalid module or import, or
// Exit::tool_failed when wasm2c or the C compiler is missing or fails.
WasmCompileResult compile_wasm_app(std::span<const uint8_t> module, const std::string& name,
                                   const WasmRunOptions& opts = {});

}  // namespace ecc
