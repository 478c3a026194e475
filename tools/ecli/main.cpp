// ecli: run a package built by ecc, and move it through registries. A thin
// main: pick the subcommand (commands.h) and run it; run_tool prints
// one-line errors.
#include "commands.h"
#include "ecc/error.h"
#include "ecc/tool_name.h"

int main(int argc, char** argv) {
  using namespace ecc;
  return run_tool("ecli", [&] {
    std::vector<std::string> args(argv + 1, argv + argc), rest;
    if (args.empty()) throw Error(Exit::usage, "no command (try 'ecli run PACKAGE.json' or 'ecli --help')");
    const cmdline::Subcommand* command = cmdline::find_subcommand(ecli::subcommands(), args, rest);
    if (!command) throw Error(Exit::usage, "unknown command '" + args[0] + "' (try 'ecli --help')");
    return command->run(rest);
  });
}
