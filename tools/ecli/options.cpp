// ecli's option table. Only what comes before the package is ours.
#include "options.h"

#include <cstdlib>
#include <functional>

namespace ecc::ecli {

namespace {

struct OptionSpec {
  const char* short_name;  // "-j" or nullptr
  const char* long_name;   // "--json"
  bool takes_value;
  const char* help;
  std::function<void(Options&, const std::string&)> apply;
};

double parse_seconds(const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(d > 0) || d > 1e9)
    throw Error(Exit::usage, "--duration needs a positive number of seconds, not '" + v + "'");
  return d;
}

const std::vector<OptionSpec>& table() {
  static const std::vector<OptionSpec> t = {
      {"-j", "--json", false, "print events as JSON lines", [](Options& o, const std::string&) { o.run.json = true; }},
      {"-d", "--duration", true, "stop after SECONDS",
       [](Options& o, const std::string& v) { o.run.duration = parse_seconds(v); }},
      {nullptr, "--btf", true, "kernel BTF FILE for CO-RE (default: the running kernel's)",
       [](Options& o, const std::string& v) { o.run.btf_path = v; }},
      {"-v", "--verbose", false, "print libbpf's debug output", [](Options& o, const std::string&) { o.run.verbose = true; }},
      {"-h", "--help", false, "show this help", [](Options& o, const std::string&) { o.command = Command::help; }},
  };
  return t;
}

}  // namespace

Options parse_options(const std::vector<std::string>& args) {
  Options o;
  if (args.empty()) throw Error(Exit::usage, "no command (try 'ecli run PACKAGE.json' or 'ecli --help')");
  if (args[0] == "-h" || args[0] == "--help") {
    o.command = Command::help;
    return o;
  }
  if (args[0] == "--version") {
    o.command = Command::version;
    return o;
  }
  if (args[0] != "run") throw Error(Exit::usage, "unknown command '" + args[0] + "' (try 'ecli --help')");
  size_t i = 1;
  for (; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a.empty() || a[0] != '-' || a == "-") break;  // the file: the rest is the program's
    std::string name = a, value;
    bool has_inline = false;
    if (a.rfind("--", 0) == 0) {
      if (auto eq = a.find('='); eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        has_inline = true;
      }
    } else if (a.size() > 2) {
      name = a.substr(0, 2);
      value = a.substr(2);
      has_inline = true;
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : table())
      if ((s.short_name && name == s.short_name) || name == s.long_name) spec = &s;
    if (!spec) throw Error(Exit::usage, "unknown option '" + name + "' (ecli's options come before the package)");
    if (spec->takes_value && !has_inline) {
      if (i + 1 >= args.size()) throw Error(Exit::usage, "option '" + name + "' needs a value");
      value = args[++i];
    } else if (!spec->takes_value && has_inline) {
      throw Error(Exit::usage, "option '" + name + "' takes no value");
    }
    spec->apply(o, value);
    if (o.command == Command::help) return o;
  }
  if (i >= args.size()) throw Error(Exit::usage, "no package given (ecli run [options] PACKAGE.json [program options])");
  o.file = args[i];
  o.program_args.assign(args.begin() + static_cast<long>(i) + 1, args.end());
  return o;
}

std::string usage_text() {
  std::string s =
      "Usage: ecli run [options] PACKAGE.json [program options]\n"
      "       ecli run [options] APP.wasm [app arguments]\n"
      "\n"
      "Loads the package's BPF object (CO-RE against the running kernel), sets\n"
      "its globals from the program options, attaches every program and prints\n"
      "its events and sampled maps until -d or SIGINT/SIGTERM.\n"
      "'ecli run PACKAGE.json -h' lists the program's own options.\n"
      "An APP.wasm (built by `ecc build-wasm`) runs in ecli's WebAssembly host\n"
      "with the wasm_bpf host functions; -d and --btf apply to it too, and its\n"
      "exit code is ecli's.\n"
      "\nOptions:\n";
  for (const auto& o : table()) {
    std::string left = std::string("  ") + (o.short_name ? std::string(o.short_name) + ", " : "    ") + o.long_name;
    if (o.takes_value) left += o.long_name == std::string("--btf") ? " FILE" : " SECONDS";
    if (left.size() < 28) left.append(28 - left.size(), ' ');
    s += left + o.help + "\n";
  }
  s +=
      "\nExit status: 0 success (also after SIGINT/SIGTERM or -d), 1 bad package or\n"
      "option value, 2 usage error (unknown option, missing value), 3 the kernel\n"
      "refused to load or attach (the verifier log tail is printed).\n";
  return s;
}

}  // namespace ecc::ecli
