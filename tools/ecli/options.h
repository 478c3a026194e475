// ecli's own command line:
//   ecli run  [ecli options] FILE|URL|REF [program options]
//   ecli pull [options] REF [-o FILE]
//   ecli push [options] FILE REF
//   ecli compile [options] APP.wasm
#pragma once

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

}  // namespace ecc::ecli
