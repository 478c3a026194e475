// ecli's option table. For run, only what comes before the file is ours.
#include "options.h"

#include <cstdlib>
#include <functional>

namespace ecc::ecli {

namespace {

// Which commands take an option.
// kPackage and kWasm: the executables `ecc --standalone` writes.
enum : unsigned {
  kRun = 1,
  kPull = 2,
  kPush = 4,
  kCompile = 8,
  kPackage = 16,
  kWasm = 32,
  kRegistry = kRun | kPull | kPush,
  kStandalone = kPackage | kWasm
};

struct OptionSpec {
  const char* short_name;  // "-j" or nullptr
  const char* long_name;   // "--json"
  const char* value_name;  // "SECONDS", or nullptr for a switch
  unsigned commands;
  const char* help;
  std::function<void(Options&, const std::string&)> apply;
  const char* standalone_help = nullptr;  // where `help` says more than a standalone executable does
};

double parse_seconds(const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(d > 0) || d > 1e9)
    throw Error(Exit::usage, "--duration needs a positive number of seconds, not '" + v + "'");
  return d;
}

WasmEngine parse_engine(const std::string& v) {
  if (v == "auto") return WasmEngine::auto_select;
  if (v == "aot") return WasmEngine::aot;
  if (v == "interp") return WasmEngine::interp;
  throw Error(Exit::usage, "--engine is auto, aot or interp, not '" + v + "'");
}

const std::vector<OptionSpec>& table() {
  static const std::vector<OptionSpec> t = {
      {"-j", "--json", nullptr, kRun | kPackage, "print events as JSON lines", [](Options& o, const std::string&) { o.run.json = true; }},
      {"-d", "--duration", "SECONDS", kRun | kStandalone, "stop after SECONDS",
       [](Options& o, const std::string& v) { o.run.duration = parse_seconds(v); }},
      {nullptr, "--btf", "FILE", kRun | kStandalone, "kernel BTF FILE for CO-RE (default: the running kernel's)",
       [](Options& o, const std::string& v) { o.run.btf_path = v; }},
      {nullptr, "--engine", "ENGINE", kRun | kWasm,
       "APP.wasm: auto (aot when a C compiler is found), aot (wasm2c, cached) or interp",
       [](Options& o, const std::string& v) { o.engine = parse_engine(v); }},
      {"-o", "--output", "FILE", kPull, "pull: write the module or package to FILE (default: its title)",
       [](Options& o, const std::string& v) { o.output = v; }},
      {"-u", "--user", "USER", kRegistry, "registry user; the password is read from stdin",
       [](Options& o, const std::string& v) { o.user = v; }},
      {nullptr, "--password-stdin", nullptr, kRegistry, "read the registry password from stdin (with -u)",
       [](Options& o, const std::string&) { o.password_stdin = true; }},
      {nullptr, "--plain-http", nullptr, kRegistry, "talk to the registry over plain HTTP",
       [](Options& o, const std::string&) { o.registry.plain_http = true; }},
      {nullptr, "--insecure", nullptr, kRegistry, "do not verify the registry's TLS certificate",
       [](Options& o, const std::string&) { o.registry.insecure = true; }},
      {"-v", "--verbose", nullptr, kRegistry | kCompile | kStandalone, "print libbpf's debug output and each registry request",
       [](Options& o, const std::string&) { o.run.verbose = o.registry.verbose = true; }, "print libbpf's debug output"},
      {"-h", "--help", nullptr, kRegistry | kCompile | kStandalone, "show this help", [](Options& o, const std::string&) { o.command = Command::help; }},
  };
  return t;
}

unsigned mask_of(Command c) {
  return c == Command::pull ? kPull : c == Command::push ? kPush : c == Command::compile ? kCompile : kRun;
}

const char* command_name(Command c) {
  return c == Command::pull ? "pull" : c == Command::push ? "push" : c == Command::compile ? "compile" : "run";
}

// An option argument split into its spelling ("-d", "--btf") and the value
// given with it ("-d5", "--btf=FILE"); false when `a` is not an option.
struct Spelled {
  std::string name, value;
  bool has_inline = false;
};
bool spell(const std::string& a, Spelled& s) {
  if (a.empty() || a[0] != '-' || a == "-") return false;
  s = {a, {}, false};
  if (a.rfind("--", 0) == 0) {
    if (auto eq = a.find('='); eq != std::string::npos) s = {a.substr(0, eq), a.substr(eq + 1), true};
  } else if (a.size() > 2) {
    s = {a.substr(0, 2), a.substr(2), true};
  }
  return true;
}

const OptionSpec* find_spec(const std::string& name, unsigned mask) {
  for (const auto& s : table())
    if (((s.short_name && name == s.short_name) || name == s.long_name) && (s.commands & mask)) return &s;
  return nullptr;
}

// Applies the option at args[i] (and its value); false when args[i] is not
// an option.
bool take_option(Options& o, const std::vector<std::string>& args, size_t& i, unsigned mask) {
  Spelled sp;
  if (!spell(args[i], sp)) return false;
  const std::string& name = sp.name;
  std::string value = sp.value;
  bool has_inline = sp.has_inline;
  const OptionSpec* spec = find_spec(name, mask);
  if (!spec) {
    std::string where = o.command == Command::run ? " (ecli's options come before the package)" : "";
    throw Error(Exit::usage, "unknown option '" + name + "' for ecli " + command_name(o.command) + where);
  }
  if (spec->value_name && !has_inline) {
    if (i + 1 >= args.size()) throw Error(Exit::usage, "option '" + name + "' needs a value");
    value = args[++i];
  } else if (!spec->value_name && has_inline) {
    throw Error(Exit::usage, "option '" + name + "' takes no value");
  }
  spec->apply(o, value);
  return true;
}

void check_credentials_options(const Options& o) {
  if (!o.user.empty() && !o.password_stdin) throw Error(Exit::usage, "-u USER needs --password-stdin");
  if (o.user.empty() && o.password_stdin) throw Error(Exit::usage, "--password-stdin needs -u USER");
}

// run: options, then the file; the rest is the program's.
void parse_run(Options& o, const std::vector<std::string>& args) {
  size_t i = 1;
  for (; i < args.size(); i++) {
    if (!take_option(o, args, i, mask_of(o.command))) break;
    if (o.command == Command::help) return;
  }
  if (i >= args.size())
    throw Error(Exit::usage, "no package given (ecli run [options] PACKAGE.json|APP.wasm|URL|REF [program options])");
  o.file = args[i];
  o.program_args.assign(args.begin() + static_cast<long>(i) + 1, args.end());
}

// pull and push: options anywhere, then exactly the positional arguments.
void parse_transfer(Options& o, const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  for (size_t i = 1; i < args.size(); i++) {
    if (take_option(o, args, i, mask_of(o.command))) {
      if (o.command == Command::help) return;
      continue;
    }
    positional.push_back(args[i]);
  }
  if (o.command == Command::compile) {
    if (positional.size() != 1) throw Error(Exit::usage, "ecli compile takes one APP.wasm (ecli compile [options] APP.wasm)");
    o.file = positional[0];
  } else if (o.command == Command::pull) {
    if (positional.size() != 1) throw Error(Exit::usage, "ecli pull takes one REF (ecli pull [options] REF [-o FILE])");
    o.reference = positional[0];
  } else {
    if (positional.size() != 2) throw Error(Exit::usage, "ecli push takes FILE and REF (ecli push [options] FILE REF)");
    o.file = positional[0];
    o.reference = positional[1];
  }
}

// The standalone options that are the runner's: those whose spelling the
// program does not have.
const OptionSpec* standalone_spec(const std::string& name, bool wasm, const ProgramArity& program_arity) {
  const OptionSpec* spec = find_spec(name, wasm ? kWasm : kPackage);
  return spec && program_arity(name) < 0 ? spec : nullptr;
}

}  // namespace

StandaloneArgs parse_standalone_args(const std::vector<std::string>& args, bool wasm,
                                     const ProgramArity& program_arity) {
  StandaloneArgs r;
  for (size_t i = 0; i < args.size(); i++) {
    Spelled sp;
    if (args[i] == "--") {
      r.program_args.insert(r.program_args.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (!spell(args[i], sp)) {
      r.program_args.push_back(args[i]);
      continue;
    }
    if (standalone_spec(sp.name, wasm, program_arity)) {
      take_option(r.ecli, args, i, wasm ? kWasm : kPackage);
      if (r.ecli.command == Command::help) {
        r.help = true;
        r.ecli.command = Command::run;
        // An app prints its own usage; the runner's options follow it.
        if (wasm) r.program_args.push_back(args[i]);
      }
      continue;
    }
    r.program_args.push_back(args[i]);
    if (program_arity(sp.name) == 1 && !sp.has_inline && i + 1 < args.size()) r.program_args.push_back(args[++i]);
  }
  return r;
}

std::string standalone_usage_text(bool wasm, const ProgramArity& program_arity) {
  std::string s = "\nRunner options (ecli run's, built in):\n";
  for (const auto& o : table()) {
    // -h is in the program's usage already.
    if (!(o.commands & (wasm ? kWasm : kPackage)) || std::string(o.long_name) == "--help") continue;
    bool has_short = o.short_name && program_arity(o.short_name) < 0;
    if (program_arity(o.long_name) >= 0 && !has_short) continue;
    std::string left = std::string("  ") + (has_short ? std::string(o.short_name) + ", " : "    ");
    left += program_arity(o.long_name) < 0 ? o.long_name : "";
    if (o.value_name) left += std::string(" ") + o.value_name;
    if (left.size() < 30) left.append(30 - left.size(), ' ');
    s += left + (o.standalone_help ? o.standalone_help : o.help) + "\n";
  }
  s += "  --                          pass the rest to the program as it is\n";
  return s;
}

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
  if (args[0] == "run") o.command = Command::run;
  else if (args[0] == "pull") o.command = Command::pull;
  else if (args[0] == "push") o.command = Command::push;
  else if (args[0] == "compile") o.command = Command::compile;
  else throw Error(Exit::usage, "unknown command '" + args[0] + "' (try 'ecli --help')");
  if (o.command == Command::run) parse_run(o, args);
  else parse_transfer(o, args);
  if (o.command != Command::help) check_credentials_options(o);
  return o;
}

std::string usage_text() {
  std::string s =
      "Usage: ecli run [options] PACKAGE.json [program options]\n"
      "       ecli run [options] APP.wasm [app arguments]\n"
      "       ecli run [options] URL|REF [program options]\n"
      "       ecli pull [options] REF [-o FILE]\n"
      "       ecli push [options] FILE REF\n"
      "       ecli compile [-v] APP.wasm\n"
      "\n"
      "Loads the package's BPF object (CO-RE against the running kernel), sets\n"
      "its globals from the program options, attaches every program and prints\n"
      "its events and sampled maps until -d or SIGINT/SIGTERM.\n"
      "'ecli run PACKAGE.json -h' lists the program's own options.\n"
      "An APP.wasm (built by `ecc build-wasm`) runs in ecli's WebAssembly host\n"
      "with the wasm_bpf host functions; -d and --btf apply to it too, and its\n"
      "exit code is ecli's. By default (--engine auto) an app runs ahead-of-time\n"
      "compiled: wasm2c and the host's C compiler ($CC, else cc) build it once\n"
      "into $XDG_CACHE_HOME/ecc/aot (else ~/.cache/ecc/aot); without a C\n"
      "compiler it runs in the interpreter. 'ecli compile APP.wasm' fills that\n"
      "cache ahead of time.\n"
      "\n"
      "REF is an OCI reference, host[:port]/repository[:tag|@sha256:digest]\n"
      "(tag 'latest' by default); URL is http:// or https://. A path that exists\n"
      "is always a file. push stores an app.wasm or package.json in a registry\n"
      "(the wasm-to-oci layout); pull and run fetch it into the cache under\n"
      "$XDG_CACHE_HOME/ecc/oci, checked against its digest; run REF@sha256:...\n"
      "runs a cached digest without the network. Credentials come from\n"
      "$DOCKER_CONFIG/config.json or ~/.docker/config.json, or from\n"
      "-u USER --password-stdin; CA files from /etc/containers/certs.d and\n"
      "/etc/docker/certs.d.\n"
      "\nOptions:\n";
  for (const auto& o : table()) {
    std::string left = std::string("  ") + (o.short_name ? std::string(o.short_name) + ", " : "    ") + o.long_name;
    if (o.value_name) left += std::string(" ") + o.value_name;
    if (left.size() < 28) left.append(28 - left.size(), ' ');
    s += left + (o.commands == kRun ? "run: " : "") + o.help + "\n";
  }
  s +=
      "\nExit status: 0 success (also after SIGINT/SIGTERM or -d), 1 bad package,\n"
      "option value or registry answer, 2 usage error (unknown option, missing\n"
      "value), 3 the kernel refused to load or attach (the verifier log tail is\n"
      "printed).\n";
  return s;
}

}  // namespace ecc::ecli
