// ecli's option table. For run, only what comes before the file is ours.
#include "options.h"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>

#include "ecc/cmdline.h"
#include "ecc/runtime.h"

namespace ecc::ecli {

namespace {

double parse_seconds(const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(d > 0) || d > 1e9)
    throw Error(Exit::usage, "--duration needs a positive number of seconds, not '" + v + "'");
  return d;
}

uint64_t parse_count(const std::string& option, const std::string& v, uint64_t max) {
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(v.c_str(), &end, 0);
  if (v.empty() || v[0] == '-' || *end != '\0' || errno == ERANGE || n > max)
    throw Error(Exit::usage, option + " needs a whole number up to " + std::to_string(max) + ", not '" + v + "'");
  return n;
}

WasmEngine parse_engine(const std::string& v) {
  if (v == "auto") return WasmEngine::auto_select;
  if (v == "aot") return WasmEngine::aot;
  if (v == "interp") return WasmEngine::interp;
  throw Error(Exit::usage, "--engine is auto, aot or interp, not '" + v + "'");
}

// Every option of ecli and of the standalone executables, in the order
// ecli --help lists them.
std::vector<cmdline::Option> option_table(Options& o) {
  auto verbose = [&o](const std::string&) { o.run.verbose = o.registry.verbose = true; };
  auto on = [](bool& field) { return [&field](const std::string&) { field = true; }; };
  return {
      {'j', "json", "", "print events as JSON lines (inspect: one JSON document)", kRun | kPackage | kInspect,
       on(o.run.json)},
      {'d', "duration", "SECONDS", "stop after SECONDS", kRun | kStandalone,
       [&o](const std::string& v) { o.run.duration = parse_seconds(v); }},
      {'q', "quiet", "", "print no events or samples (metrics still count them)", kRun | kStandalone, on(o.run.quiet)},
      {0, "wakeup-batch", "USEC", "after a wake-up that read events, let more gather for USEC microseconds (default 1000; 0: none)",
       kRun | kStandalone, [](const std::string& v) {
         runtime::set_wakeup_batch(std::chrono::microseconds(parse_count("--wakeup-batch", v, 1000000)));
       }},
      {0, "metrics", "ADDR", "serve Prometheus metrics on ADDR (HOST:PORT, :PORT, [IPV6]:PORT) at /metrics", kRun | kStandalone,
       [&o](const std::string& v) { o.metrics.listen = v; }},
      {0, "metrics-max-series", "N", "at most N labelled metric series (default 10000)", kRun | kStandalone,
       [&o](const std::string& v) { o.metrics.max_series = static_cast<uint32_t>(parse_count("--metrics-max-series", v, UINT32_MAX)); }},
      {0, "otlp", "URL", "push the metrics as OTLP/HTTP JSON to URL (/v1/metrics) every 10 s", kRun | kStandalone,
       [&o](const std::string& v) { o.metrics.otlp = v; }},
      {0, "btf", "FILE", "kernel BTF FILE for CO-RE (default: the running kernel's)", kRun | kStandalone,
       [&o](const std::string& v) { o.run.btf_path = v; }},
      {0, "engine", "ENGINE", "APP.wasm: auto (aot when a C compiler is found), aot (wasm2c, cached) or interp",
       kRun | kWasm, [&o](const std::string& v) { o.engine = parse_engine(v); }},
      {0, "image", "NAME", "an OCI layout's image by its ref.name (a gadget layout holding several)", kRun | kInspect,
       [&o](const std::string& v) { o.image = v; }},
      {0, "mntns", "ID", "a gadget: only events of mount namespace ID (Inspektor Gadget's filter)", kRun,
       [&o](const std::string& v) { o.mntns = parse_count("--mntns", v, UINT64_MAX); }},
      {0, "max-entries", "N", "a top/map-iterator table: at most N rows an interval", kRun,
       [&o](const std::string& v) { o.run.max_rows = static_cast<uint32_t>(parse_count("--max-entries", v, UINT32_MAX)); }},
      {0, "sort", "FIELD", "a top/map-iterator table: sort by FIELD, -FIELD descending", kRun,
       [&o](const std::string& v) { o.run.sort = v; }},
      {0, "verify", "PUBKEY", "run, pull: refuse an image without a signature by PUBKEY (repeatable: any one)",
       kRun | kPull, [&o](const std::string& v) { o.verify_keys.push_back(v); }},
      {0, "key", "PUBKEY", "verify: the public key to check the signatures with (repeatable)", kVerify,
       [&o](const std::string& v) { o.verify_keys.push_back(v); }},
      {0, "policy", "FILE", "the trust policy (default /etc/ecli/policy.json when it exists)",
       kRun | kPull | kVerify, [&o](const std::string& v) { o.policy = v; }},
      {0, "sign", "KEY", "push: sign the pushed image with KEY (a PEM or cosign private key)", kPush,
       [&o](const std::string& v) { o.sign_key = v; }},
      {'o', "output", "FILE", "pull: write the module or package to FILE (default: its title)", kPull,
       [&o](const std::string& v) { o.output = v; }},
      {'u', "user", "USER", "registry user; the password is read from stdin", kRegistry,
       [&o](const std::string& v) { o.user = v; }},
      {0, "password-stdin", "", "read the registry password from stdin (with -u)", kRegistry, on(o.password_stdin)},
      {0, "plain-http", "", "talk to the registry over plain HTTP", kRegistry, on(o.registry.plain_http)},
      {0, "insecure", "", "do not verify the registry's TLS certificate", kRegistry, on(o.registry.insecure)},
      {'v', "verbose", "", "print libbpf's debug output and each registry request", kRegistry | kCompile, verbose},
      {'v', "verbose", "", "print libbpf's debug output", kStandalone, verbose},
      {'h', "help", "", "show this help", kEcli | kStandalone, on(o.help)},
  };
}

// ecli's options for `command`: an unknown one is an error naming it.
cmdline::Grammar command_grammar(const Options& o, unsigned command, const std::string& name) {
  cmdline::Grammar g;
  g.command = command;
  g.unknown = [command, name](const std::string& spelling, const std::string&) {
    std::string where = command == kRun ? " (ecli's options come before the package)" : "";
    throw Error(Exit::usage, "unknown option '" + spelling + "' for ecli " + name + where);
  };
  g.done = [&o] { return o.help; };
  return g;
}

// The one rule for a clash between the program's options and the runner's
// in an executable `ecc --standalone` writes: a spelling the program has is
// the program's. The runner's option keeps its other spelling (`-d` taken:
// --duration still works), and is gone when the program has both. -h and
// --help stay the runner's: program options never take them
// (ecc/program_options.h).
std::vector<cmdline::Option> runner_options(Options& o, unsigned command, const std::vector<cmdline::Option>& program) {
  std::vector<cmdline::Option> out;
  for (cmdline::Option& r : option_table(o)) {
    if (!(r.commands & command)) continue;
    if (cmdline::find_short(program, r.short_name)) r.short_name = 0;
    if (cmdline::find_long(program, r.long_name)) r.long_name.clear();
    if (r.short_name || !r.long_name.empty()) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Options parse_run_args(const std::vector<std::string>& args) {
  Options o;
  cmdline::Grammar g = command_grammar(o, kRun, "run");
  g.operand_ends_options = true;
  size_t i = cmdline::parse(option_table(o), args, g);
  if (o.help) return o;
  if (i >= args.size())
    throw Error(Exit::usage, "no package given (ecli run [options] PACKAGE.json|APP.wasm|URL|REF [program options])");
  o.file = args[i];
  o.program_args.assign(args.begin() + static_cast<long>(i) + 1, args.end());
  check_credentials(o);
  return o;
}

std::vector<std::string> parse_command_args(Options& o, unsigned command, const std::string& name,
                                            const std::vector<std::string>& args) {
  std::vector<std::string> operands;
  cmdline::Grammar g = command_grammar(o, command, name);
  g.operand = [&operands](const std::string& a) { operands.push_back(a); };
  cmdline::parse(option_table(o), args, g);
  return operands;
}

void check_credentials(const Options& o) {
  if (!o.user.empty() && !o.password_stdin) throw Error(Exit::usage, "-u USER needs --password-stdin");
  if (o.user.empty() && o.password_stdin) throw Error(Exit::usage, "--password-stdin needs -u USER");
}

std::string option_help() {
  Options unused;
  return cmdline::help_rows(option_table(unused), kEcli, {28, true, " ", false});
}

StandaloneArgs parse_standalone_args(const std::vector<std::string>& args, bool wasm,
                                     const std::vector<loader::ProgOption>& program) {
  StandaloneArgs r;
  // The program's options go to it as --long=VALUE, for its own parser.
  std::vector<cmdline::Option> table = loader::program_option_table(
      program, [&r](const loader::ProgOption& o, const std::string& text) {
        r.program_args.push_back("--" + o.long_name + "=" + text);
      });
  for (cmdline::Option& o : runner_options(r.ecli, wasm ? kWasm : kPackage, table)) {
    // An app prints its own usage; the runner's options follow it.
    if (o.short_name == 'h' || o.long_name == "help")
      o.apply = [&r](const std::string&) { r.help = true, r.program_args.push_back("--help"); };
    table.push_back(std::move(o));
  }
  cmdline::Grammar g;
  g.operand = [&r](const std::string& a) { r.program_args.push_back(a); };
  g.unknown = [&r](const std::string&, const std::string& arg) { r.program_args.push_back(arg); };
  cmdline::parse(table, args, g);
  return r;
}

std::string standalone_usage_text(bool wasm, const std::vector<loader::ProgOption>& program) {
  Options unused;
  unsigned command = wasm ? kWasm : kPackage;
  std::vector<cmdline::Option> table = runner_options(unused, command, loader::program_option_table(program, {}));
  std::erase_if(table, [](const cmdline::Option& o) { return o.long_name == "help"; });  // in the program's usage
  std::string s = "\nRunner options (ecli run's, built in):\n" + cmdline::help_rows(table, command, {30, true, " ", false}) +
                  cmdline::help_row("--", "pass the rest to the program as it is", 30);
  // Where the rule took a spelling from the runner, say so.
  std::string taken;
  std::vector<cmdline::Option> program_table = loader::program_option_table(program, {});
  for (const cmdline::Option& o : option_table(unused)) {
    if (!(o.commands & command)) continue;
    if (cmdline::find_short(program_table, o.short_name)) taken += std::string(taken.empty() ? "" : ", ") + "-" + o.short_name;
    if (cmdline::find_long(program_table, o.long_name)) taken += (taken.empty() ? "--" : ", --") + o.long_name;
  }
  if (!taken.empty()) s += "The program's own: " + taken + " (a spelling both have is the program's).\n";
  return s;
}

}  // namespace ecc::ecli
