#include "process.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "ecc/error.h"

namespace ecc {

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) {
    if (!line.empty()) line += ' ';
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                   "_-+=/.,:@%") == std::string::npos;
    if (plain) {
      line += a;
      continue;
    }
    line += '\'';
    for (char c : a) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

std::string find_tool(const std::string& name, const std::string& option) {
  std::string path = search_path(name);
  if (!path.empty()) return path;
  if (name.find('/') != std::string::npos)
    throw Error(Exit::tool_failed, "cannot run " + name + ": not an executable file; pass " + option + " PATH",
                name);
  throw Error(Exit::tool_failed, name + " not found in PATH; install it or pass " + option + " PATH", name);
}

std::vector<std::string> colour_flags() {
  if (isatty(STDERR_FILENO) && !std::getenv("NO_COLOR")) return {"-fcolor-diagnostics"};
  return {};
}

void run_clang(const std::vector<std::string>& argv, const std::string& file, const std::string& what) {
  check_clang(run_tool(argv), file, what);
}

void check_clang(const ToolResult& r, const std::string& file, const std::string& what) {
  std::cerr << r.err << std::flush;
  if (r.signaled) throw Error(Exit::tool_failed, "clang crashed trying to " + what, file);
  if (r.exit_code != 0) throw Error(Exit::bad_input, "clang failed to " + what, file);
}

}  // namespace ecc
