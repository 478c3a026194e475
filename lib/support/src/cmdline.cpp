#include "ecc/cmdline.h"

#include <algorithm>

#include "ecc/error.h"

namespace ecc::cmdline {

namespace {

bool for_command(const Option& o, unsigned command) { return (o.commands & command) != 0; }

// The value of the option at args[i] given as `inline_value` or as the next
// argument (then i moves past it).
std::string take_value(const std::vector<std::string>& args, size_t& i, const std::string& spelling,
                       const std::optional<std::string>& inline_value) {
  if (inline_value) return *inline_value;
  if (i + 1 >= args.size()) throw Error(Exit::usage, "option '" + spelling + "' needs a value");
  return args[++i];
}

// `--name`, `--name=value`.
void parse_long(const std::vector<Option>& table, const std::vector<std::string>& args, size_t& i, const Grammar& g) {
  const std::string& a = args[i];
  std::string name = a.substr(2);
  std::optional<std::string> inline_value;
  if (auto eq = name.find('='); eq != std::string::npos) {
    inline_value = name.substr(eq + 1);
    name.resize(eq);
  }
  const std::string spelling = "--" + name;
  const Option* o = find_long(table, name, g.command);
  if (!o) return g.unknown(spelling, a);
  if (!o->value_name.empty()) return o->apply(take_value(args, i, spelling, inline_value));
  if (inline_value && !o->bare_value) throw Error(Exit::usage, "option '" + spelling + "' takes no value");
  o->apply(inline_value ? *inline_value : o->bare_value.value_or(""));
}

// `-x`, `-xVALUE`, `-x VALUE`, `-jv`. False when `done` ended the parse.
bool parse_short(const std::vector<Option>& table, const std::vector<std::string>& args, size_t& i, const Grammar& g) {
  const std::string& a = args[i];
  for (size_t k = 1; k < a.size(); k++) {
    const std::string spelling = std::string("-") + a[k];
    const Option* o = find_short(table, a[k], g.command);
    if (!o) {
      g.unknown(spelling, k == 1 ? a : "-" + a.substr(k));
      return true;
    }
    if (!o->value_name.empty()) {
      std::optional<std::string> rest;
      if (k + 1 < a.size()) rest = a.substr(k + 1);
      o->apply(take_value(args, i, spelling, rest));
      return !(g.done && g.done());
    }
    o->apply(o->bare_value.value_or(""));
    if (g.done && g.done()) return false;
  }
  return true;
}

}  // namespace

const Option* find_short(const std::vector<Option>& table, char c, unsigned command) {
  for (const Option& o : table)
    if (c != 0 && o.short_name == c && for_command(o, command)) return &o;
  return nullptr;
}

const Option* find_long(const std::vector<Option>& table, const std::string& name, unsigned command) {
  if (name.empty()) return nullptr;
  for (const Option& o : table)
    if (o.long_name == name && for_command(o, command)) return &o;
  for (const Option& o : table)
    if (for_command(o, command) && std::find(o.aliases.begin(), o.aliases.end(), name) != o.aliases.end()) return &o;
  return nullptr;
}

size_t parse(const std::vector<Option>& table, const std::vector<std::string>& args, const Grammar& g) {
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "--") {
      if (g.operand_ends_options) return i + 1;
      for (size_t k = i + 1; k < args.size(); k++) g.operand(args[k]);
      return args.size();
    }
    if (a.size() < 2 || a[0] != '-') {
      if (g.operand_ends_options) return i;
      g.operand(a);
      continue;
    }
    if (a[1] == '-') {
      parse_long(table, args, i, g);
      if (g.done && g.done()) return i + 1;
    } else if (!parse_short(table, args, i, g)) {
      return i + 1;
    }
  }
  return args.size();
}

std::string help_row(const std::string& left, const std::string& help, size_t width) {
  std::string s = "  " + left;
  if (s.size() < width) s.append(width - s.size(), ' ');
  else s += "  ";
  return s + help + "\n";
}

std::string help_rows(const std::vector<Option>& table, unsigned command, const HelpStyle& style) {
  std::string s;
  for (const Option& o : table) {
    if (!for_command(o, command)) continue;
    std::string left;
    if (o.short_name) left = std::string("-") + o.short_name + (o.long_name.empty() ? "" : ", ");
    else if (style.align_long) left = "    ";
    if (!o.long_name.empty()) left += "--" + o.long_name;
    if (!o.value_name.empty()) left += (o.long_name.empty() ? " " : style.value_separator) + o.value_name;
    std::string help = o.help;
    if (style.indent_continued)
      for (size_t at = help.find('\n'); at != std::string::npos; at = help.find('\n', at + 1))
        help.insert(at + 1, std::string(style.width, ' '));
    s += help_row(left, help, style.width);
  }
  return s;
}

const Subcommand* find_subcommand(const std::vector<Subcommand>& table, const std::vector<std::string>& args,
                                  std::vector<std::string>& rest) {
  const Subcommand* fallback = nullptr;
  for (const Subcommand& c : table) {
    if (!args.empty() && !c.name.empty() && c.name == args[0]) {
      rest.assign(args.begin() + 1, args.end());
      return &c;
    }
    if (c.name.empty()) fallback = &c;
  }
  rest = args;
  return fallback;
}

std::string synopsis_lines(const std::vector<Subcommand>& table, const std::string& label) {
  std::string s;
  for (const Subcommand& c : table) {
    if (c.hidden) continue;
    size_t from = 0;
    while (from <= c.synopsis.size()) {
      size_t end = c.synopsis.find('\n', from);
      if (end == std::string::npos) end = c.synopsis.size();
      s += (s.empty() ? label : std::string(label.size(), ' ')) + c.synopsis.substr(from, end - from) + "\n";
      from = end + 1;
    }
  }
  return s;
}

}  // namespace ecc::cmdline
