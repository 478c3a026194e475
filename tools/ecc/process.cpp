#include "process.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>

#include <boost/process.hpp>

#include "ecc/error.h"

namespace bp = boost::process;

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
  if (name.find('/') != std::string::npos) {
    if (access(name.c_str(), X_OK) == 0) return name;
    throw Error(Exit::tool_failed, "cannot run " + name + ": not an executable file; pass " + option + " PATH",
                name);
  }
  std::string path = bp::search_path(name).string();
  if (path.empty())
    throw Error(Exit::tool_failed, name + " not found in PATH; install it or pass " + option + " PATH", name);
  return path;
}

ToolResult run_tool(const std::vector<std::string>& argv) {
  bp::ipstream out, err;
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  std::error_code ec;
  bp::child child(argv[0], bp::args(args), bp::std_in < bp::null, bp::std_out > out, bp::std_err > err, ec);
  if (ec) throw Error(Exit::tool_failed, "cannot run " + argv[0] + ": " + ec.message(), argv[0]);
  // Drain stderr on a second thread so a chatty child never blocks on a full pipe.
  std::string err_text;
  std::thread drain([&] {
    std::ostringstream s;
    s << err.rdbuf();
    err_text = s.str();
  });
  std::ostringstream s;
  s << out.rdbuf();
  drain.join();
  child.wait();
  ToolResult r;
  r.out = s.str();
  r.err = std::move(err_text);
  int native = child.native_exit_code();
  r.signaled = WIFSIGNALED(native);
  r.exit_code = r.signaled ? 128 + WTERMSIG(native) : WEXITSTATUS(native);
  return r;
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
