// The running tool's name, which starts every message a library prints
// ("ecli: attached 2 programs", "sigsnoop: attached ..." from a standalone
// executable). Each main sets it once, before anything is printed.
#pragma once

#include <string>

namespace ecc {

void set_tool_name(std::string name);
// The name set last; until then the program's own (glibc's
// program_invocation_short_name).
const std::string& tool_name();

}  // namespace ecc
