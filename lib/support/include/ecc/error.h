// The one error type of ecc: a one-line message, the file it concerns, and
// the exit code class in docs/ecc.md. Thrown by every library, printed once by
// the driver as `ecc: error: <what> (<file>)`.
#pragma once

#include <stdexcept>
#include <string>

namespace ecc {

enum class Exit : int {
  ok = 0,
  bad_input = 1,    // the user's files are wrong
  usage = 2,        // the command line is wrong
  tool_failed = 3,  // a tool ecc runs is missing or fails
};

class Error : public std::runtime_error {
 public:
  Error(Exit code, const std::string& what, std::string file = {})
      : std::runtime_error(what), code_(code), file_(std::move(file)) {}
  Exit code() const { return code_; }
  const std::string& file() const { return file_; }
  // "<what> (<file>)", or just "<what>" without a file.
  std::string line() const { return file_.empty() ? what() : std::string(what()) + " (" + file_ + ")"; }

 private:
  Exit code_;
  std::string file_;
};

}  // namespace ecc
