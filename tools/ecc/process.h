// Running the tools ecc drives (clang, llvm-strip): finding them, showing
// their command lines, and clang's diagnostics. The runner itself is
// ecc/process.h (run_tool).
#pragma once

#include <string>
#include <vector>

#include "ecc/process.h"

namespace ecc {

// `argv` as one line that can be pasted into a POSIX shell.
std::string shell_quote(const std::vector<std::string>& argv);

// Resolves argv[0] through PATH. Throws Error(tool_failed) naming `option`
// (e.g. "--clang") when it cannot be found.
std::string find_tool(const std::string& name, const std::string& option);

// The one clang runner of every compile ecc does (the BPF program, the Wasm
// app). Diagnostics: clang's own, passed through untouched; coloured when
// stderr is a terminal and NO_COLOR is unset (colour_flags() gives the flag
// to add). A crash throws Error(tool_failed), a failure Error(bad_input),
// both "clang ... <what>" naming `file`: what = "compile the program".
std::vector<std::string> colour_flags();
void run_clang(const std::vector<std::string>& argv, const std::string& file, const std::string& what);
// The second half of run_clang, for a caller that ran clang itself.
void check_clang(const ToolResult& r, const std::string& file, const std::string& what);

}  // namespace ecc
