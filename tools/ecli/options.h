// ecli's own command line:
//   ecli run  [ecli options] FILE|URL|REF [program options]
//   ecli pull [options] REF [-o FILE]
//   ecli push [options] FILE REF
//   ecli compile [options] APP.wasm
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ecc/loader.h"
#include "ecc/oci.h"
#include "ecc/wasmhost_options.h"

namespace ecc::ecli {

enum class Command { run, pull, push, compile, help, version };

struct Options {
  Command command = Command::run;
  loader::RunOptions run;
  WasmEngine engine = WasmEngine::auto_select;  // --engine, for an APP.wasm
  oci::ClientOptions registry;            // --plain-http, --insecure, -v
  std::string user;                       // -u, with --password-stdin
  bool password_stdin = false;
  std::string output;                     // pull -o
  std::string file;                       // run: the package, app, URL or reference; push, compile: the file
  std::string reference;                  // pull, push
  std::vector<std::string> program_args;  // run: everything after the file
};

// Throws ecc::Error(Exit::usage) for an unknown option or a missing value.
// run's options stop at the first non-option: the file.
Options parse_options(const std::vector<std::string>& args);

std::string usage_text();

// The command line of an executable `ecc --standalone` writes (SPEC §14):
// ecli run's -j (a package), -d, --btf, --engine (an app), -v and -h, taken
// from anywhere among the program's own options; `--` passes the rest to the
// program untouched. `program_arity` says whether the program has an option
// of a spelling ("-p", "--pid"): -1 no, 0 a switch, 1 one with a value. A
// spelling the program has is the program's (ecli's stays reachable under
// its other spelling). -h is the runner's, and an app also gets it.
using ProgramArity = std::function<int(const std::string& spelling)>;
struct StandaloneArgs {
  Options ecli;                           // run options, engine
  std::vector<std::string> program_args;  // in their order
  bool help = false;
};
StandaloneArgs parse_standalone_args(const std::vector<std::string>& args, bool wasm, const ProgramArity& program_arity);
// The runner's options as -h lists them after the program's.
std::string standalone_usage_text(bool wasm, const ProgramArity& program_arity);

}  // namespace ecc::ecli
