// ecli's own command line: `ecli run [ecli options] FILE [program options]`.
#pragma once

#include <string>
#include <vector>

#include "ecc/loader.h"

namespace ecc::ecli {

enum class Command { run, help, version };

struct Options {
  Command command = Command::run;
  loader::RunOptions run;
  std::string file;                       // the package
  std::vector<std::string> program_args;  // everything after the file
};

// Throws ecc::Error(Exit::usage) for an unknown option or a missing value.
// ecli's options stop at the first non-option: the file.
Options parse_options(const std::vector<std::string>& args);

std::string usage_text();

}  // namespace ecc::ecli
