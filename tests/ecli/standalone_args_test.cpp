// The command line of an executable `ecc --standalone` writes, without a
// kernel: the program's options and the runner's in any order, and the one
// rule for a spelling both have (the program's).
#include <gtest/gtest.h>

#include "options.h"

namespace ecc::ecli {
namespace {

loader::ProgOption option(const std::string& long_name, const std::string& short_name, loader::Field::Kind kind) {
  loader::ProgOption o;
  o.section = ".rodata";
  o.var = long_name + "_var";
  o.long_name = long_name;
  o.short_name = short_name;
  o.type.kind = kind;
  return o;
}

// A program with -d/--delay, --btf (a bool) and -p/--pid.
std::vector<loader::ProgOption> clashing() {
  return {option("delay", "d", loader::Field::Kind::Int), option("btf", "", loader::Field::Kind::Bool),
          option("pid", "p", loader::Field::Kind::Int)};
}

TEST(StandaloneArgs, ProgramAndRunnerOptionsMix) {
  StandaloneArgs a = parse_standalone_args({"-p", "5", "-jd", "2", "--btf=/k.btf", "--pid_var=6", "-v", "x", "--nope",
                                            "--", "-j"},
                                           false, {option("pid", "p", loader::Field::Kind::Int)});
  EXPECT_TRUE(a.ecli.run.json);
  EXPECT_EQ(a.ecli.run.duration, 2);
  EXPECT_EQ(a.ecli.run.btf_path, "/k.btf");
  EXPECT_TRUE(a.ecli.run.verbose);
  EXPECT_FALSE(a.help);
  EXPECT_EQ(a.program_args, (std::vector<std::string>{"--pid=5", "--pid=6", "x", "--nope", "-j"}));
}

TEST(StandaloneArgs, ASpellingBothHaveIsTheProgramsOwn) {
  StandaloneArgs a = parse_standalone_args({"-d", "3", "--duration", "1", "--btf", "-h"}, false, clashing());
  EXPECT_EQ(a.ecli.run.duration, 1);
  EXPECT_EQ(a.ecli.run.btf_path, "");
  EXPECT_TRUE(a.help);
  EXPECT_EQ(a.program_args, (std::vector<std::string>{"--delay=3", "--btf=true", "--help"}));
  std::string usage = standalone_usage_text(false, clashing());
  EXPECT_NE(usage.find("      --duration SECONDS      stop after SECONDS\n"), std::string::npos) << usage;
  EXPECT_EQ(usage.find("FILE"), std::string::npos) << "--btf is the program's:\n" << usage;
  EXPECT_NE(usage.find("The program's own: -d, --btf (a spelling both have is the program's).\n"), std::string::npos)
      << usage;
  EXPECT_EQ(standalone_usage_text(false, {}).find("program's own"), std::string::npos);
}

TEST(StandaloneArgs, AnAppGetsEverythingButTheRunnersOptions) {
  StandaloneArgs a = parse_standalone_args({"-p", "5", "--engine=interp", "-j", "-d5", "-h", "--", "-d", "1"}, true, {});
  EXPECT_EQ(a.ecli.engine, WasmEngine::interp);
  EXPECT_EQ(a.ecli.run.duration, 5);
  EXPECT_TRUE(a.help);
  EXPECT_EQ(a.program_args, (std::vector<std::string>{"-p", "5", "-j", "--help", "-d", "1"}));
  std::string usage = standalone_usage_text(true, {});
  EXPECT_NE(usage.find("--engine ENGINE"), std::string::npos) << usage;
  EXPECT_EQ(usage.find("--json"), std::string::npos) << usage;
}

}  // namespace
}  // namespace ecc::ecli
