// ecc: compile a libbpf-style eBPF program into a portable package.
// A thin main: pick the subcommand (options.h), run it, print one-line errors.
#include <iostream>

#include "ecc/error.h"
#include "ecc/tool_name.h"
#include "options.h"

int main(int argc, char** argv) {
  using namespace ecc;
  set_tool_name("ecc");
  try {
    std::vector<std::string> rest;
    return cmdline::find_subcommand(subcommands(), std::vector<std::string>(argv + 1, argv + argc), rest)->run(rest);
  } catch (const Error& e) {
    std::cerr << "ecc: error: " << e.line() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "ecc: error: internal: " << e.what() << "\n";
    return static_cast<int>(Exit::tool_failed);
  }
}
