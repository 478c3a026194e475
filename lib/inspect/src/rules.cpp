// A policy scope's load rules against an inspection (docs/trust.md, "What a
// program may do"): the first program type or call they refuse.
#include <algorithm>

#include "ecc/inspect.h"

namespace ecc::inspect {

namespace {

// "bpf_send_signal" and "send_signal" are one name.
std::string bare(const std::string& name) { return name.rfind("bpf_", 0) == 0 ? name.substr(4) : name; }

bool listed(const std::vector<std::string>& list, const std::string& name) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& n) { return bare(n) == bare(name); });
}

// Why `r` refuses `value` ("denied by", "not allowed by"), or empty.
std::string verdict(const std::optional<std::vector<std::string>>& allow, const std::vector<std::string>& deny,
                    const std::string& value) {
  if (listed(deny, value)) return "denied by";
  if (allow && !listed(*allow, value)) return "not allowed by";
  return {};
}

}  // namespace

std::optional<std::string> refusal(const Report& report, const Rules& r) {
  const std::string scope = r.scope.empty() ? "the policy" : r.scope;
  for (const Program& p : report.programs) {
    if (std::string why = verdict(r.allow_program_types, r.deny_program_types, p.type); !why.empty())
      return "program '" + p.name + "' is of type " + p.type + ", " + why + " " + scope;
    for (const Call& c : p.calls)
      if (std::string why = verdict(r.allow_helpers, r.deny_helpers, c.name); !why.empty())
        return "program '" + p.name + "' calls " + (c.kfunc ? "kfunc " : "") + c.name + ", " + why + " " + scope;
  }
  return std::nullopt;
}

}  // namespace ecc::inspect
