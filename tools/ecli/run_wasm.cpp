#include "run_wasm.h"

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
  char magic[4] = {};
  return in.read(magic, 4) && magic[0] == '\0' && magic[1] == 'a' && magic[2] == 's' && magic[3] == 'm';
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
