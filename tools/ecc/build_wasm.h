// `ecc build-wasm` (docs/ecc.md): the guest app -> app.wasm with clang for
// wasm32-wasi, the wasm_bpf imports left to the host.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "options.h"

namespace ecc {

// --wasi-sysroot, else the directory `dpkg -L wasi-libc` installs
// include/wasm32-wasi under. Throws Error(tool_failed) when there is none.
std::filesystem::path find_wasi_sysroot(const Options& o);

// The clang command that builds `inputs` into `output`.
std::vector<std::string> build_wasm_command(const Options& o, const std::string& clang,
                                            const std::filesystem::path& sysroot,
                                            const std::vector<std::filesystem::path>& inputs,
                                            const std::filesystem::path& output);

int run_build_wasm(const Options& o);

}  // namespace ecc
