// ecli pull, ecli push, and the fetch step of `ecli run URL|REF` (docs/oci.md).
#pragma once

#include <string>

#include "options.h"

namespace ecc::ecli {

// The local file `ecli run` runs: the file itself, or the cached download of
// a URL or a reference.
std::string resolve_run_file(const Options& o);

int pull_command(const Options& o);
int push_command(const Options& o);

}  // namespace ecc::ecli
