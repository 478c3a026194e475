#include "ecc/program_options.h"

#include <algorithm>

#include "ecc/annotations.h"

namespace ecc {

namespace {

std::string description(const Json& doc) {
  if (!doc.is_object() || !doc.contains("description")) return "";
  const Json& v = doc["description"];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

std::vector<VariableOption> variable_options(const Skeleton& skel, const SettableVariable& settable) {
  std::vector<VariableOption> out;
  std::vector<std::string> longs = {"help"};
  std::string shorts = "h";
  for (const DataSection& ds : skel.data_sections) {
    if (ds.name == ".kconfig") continue;
    for (const Variable& v : ds.variables) {
      if (!v.option || is_placeholder_variable(v.name) || !settable(ds, v)) continue;
      const std::optional<CmdArg>& cmdarg = v.cmdarg;
      VariableOption o{&ds, &v, cmdarg && !cmdarg->long_name.empty() ? cmdarg->long_name : v.name, 0, "", nullptr};
      if (std::find(longs.begin(), longs.end(), o.long_name) != longs.end()) continue;
      longs.push_back(o.long_name);
      if (cmdarg && cmdarg->short_name && shorts.find(cmdarg->short_name) == std::string::npos) {
        o.short_name = cmdarg->short_name;
        shorts += cmdarg->short_name;
      }
      o.help = cmdarg ? cmdarg->help : "";
      if (o.help.empty()) o.help = description(v.doc);
      if (o.help.empty()) o.help = "set " + v.name;
      if (cmdarg) o.default_value = cmdarg->default_value;
      out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace ecc
