// Program options generated from the package's data sections (docs/ecli.md):
// `--<var>` or the cmdarg long/short names (ecc/program_options.h's rule),
// values parsed by the variable's BTF type and range-checked before anything
// is loaded.
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "ecc/loader.h"
#include "ecc/program_options.h"

namespace ecc::loader {

namespace {

std::string json_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string display_name(const ProgOption& o) { return "--" + o.long_name; }

// Parses a whole integer: decimal or 0x hex, optional sign.
bool parse_integer(const std::string& text, bool& negative, unsigned long long& magnitude) {
  std::string s = text;
  negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.erase(0, 2);
  }
  if (s.empty() || !std::isxdigit(static_cast<unsigned char>(s[0]))) return false;
  errno = 0;
  char* end = nullptr;
  magnitude = std::strtoull(s.c_str(), &end, base);
  return errno == 0 && *end == '\0';
}

void put_le(std::vector<uint8_t>& out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

[[noreturn]] void bad_value(const ProgOption& o, const std::string& text, const std::string& why) {
  throw Error(Exit::bad_input, "invalid value '" + text + "' for " + display_name(o) + ": " + why);
}

void encode_integer(const ProgOption& o, const Field& f, const std::string& text, std::vector<uint8_t>& out) {
  bool neg;
  unsigned long long mag;
  if (!parse_integer(text, neg, mag)) bad_value(o, text, "not an integer");
  unsigned bits = f.size * 8;
  if (bits == 0 || bits > 64) bad_value(o, text, "a " + std::to_string(bits) + "-bit integer cannot be set");
  uint64_t v;
  if (f.is_signed) {
    unsigned long long max_pos = (bits == 64 ? ~0ull : (1ull << bits) - 1) >> 1;
    if ((!neg && mag > max_pos) || (neg && mag > max_pos + 1))
      bad_value(o, text, "out of range for a signed " + std::to_string(bits) + "-bit integer");
    v = neg ? ~static_cast<uint64_t>(mag) + 1 : mag;
  } else {
    unsigned long long max = bits == 64 ? ~0ull : (1ull << bits) - 1;
    if (neg && mag != 0) bad_value(o, text, "negative for an unsigned integer");
    if (mag > max) bad_value(o, text, "out of range for an unsigned " + std::to_string(bits) + "-bit integer");
    v = mag;
  }
  put_le(out, v, f.size);
}

}  // namespace

ProgOption variable_setting(const Package& pkg, const DataSection& ds, const Variable& v) {
  ProgOption o;
  o.section = ds.name;
  o.map_ident = ds.map_ident;
  o.var = v.name;
  o.offset = v.offset;
  o.size = v.size;
  o.type = layout_of(pkg.object.types, v.type, v.name);
  return o;
}

std::vector<ProgOption> program_options(const Package& pkg) {
  std::vector<ProgOption> out;
  // The object's DATASECs give offsets, sizes and types; the meta only docs.
  // Every variable is an option: encode_value() says which types cannot be set.
  auto every = [](const DataSection&, const Variable&) { return true; };
  for (const VariableOption& v : variable_options(pkg.object, every)) {
    ProgOption o = variable_setting(pkg, *v.section, *v.var);
    o.long_name = v.long_name;
    if (v.short_name) o.short_name = std::string(1, v.short_name);
    o.help = v.help;
    o.default_value = v.default_value;
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<cmdline::Option> program_option_table(const std::vector<ProgOption>& opts, const ProgOptionSetter& set,
                                                  const std::function<void()>& help) {
  std::vector<cmdline::Option> table;
  for (const ProgOption& o : opts) {
    cmdline::Option c;
    c.short_name = o.short_name.empty() ? 0 : o.short_name[0];
    c.long_name = o.long_name;
    // A bool is a switch, and also takes --name=false.
    if (o.type.kind == Field::Kind::Bool) c.bare_value = "true";
    else c.value_name = "VALUE";
    c.help = o.help + " [" + o.section + " " + o.var + "]";
    if (!o.default_value.is_null()) c.help += " (default: " + json_text(o.default_value) + ")";
    c.apply = [set, &o](const std::string& text) { set(o, text); };
    table.push_back(std::move(c));
  }
  // --<variable> too, where no option is named so.
  for (size_t k = 0; k < opts.size(); k++)
    if (opts[k].var != "help" && !cmdline::find_long(table, opts[k].var)) table[k].aliases.push_back(opts[k].var);
  if (help) table.push_back({'h', "help", "", "show this help and exit", ~0u, [help](const std::string&) { help(); }});
  return table;
}

std::vector<uint8_t> encode_value(const ProgOption& o, const std::string& text) {
  const Field& f = o.type;
  std::vector<uint8_t> out(f.size, 0);
  switch (f.kind) {
    case Field::Kind::Int:
    case Field::Kind::Char:
      encode_integer(o, f, text, out);
      break;
    case Field::Kind::Bool:
      if (text == "true" || text == "1" || text == "yes") out[0] = 1;
      else if (text != "false" && text != "0" && text != "no") bad_value(o, text, "not a boolean (true/false)");
      break;
    case Field::Kind::String:
      if (text.size() + 1 > f.size)
        bad_value(o, text, "longer than " + std::to_string(f.size - 1) + " characters");
      std::memcpy(out.data(), text.data(), text.size());
      break;
    case Field::Kind::Enum: {
      Field as_int = f;
      as_int.kind = Field::Kind::Int;
      for (const auto& v : f.values)
        if (v.name == text) {
          as_int.is_signed = v.value < 0 || f.is_signed;
          encode_integer(o, as_int, std::to_string(v.value), out);
          return out;
        }
      try {
        encode_integer(o, as_int, text, out);
      } catch (const Error&) {
        std::string names;
        for (const auto& v : f.values) names += (names.empty() ? "" : ", ") + v.name;
        bad_value(o, text, "not one of " + names + " or a number in range");
      }
      break;
    }
    case Field::Kind::Float: {
      errno = 0;
      char* end = nullptr;
      double d = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || errno == ERANGE) bad_value(o, text, "not a floating-point number");
      if (f.size == 4) {
        if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max())
          bad_value(o, text, "out of range for a float");
        float v = static_cast<float>(d);
        std::memcpy(out.data(), &v, 4);
      } else if (f.size == 8) {
        std::memcpy(out.data(), &d, 8);
      } else {
        bad_value(o, text, "a " + std::to_string(f.size) + "-byte float cannot be set");
      }
      break;
    }
    default:
      bad_value(o, text, "this type cannot be set from the command line");
  }
  return out;
}

std::vector<ProgSetting> parse_program_args(const std::vector<ProgOption>& opts, const std::vector<std::string>& args,
                                            bool& help, std::vector<cmdline::Option> extra) {
  help = false;
  std::vector<ProgSetting> out;
  std::vector<bool> given(opts.size(), false);
  auto set = [&](const ProgOption& o, const std::string& text) {
    out.push_back({&o, encode_value(o, text), text});
    given[static_cast<size_t>(&o - opts.data())] = true;
  };
  cmdline::Grammar g;
  g.operand = [](const std::string& a) {
    throw Error(Exit::usage, "unexpected argument '" + a + "' (program options start with - or --)");
  };
  g.unknown = [](const std::string& spelling, const std::string&) {
    throw Error(Exit::usage, "unknown program option '" + spelling + "' (see -h)");
  };
  auto table = program_option_table(opts, set, [&help] { help = true; });
  table.insert(table.end() - 1, extra.begin(), extra.end());  // before -h
  cmdline::parse(table, args, g);
  // Defaults from cmdarg go first so that a given value wins.
  std::vector<ProgSetting> defaults;
  for (size_t k = 0; k < opts.size(); k++)
    if (!given[k] && !opts[k].default_value.is_null())
      defaults.push_back({&opts[k], encode_value(opts[k], json_text(opts[k].default_value)), json_text(opts[k].default_value)});
  defaults.insert(defaults.end(), out.begin(), out.end());
  return defaults;
}

std::string program_usage(const Package& pkg, const std::vector<ProgOption>& opts, std::vector<cmdline::Option> extra) {
  std::string s = "Usage: ecli run " + pkg.path + " [options]\n";
  if (const Json& d = pkg.object.doc; d.is_object()) {
    if (d.contains("brief")) s += "\n" + json_text(d["brief"]) + "\n";
    if (d.contains("details")) s += "\n" + json_text(d["details"]) + "\n";
    if (d.contains("version")) s += "\nVersion: " + json_text(d["version"]) + "\n";
  }
  auto table = program_option_table(opts, [](const ProgOption&, const std::string&) {}, [] {});
  table.insert(table.end() - 1, extra.begin(), extra.end());
  return s + "\nOptions:\n" + cmdline::help_rows(table, ~0u, {30, true, "=", false});
}

}  // namespace ecc::loader
