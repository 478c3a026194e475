// The one command-line grammar of ecc, ecli, the standalone runner and a
// package's program options: a table of options, parsed as getopt_long does.
//   --long VALUE, --long=VALUE, -x VALUE, -xVALUE   an option with a value (the
//                                                   next argument is the value
//                                                   whatever it looks like)
//   -jv                                             switches bundled
//   --                                              the rest are operands
//   -, ""                                           operands
// Errors are Error(Exit::usage), "option '--btf' needs a value" and "option
// '--json' takes no value"; an unknown option and an operand go to the
// grammar's callbacks, which word their own errors.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ecc::cmdline {

struct Option {
  char short_name = 0;               // 'j'; 0: none
  std::string long_name;             // "json", without dashes; empty: none
  std::string value_name;            // "SECONDS": the option takes a value; empty: a switch
  std::string help;                  // its line in the usage text
  unsigned commands = ~0u;           // the (sub)commands that take it, as bits of the caller's choosing
  std::function<void(const std::string& value)> apply;  // a switch's value is ""
  // A switch that also takes `--long=VALUE` (a program's bool: `--failed=false`);
  // given bare, or in a bundle, it applies this text.
  std::optional<std::string> bare_value;
  std::vector<std::string> aliases;  // more long spellings, not in the usage text
};

struct Grammar {
  unsigned command = ~0u;  // only the options whose `commands` have one of these bits
  // The first operand ends the options (ecli run's file): parse() returns
  // its index without calling `operand`.
  bool operand_ends_options = false;
  std::function<void(const std::string& arg)> operand;
  // `spelling` is "-q" or "--name"; `arg` is the argument from there on
  // ("-qv", "--name=value"). Throws, or takes the argument as it is.
  std::function<void(const std::string& spelling, const std::string& arg)> unknown;
  // Asked after each option: true ends the parse there (ecli's -h).
  std::function<bool()> done;
};

// Applies the options of `args` in order. Returns the index of the first
// argument not parsed: args.size(), or where `operand_ends_options` or
// `done` stopped (after a `--`, the argument following it).
size_t parse(const std::vector<Option>& table, const std::vector<std::string>& args, const Grammar& grammar);

// The option spelled `-c` / `--name` (or an alias) for `command`; nullptr when none.
const Option* find_short(const std::vector<Option>& table, char c, unsigned command = ~0u);
const Option* find_long(const std::vector<Option>& table, const std::string& name, unsigned command = ~0u);

// How a usage text lists options: "  -d, --duration SECONDS    stop after ...".
struct HelpStyle {
  size_t width = 28;                  // the column of the help text
  bool align_long = true;             // "    --btf FILE" under "-j, --json" when there is no short name
  std::string value_separator = " ";  // "--btf FILE" or "--pid=VALUE"
  bool indent_continued = false;      // a help line after a '\n' starts in the help column
};
// One line per option of `command`, in table order.
std::string help_rows(const std::vector<Option>& table, unsigned command, const HelpStyle& style);
// One line: `left` after two spaces, padded to `width` (two spaces after it
// when it is wider), then `help`.
std::string help_row(const std::string& left, const std::string& help, size_t width);

// A command line's subcommands, as `ninja -t` has them.
struct Subcommand {
  std::string name;      // the first argument that selects it; "" is the default
  std::string synopsis;  // its usage line(s), "ecc build-wasm [options] [APP.c ...]"
  std::function<int(const std::vector<std::string>& args)> run;  // the arguments after the name
  bool hidden = false;   // an internal entry point: not in the usage text
};
// The subcommand `args[0]` names, else the default one (nullptr when there
// is none); `rest` gets the arguments after the name.
const Subcommand* find_subcommand(const std::vector<Subcommand>& table, const std::vector<std::string>& args,
                                  std::vector<std::string>& rest);
// "usage: ecc ...\n       ecc gen-wasm-skel ...\n": the synopses of the
// visible subcommands, the first after `label`, the others aligned with it.
std::string synopsis_lines(const std::vector<Subcommand>& table, const std::string& label);

}  // namespace ecc::cmdline
