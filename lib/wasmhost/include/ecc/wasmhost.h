// The Wasm host of SPEC §8: runs an app.wasm (WASI command, `_start`) in
// wabt's interpreter with the `wasm_bpf` host module (libbpf underneath)
// and a WASI preview1 subset.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ecc/wasmhost_options.h"

namespace ecc {

// Runs the module: argv[0] = `name`, then `args`. Returns the exit code:
// proc_exit's code, 0 when `_start` returns, 0 when stopped by `duration`
// or `stop`. Throws ecc::Error (naming `name`) for a file that is not a valid
// wasm module, an unknown or mistyped import, a missing `_start`/`memory`,
// and for a trap (also one inside an event callback), with the trap message.
int run_wasm_app(std::span<const uint8_t> module, const std::string& name, const std::vector<std::string>& args,
                 const WasmRunOptions& opts = {});

}  // namespace ecc
