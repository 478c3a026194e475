// ecli: run a package built by ecc, and move it through registries. A thin
// main: parse, fetch, decode, run.
#include <iostream>

#include "ecc/btf_file.h"
#include "ecc/error.h"
#include "ecc/loader.h"
#include "distribute.h"
#include "options.h"
#include "run_file.h"
#include "run_wasm.h"

int main(int argc, char** argv) {
  using namespace ecc;
  try {
    ecli::Options o = ecli::parse_options(std::vector<std::string>(argv + 1, argv + argc));
    switch (o.command) {
      case ecli::Command::help:
        std::cout << ecli::usage_text();
        return 0;
      case ecli::Command::version:
        std::cout << "ecli " << ECC_VERSION << "\n";
        return 0;
      case ecli::Command::pull:
        return ecli::pull_command(o);
      case ecli::Command::push:
        return ecli::push_command(o);
      case ecli::Command::compile:
        return ecli::compile_wasm(o.file, o.registry.verbose);
      case ecli::Command::run:
        break;
    }
    // A bad --btf is the user's file, named before anything is fetched or loaded.
    if (!o.run.btf_path.empty()) check_btf_file(o.run.btf_path);
    // A URL or a reference runs from the cache exactly as a local file.
    const std::string file = ecli::resolve_run_file(o);
    // An app.wasm carries its own object and options (SPEC §8).
    if (ecli::is_wasm_file(file)) return ecli::run_wasm(file, o.program_args, o.run, o.engine);
    return ecli::run_package_file(file, o.program_args, o.run);
  } catch (const Error& e) {
    std::cerr << "ecli: error: " << e.line() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "ecli: error: internal: " << e.what() << "\n";
    return static_cast<int>(Exit::tool_failed);
  }
}
