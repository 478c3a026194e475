// ecli's own command line (the subcommands are in commands.h):
//   ecli run  [ecli options] FILE|URL|REF [program options]
//   ecli pull [options] REF [-o FILE]
//   ecli push [options] FILE REF
//   ecli compile [options] APP.wasm
//   ecli sign [options] KEY REF|FILE
//   ecli verify [options] --key PUBKEY REF|FILE
//   ecli inspect [options] FILE
// and the command line of the executables `ecc --standalone` writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecc/loader.h"
#include "ecc/metrics.h"
#include "ecc/oci.h"
#include "ecc/wasmhost_options.h"

namespace ecc::ecli {

// Which commands take an option (cmdline::Option::commands). kPackage and
// kWasm: the executables `ecc --standalone` writes.
enum CommandBit : unsigned {
  kRun = 1,
  kPull = 2,
  kPush = 4,
  kCompile = 8,
  kPackage = 16,
  kWasm = 32,
  kSign = 64,
  kVerify = 128,
  kInspect = 256,
  kRegistry = kRun | kPull | kPush | kSign | kVerify | kInspect,
  kEcli = kRegistry | kCompile | kInspect,
  kStandalone = kPackage | kWasm
};

struct Options {
  bool help = false;                      // -h: the rest was not parsed
  loader::RunOptions run;
  WasmEngine engine = WasmEngine::auto_select;  // --engine, for an APP.wasm
  oci::ClientOptions registry;            // --plain-http, --insecure, -v
  std::string user;                       // -u, with --password-stdin
  bool password_stdin = false;
  std::string output;                     // pull -o
  std::string file;                       // run: the package, app, URL or reference; push, compile, inspect: the file
  std::string reference;                  // pull, push
  std::vector<std::string> program_args;  // run: everything after the file
  // run of an Inspektor Gadget image (docs/gadget.md):
  std::string image;                      // --image: the layout's image by ref.name
  std::optional<uint64_t> mntns;          // --mntns: IG's mount-namespace filter
  metrics::Options metrics;               // --metrics, --metrics-max-series, --otlp (docs/metrics.md)
  // trust (docs/trust.md):
  std::vector<std::string> verify_keys;   // run, pull: --verify PUBKEY; verify: --key PUBKEY
  std::string policy;                     // --policy FILE (default /etc/ecli/policy.json)
  std::string sign_key;                   // push --sign KEY
};

// The arguments after `ecli run`: ecli's options, then the file; the rest
// is the program's. Throws ecc::Error(Exit::usage) for an unknown option, a
// missing value or no file.
Options parse_run_args(const std::vector<std::string>& args);
// The arguments after `ecli pull|push|compile|inspect` (`command` kPull,
// kPush, kCompile or kInspect, `name` its name): options anywhere; returns the operands.
std::vector<std::string> parse_command_args(Options& o, unsigned command, const std::string& name,
                                            const std::vector<std::string>& args);
// -u USER and --password-stdin go together.
void check_credentials(const Options& o);
// The option lines of `ecli --help`.
std::string option_help();

// The command line of an executable `ecc --standalone` writes (docs/ecc-standalone.md):
// the program's options (`program`; none for an app, whose options pass
// through as they are) and ecli run's -j (a package), -d, --btf, --engine
// (an app), -v and -h, in any order; `--` passes the rest to the program
// untouched. A clash is the program's: see runner_options() in options.cpp.
struct StandaloneArgs {
  Options ecli;                           // run options, engine
  std::vector<std::string> program_args;  // in their order; -h as --help
  bool help = false;
};
StandaloneArgs parse_standalone_args(const std::vector<std::string>& args, bool wasm,
                                     const std::vector<loader::ProgOption>& program);
// The runner's options as -h lists them after the program's.
std::string standalone_usage_text(bool wasm, const std::vector<loader::ProgOption>& program);

}  // namespace ecc::ecli
