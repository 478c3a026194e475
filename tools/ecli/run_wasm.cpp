#include "run_wasm.h"

#include <algorithm>
#include <fstream>
#include <iostream>

#include "ecc/error.h"
#include "ecc/tool_name.h"
#include "ecc/files.h"
#include "ecc/wasmhost.h"
#include "run_file.h"

namespace ecc::ecli {

bool is_wasm_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint8_t magic[4] = {};
  return in.read(reinterpret_cast<char*>(magic), 4) && is_wasm_module(magic);
}

bool is_wasm_module(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kMagic[4] = {'\0', 'a', 's', 'm'};
  return bytes.size() >= 4 && std::equal(kMagic, kMagic + 4, bytes.begin());
}

int run_wasm(const std::string& path, const std::vector<std::string>& args, const loader::RunOptions& run,
             WasmEngine engine) {
  return run_wasm_module(read_file(path), path, args, run, engine);
}

int compile_wasm(const std::string& path, bool verbose) {
  if (!is_wasm_file(path)) throw Error(Exit::bad_input, "not a wasm module (no \\0asm header)", path);
  WasmCompileResult r = compile_wasm_app(read_file(path), path);
  if (verbose || r.compiled)
    std::cerr << tool_name() << ": " << (r.compiled ? "compiled " : "already compiled: ") << r.shared_object << "\n";
  return 0;
}

}  // namespace ecc::ecli
