// The running tool's name, which starts every message a library prints
// ("ecli: attached 2 programs", "sigsnoop: attached ..." from a standalone
// executable). Each main sets it once, before anything is printed.
#pragma once

#include <functional>
#include <string>

namespace ecc {

void set_tool_name(std::string name);
// The name set last; until then the program's own (glibc's
// program_invocation_short_name).
const std::string& tool_name();

// A tool's whole main: sets the tool's name, runs `body` and returns its exit
// status. An escaping Error is printed as the one line
// "<name>: error: <what> (<file>)" with its exit class; any other exception
// is a bug of ours, printed as "<name>: error: internal: ..." (exit 3).
int run_tool(std::string name, const std::function<int()>& body);

}  // namespace ecc
