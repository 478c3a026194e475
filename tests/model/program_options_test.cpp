// The one rule that turns data-section variables into program options
// (ecc/program_options.h), as the loader, the standalone executable and the
// generated app.c all use it.
#include "ecc/program_options.h"

#include <gtest/gtest.h>

namespace ecc {
namespace {

Variable var(const std::string& name, std::optional<CmdArg> cmdarg = std::nullopt, Json doc = Json::object()) {
  Variable v;
  v.name = name;
  v.cmdarg = std::move(cmdarg);
  v.doc = std::move(doc);
  return v;
}

CmdArg cmdarg(const std::string& long_name, char short_name, const std::string& help = "", Json dflt = nullptr) {
  return {long_name, short_name, help, std::move(dflt)};
}

std::string names(const std::vector<VariableOption>& opts) {
  std::string s;
  for (const VariableOption& o : opts)
    s += (s.empty() ? "" : " ") + (o.short_name ? std::string("-") + o.short_name + "/" : "") + "--" + o.long_name +
         "(" + o.var->name + ")";
  return s;
}

const auto every = [](const DataSection&, const Variable&) { return true; };

TEST(ProgramOptions, NamesHelpAndDefaults) {
  Skeleton s;
  s.data_sections = {{".rodata", "rodata", 16,
                      {var("min_ns", cmdarg("min", 'm', "minimum", 5)), var("pid", std::nullopt, {{"description", "the pid"}}),
                       var("flags")}},
                     {".kconfig", "kconfig", 4, {var("LINUX_KERNEL_VERSION")}},
                     {".bss", "bss", 8, {var("__eunomia_dummy_event_ptr"), var("count", cmdarg("", 'c'))}}};
  auto opts = variable_options(s, every);
  EXPECT_EQ(names(opts), "-m/--min(min_ns) --pid(pid) --flags(flags) -c/--count(count)");
  EXPECT_EQ(opts[0].help, "minimum");
  EXPECT_EQ(opts[0].default_value, 5);
  EXPECT_EQ(opts[0].section, &s.data_sections[0]);
  EXPECT_EQ(opts[1].help, "the pid");
  EXPECT_EQ(opts[2].help, "set flags");
  EXPECT_TRUE(opts[2].default_value.is_null());
  EXPECT_EQ(opts[3].section->name, ".bss");
}

TEST(ProgramOptions, DuplicatesAndHelpAreDropped) {
  Skeleton s;
  s.data_sections = {{".rodata", "rodata", 32,
                      {var("a", cmdarg("pid", 'p')), var("b", cmdarg("pid", 'q')), var("c", cmdarg("", 'p')),
                       var("d", cmdarg("", 'q')), var("help"), var("e", cmdarg("", 'h'))}}};
  // b: its long name is a's, so it is no option (and -q stays free for d);
  // c: -p is a's, so c keeps only --c; help: reserved; e: -h is reserved.
  EXPECT_EQ(names(variable_options(s, every)), "-p/--pid(a) --c(c) -q/--d(d) --e(e)");
}

TEST(ProgramOptions, OnlySettableVariablesTakeNames) {
  Skeleton s;
  s.data_sections = {{".rodata", "rodata", 8, {var("big", cmdarg("x", 'x')), var("small", cmdarg("x", 'x'))}}};
  auto not_big = [](const DataSection&, const Variable& v) { return v.name != "big"; };
  EXPECT_EQ(names(variable_options(s, not_big)), "-x/--x(small)");
  EXPECT_EQ(names(variable_options(s, every)), "-x/--x(big)");
}

}  // namespace
}  // namespace ecc
