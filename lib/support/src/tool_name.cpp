#include "ecc/tool_name.h"

#include <errno.h>

#include <exception>
#include <iostream>

#include "ecc/error.h"

namespace ecc {

namespace {

std::string& name() {
  static std::string n = program_invocation_short_name;
  return n;
}

}  // namespace

void set_tool_name(std::string n) { name() = std::move(n); }

const std::string& tool_name() { return name(); }

int run_tool(std::string n, const std::function<int()>& body) {
  set_tool_name(std::move(n));
  try {
    return body();
  } catch (const Error& e) {
    std::cerr << tool_name() << ": error: " << e.line() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << tool_name() << ": error: internal: " << e.what() << "\n";
    return static_cast<int>(Exit::tool_failed);
  }
}

}  // namespace ecc
