#include "ecc/tool_name.h"

#include <errno.h>

namespace ecc {

namespace {

std::string& name() {
  static std::string n = program_invocation_short_name;
  return n;
}

}  // namespace

void set_tool_name(std::string n) { name() = std::move(n); }

const std::string& tool_name() { return name(); }

}  // namespace ecc
