// The one command-line parser (ecc/cmdline.h): every spelling, bundling,
// `--`, and its errors.
#include "ecc/cmdline.h"

#include <gtest/gtest.h>

#include "ecc/error.h"

namespace ecc::cmdline {
namespace {

// A small command line: -j/--json, -v/--verbose, -d/--duration SECONDS,
// --btf FILE, -f/--failed (a switch that takes --failed=VALUE), and what
// each application saw, in order.
struct Fixture {
  std::vector<std::string> seen;     // "json", "duration=5", ...
  std::vector<std::string> operands;
  std::vector<std::string> unknown;  // "spelling|arg"
  std::vector<Option> table;
  Grammar g;

  Fixture() {
    auto log = [this](const std::string& name) {
      return [this, name](const std::string& v) { seen.push_back(v.empty() ? name : name + "=" + v); };
    };
    table = {
        {'j', "json", "", "print JSON", 1, log("json")},
        {'v', "verbose", "", "say more", 1 | 2, log("verbose")},
        {'d', "duration", "SECONDS", "stop after SECONDS", 1, log("duration")},
        {0, "btf", "FILE", "kernel BTF", 2, log("btf"), {}, {"kernel-btf"}},
        {'f', "failed", "", "failed only", 1, log("failed"), "true"},
    };
    g.command = 1;
    g.operand = [this](const std::string& a) { operands.push_back(a); };
    g.unknown = [this](const std::string& spelling, const std::string& arg) { unknown.push_back(spelling + "|" + arg); };
  }
  size_t parse(const std::vector<std::string>& args) { return cmdline::parse(table, args, g); }
};

std::string usage_error(Fixture& f, const std::vector<std::string>& args) {
  try {
    f.parse(args);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::usage);
    return e.line();
  }
  return "no error";
}

TEST(Cmdline, EverySpellingOfAValue) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--duration", "5"}, {"--duration=5"}, {"-d", "5"}, {"-d5"}}) {
    Fixture f;
    EXPECT_EQ(f.parse(args), args.size());
    EXPECT_EQ(f.seen, std::vector<std::string>{"duration=5"}) << args[0];
  }
  Fixture f;
  f.parse({"-d", "-5", "--duration=", "--duration=a=b"});  // the next argument, whatever it looks like
  EXPECT_EQ(f.seen, (std::vector<std::string>{"duration=-5", "duration", "duration=a=b"}));
}

TEST(Cmdline, SwitchesBundleAndEndInAValue) {
  Fixture f;
  f.parse({"-jv", "-vd", "3", "-jd4", "--json", "--verbose"});
  EXPECT_EQ(f.seen, (std::vector<std::string>{"json", "verbose", "verbose", "duration=3", "json", "duration=4", "json",
                                              "verbose"}));
  EXPECT_TRUE(f.operands.empty());
}

TEST(Cmdline, ASwitchWithABareValue) {
  Fixture f;
  f.parse({"-f", "--failed", "--failed=false", "-jf"});
  EXPECT_EQ(f.seen, (std::vector<std::string>{"failed=true", "failed=true", "failed=false", "json", "failed=true"}));
}

TEST(Cmdline, OperandsAndDoubleDash) {
  Fixture f;
  EXPECT_EQ(f.parse({"a", "-j", "-", "", "b", "--", "-v", "--json"}), 8u);
  EXPECT_EQ(f.operands, (std::vector<std::string>{"a", "-", "", "b", "-v", "--json"}));
  EXPECT_EQ(f.seen, std::vector<std::string>{"json"});
}

TEST(Cmdline, TheFirstOperandCanEndTheOptions) {
  Fixture f;
  f.g.operand_ends_options = true;
  EXPECT_EQ(f.parse({"-j", "file", "-v"}), 1u);
  EXPECT_EQ(f.seen, std::vector<std::string>{"json"});
  EXPECT_EQ(f.parse({"-v", "--", "-file", "-j"}), 2u);
  EXPECT_EQ(f.parse({"-v"}), 1u);
  EXPECT_TRUE(f.operands.empty());
}

TEST(Cmdline, MissingValue) {
  Fixture f;
  EXPECT_EQ(usage_error(f, {"--duration"}), "option '--duration' needs a value");
  EXPECT_EQ(usage_error(f, {"-d"}), "option '-d' needs a value");
  EXPECT_EQ(usage_error(f, {"-jd"}), "option '-d' needs a value");
}

TEST(Cmdline, ValueGivenToASwitch) {
  Fixture f;
  EXPECT_EQ(usage_error(f, {"--json=1"}), "option '--json' takes no value");
  EXPECT_EQ(usage_error(f, {"--json="}), "option '--json' takes no value");
}

TEST(Cmdline, UnknownOptionsGoToTheGrammar) {
  Fixture f;
  f.parse({"--nope=1", "-q", "-jqv", "--", "-x"});
  EXPECT_EQ(f.unknown, (std::vector<std::string>{"--nope|--nope=1", "-q|-q", "-q|-qv"}));
  EXPECT_EQ(f.seen, std::vector<std::string>{"json"}) << "the rest of a bundle is the unknown option's";
  EXPECT_EQ(f.operands, std::vector<std::string>{"-x"});
  f.g.unknown = [](const std::string& spelling, const std::string&) {
    throw Error(Exit::usage, "unknown option '" + spelling + "'");
  };
  EXPECT_EQ(usage_error(f, {"--=x"}), "unknown option '--'");
}

TEST(Cmdline, OnlyTheCommandsOptionsAndAliases) {
  Fixture f;
  f.parse({"--btf", "x"});
  EXPECT_EQ(f.unknown, std::vector<std::string>{"--btf|--btf"}) << "--btf is command 2's";
  EXPECT_EQ(f.seen, std::vector<std::string>{});
  f.g.command = 2;
  f.parse({"--kernel-btf=k", "--btf", "b", "-v"});
  EXPECT_EQ(f.seen, (std::vector<std::string>{"btf=k", "btf=b", "verbose"}));
  EXPECT_EQ(find_long(f.table, "kernel-btf", 1), nullptr);
  EXPECT_EQ(find_long(f.table, "kernel-btf", 2)->long_name, "btf");
  EXPECT_EQ(find_short(f.table, 'd', 2), nullptr);
  EXPECT_EQ(find_short(f.table, 0), nullptr);
  EXPECT_EQ(find_long(f.table, ""), nullptr);
}

TEST(Cmdline, LongNamesWinOverAliases) {
  std::string hit;
  std::vector<Option> table = {
      {0, "a", "", "", ~0u, [&](const std::string&) { hit = "a"; }, {}, {"b"}},
      {0, "b", "", "", ~0u, [&](const std::string&) { hit = "b"; }},
  };
  parse(table, {"--b"}, {});
  EXPECT_EQ(hit, "b");
}

TEST(Cmdline, DoneEndsTheParse) {
  Fixture f;
  bool help = false;
  f.table.push_back({'h', "help", "", "", 1, [&](const std::string&) { help = true; }});
  f.g.done = [&] { return help; };
  EXPECT_EQ(f.parse({"-j", "-hv", "--nope"}), 2u);
  EXPECT_EQ(f.seen, std::vector<std::string>{"json"});
  help = false;
  EXPECT_EQ(f.parse({"--help", "x"}), 1u);
}

TEST(Cmdline, HelpRows) {
  Fixture f;
  EXPECT_EQ(help_rows(f.table, 1, {}),
            "  -j, --json                print JSON\n"
            "  -v, --verbose             say more\n"
            "  -d, --duration SECONDS    stop after SECONDS\n"
            "  -f, --failed              failed only\n");
  std::vector<Option> t = {{0, "btf", "FILE", "line one\nline two"}, {'a', "", "FLAG", "flag"},
                           {'p', "pid", "VALUE", "the pid"}};
  EXPECT_EQ(help_rows(t, ~0u, {12, false, "=", true}),
            "  --btf=FILE  line one\n"
            "            line two\n"
            "  -a FLAG   flag\n"
            "  -p, --pid=VALUE  the pid\n");
  EXPECT_EQ(help_row("--", "the rest", 6), "  --  the rest\n");
}

TEST(Cmdline, Subcommands) {
  std::vector<Subcommand> table = {
      {"", "tool [options] FILE", [](const std::vector<std::string>& a) { return static_cast<int>(a.size()); }},
      {"two", "tool two A\ntool two B", [](const std::vector<std::string>&) { return 2; }},
      {"--internal", "tool --internal", [](const std::vector<std::string>&) { return 3; }, true},
  };
  std::vector<std::string> rest;
  EXPECT_EQ(find_subcommand(table, {"two", "x"}, rest)->run(rest), 2);
  EXPECT_EQ(rest, std::vector<std::string>{"x"});
  EXPECT_EQ(find_subcommand(table, {"x", "y"}, rest)->run(rest), 2) << "the default gets every argument";
  EXPECT_EQ(find_subcommand(table, {}, rest)->run(rest), 0);
  EXPECT_EQ(find_subcommand(table, {"--internal"}, rest)->run(rest), 3);
  EXPECT_EQ(find_subcommand({table[1]}, {"x"}, rest), nullptr);
  EXPECT_EQ(synopsis_lines(table, "usage: "),
            "usage: tool [options] FILE\n"
            "       tool two A\n"
            "       tool two B\n");
}

}  // namespace
}  // namespace ecc::cmdline
