#include "run_wasm.h"

#include <fstream>
#include <iostream>
#include <iterator>

#include "ecc/error.h"
#include "ecc/wasmhost.h"
#include "run_file.h"

namespace ecc::ecli {

bool is_wasm_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && magic[0] == '\0' && magic[1] == 'a' && magic[2] == 's' && magic[3] == 'm';
}

namespace {

std::vector<uint8_t> read_module(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Exit::bad_input, "cannot read", path);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

int run_wasm(const std::string& path, const std::vector<std::string>& args, const loader::RunOptions& run,
             WasmEngine engine) {
  return run_wasm_module(read_module(path), path, args, run, engine);
}

int compile_wasm(const std::string& path, bool verbose) {
  if (!is_wasm_file(path)) throw Error(Exit::bad_input, "not a wasm module (no \\0asm header)", path);
  WasmCompileResult r = compile_wasm_app(read_module(path), path);
  if (verbose || r.compiled)
    std::cerr << "ecli: " << (r.compiled ? "compiled " : "already compiled: ") << r.shared_object << "\n";
  return 0;
}

}  // namespace ecc::ecli
