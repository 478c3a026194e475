// ecli's subcommands, as a table: run, pull, push, compile, and --help and
// --version as hidden entries.
#pragma once

#include <vector>

#include "ecc/cmdline.h"

namespace ecc::ecli {

const std::vector<cmdline::Subcommand>& subcommands();

}  // namespace ecc::ecli
