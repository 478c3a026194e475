// ecc: compile a libbpf-style eBPF program into a portable package.
// A thin main: parse the command line, dispatch, print one-line errors.
#include <iostream>

#include "ecc/error.h"
#include "options.h"
#include "build_wasm.h"
#include "package.h"
#include "wasm_skel.h"
#include "warm_cache.h"

int main(int argc, char** argv) {
  using namespace ecc;
  try {
    // The hidden cache warmer a cold compile starts (warm_cache.h), before any option parsing.
    if (argc > 1 && std::string(argv[1]) == kWarmCacheFlag) return run_warm_cache({argv + 2, argv + argc});
    Options o = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    switch (o.command) {
      case Command::help:
        std::cout << usage_text();
        return 0;
      case Command::version:
        std::cout << "ecc " << ECC_VERSION << "\n";
        return 0;
      case Command::package:
        return run_package(o);
      case Command::gen_wasm_skel:
        return run_gen_wasm_skel(o);
      case Command::build_wasm:
        return run_build_wasm(o);
    }
  } catch (const Error& e) {
    std::cerr << "ecc: error: " << e.line() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "ecc: error: internal: " << e.what() << "\n";
    return static_cast<int>(Exit::tool_failed);
  }
  return 0;
}
