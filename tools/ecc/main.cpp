// ecc: compile a libbpf-style eBPF program into a portable package.
// A thin main: pick the subcommand (options.h) and run it; run_tool prints
// one-line errors.
#include "ecc/tool_name.h"
#include "options.h"

int main(int argc, char** argv) {
  using namespace ecc;
  return run_tool("ecc", [&] {
    std::vector<std::string> rest;
    return cmdline::find_subcommand(subcommands(), std::vector<std::string>(argv + 1, argv + argc), rest)->run(rest);
  });
}
