// What `ecli run` does once it holds the package or the module: shared by
// ecli and the executables `ecc --standalone` writes (tools/standalone).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ecc/loader.h"
#include "ecc/wasmhost_options.h"

namespace ecc::ecli {

// How -h presents a package: its usage line names `command` ("ecli run
// FILE" for ecli, the executable's name for a standalone one), and `more`
// (the runner's own options) follows the program's options.
struct UsageText {
  std::string command;
  std::string more;
};

// A decoded package: the program options parsed, then the usage printed
// (-h) or the object loaded, attached and streamed. Returns the exit code.
int run_decoded_package(const loader::Package& pkg, const std::vector<std::string>& program_args,
                        const loader::RunOptions& run, const UsageText& usage = {});

// A package.json file, read and decoded, then as run_decoded_package.
int run_package_file(const std::string& path, const std::vector<std::string>& program_args,
                     const loader::RunOptions& run);
// The same for the file's bytes already read (`path` names it in errors).
int run_package_bytes(std::span<const uint8_t> bytes, const std::string& path,
                      const std::vector<std::string>& program_args, const loader::RunOptions& run);

// An app.wasm's bytes, run in the Wasm host until it returns, -d, or
// SIGINT/SIGTERM; returns its exit code (proc_exit's, 0 when _start returns
// or the run is stopped).
int run_wasm_module(std::span<const uint8_t> module, const std::string& name, const std::vector<std::string>& args,
                    const loader::RunOptions& run, WasmEngine engine);

}  // namespace ecc::ecli
