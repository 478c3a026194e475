// ecli: run a package built by ecc, and move it through registries. A thin
// main: pick the subcommand (commands.h), run it, print one-line errors.
#include <iostream>

#include "commands.h"
#include "ecc/error.h"
#include "ecc/tool_name.h"

int main(int argc, char** argv) {
  using namespace ecc;
  set_tool_name("ecli");
  try {
    std::vector<std::string> args(argv + 1, argv + argc), rest;
    if (args.empty()) throw Error(Exit::usage, "no command (try 'ecli run PACKAGE.json' or 'ecli --help')");
    const cmdline::Subcommand* command = cmdline::find_subcommand(ecli::subcommands(), args, rest);
    if (!command) throw Error(Exit::usage, "unknown command '" + args[0] + "' (try 'ecli --help')");
    return command->run(rest);
  } catch (const Error& e) {
    std::cerr << "ecli: error: " << e.line() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "ecli: error: internal: " << e.what() << "\n";
    return static_cast<int>(Exit::tool_failed);
  }
}
