#include "commands.h"

#include <iostream>

#include "distribute.h"
#include "ecc/btf_file.h"
#include "ecc/open_guard.h"
#include "ecc/step_times.h"
#include "inspect_command.h"
#include "options.h"
#include "run_file.h"
#include "run_gadget.h"
#include "run_wasm.h"
#include "metrics_run.h"

namespace ecc::ecli {

namespace {

std::string usage_text() {
  return cmdline::synopsis_lines(subcommands(), "Usage: ") +
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
         "'ecli inspect FILE' prints what its BPF programs may do to the kernel:\n"
         "each program's type, attach target, helpers and kfuncs (dangerous ones\n"
         "flagged), and the maps, read without loading anything (docs/trust.md).\n"
         "\n"
         "REF is an OCI reference, host[:port]/repository[:tag|@sha256:digest]\n"
         "(tag 'latest' by default); URL is http:// or https://. A path that exists\n"
         "is always a file. push stores an app.wasm or package.json in a registry\n"
         "(the wasm-to-oci layout); pull and run fetch it into the cache under\n"
         "$XDG_CACHE_HOME/ecc/oci, checked against its digest; run REF@sha256:...\n"
         "runs a cached digest without the network. An Inspektor Gadget image\n"
         "(a reference, an OCI image layout directory or its tar; --image NAME\n"
         "picks one of several) runs as a gadget: its params are its options.\n"
         "Credentials come from\n"
         "$DOCKER_CONFIG/config.json or ~/.docker/config.json, or from\n"
         "-u USER --password-stdin; CA files from /etc/containers/certs.d and\n"
         "/etc/docker/certs.d.\n"
         "\n"
         "Trust (docs/trust.md): push --sign KEY and sign KEY REF sign an image in\n"
         "cosign's layout (KEY: a PEM EC key or cosign's encrypted key, its\n"
         "password from $COSIGN_PASSWORD); run|pull --verify PUBKEY refuse an image\n"
         "no listed key signed. The policy file (--policy, else\n"
         "/etc/ecli/policy.json) is containers-policy.json(5) with per-scope bpf\n"
         "rules checked on every object before it is loaded.\n"
         "\nOptions:\n" +
         option_help() +
         "\nExit status: 0 success (also after SIGINT/SIGTERM or -d), 1 bad package,\n"
         "option value or registry answer, 2 usage error (unknown option, missing\n"
         "value), 3 the kernel refused to load or attach (the verifier log tail is\n"
         "printed).\n";
}

int help(const std::vector<std::string>&) {
  std::cout << usage_text();
  return 0;
}

int version(const std::vector<std::string>&) {
  std::cout << "ecli " << ECC_VERSION << "\n";
  return 0;
}

int run(const std::vector<std::string>& args) {
  Options o = parse_run_args(args);
  if (o.help) return help(args);
  runtime::time_steps(o.run.verbose);
  // An object that survived the open guard once is not opened in a child again.
  keep_open_survivors();
  // A bad --btf is the user's file, named before anything is fetched or loaded.
  if (!o.run.btf_path.empty()) check_btf_file(o.run.btf_path);
  // A URL or a reference runs from the cache exactly as a local file; an
  // Inspektor Gadget image (a reference, an OCI layout or its tar) as a
  // gadget (docs/gadget.md).
  // The trust policy judges the target before it is cached or run, and
  // every object before libbpf opens it (docs/trust.md).
  TrustGuard guard(o);
  runtime::step_done("policy");
  const RunTarget target = resolve_run_target(o, o.image, guard);
  runtime::step_done("target");
  o.run.load_check = guard.load_check(o.file);
  // A package's or an app's objects are judged before anything runs; the
  // runtime judges each again as it is opened (an app may make others).
  if (o.run.load_check)
    guard.check_objects(target.gadget ? std::vector<NamedObject>{{o.file, target.gadget->ebpf}}
                                      : objects_of_file(target.file, ""));
  runtime::step_done("load rules");
  // --metrics listens before anything is loaded: a busy port is said first.
  MetricsRun metrics(o, program_label(o.file), o.file);
  runtime::step_done("metrics");
  if (target.gadget) {
    const oci::GadgetImage& g = *target.gadget;
    return run_gadget({g.where, g.metadata, g.ebpf, g.wasm, g.btfgen}, o.program_args, o.run, o.mntns);
  }
  if (!o.image.empty()) throw Error(Exit::usage, "--image: '" + o.file + "' is not an OCI image layout");
  if (o.mntns) throw Error(Exit::usage, "--mntns applies to Inspektor Gadget images only");
  const std::string& file = target.file;
  // An app.wasm carries its own object and options (docs/wasm-host-abi.md).
  // A local file runs from the bytes the policy judged, read once.
  if (const auto& bytes = target.bytes) {
    if (is_wasm_module(*bytes)) return run_wasm_module(*bytes, file, o.program_args, o.run, o.engine);
    return run_package_bytes(*bytes, file, o.program_args, o.run);
  }
  if (is_wasm_file(file)) return run_wasm(file, o.program_args, o.run, o.engine);
  return run_package_file(file, o.program_args, o.run);
}

// pull, push and compile: the operands after the options, exactly as many as
// `wanted` says (else the `wrong` message), then the credentials checked.
Options operands(unsigned command, const std::string& name, const std::vector<std::string>& args, size_t wanted,
                 const std::string& wrong, std::vector<std::string>& out) {
  Options o;
  out = parse_command_args(o, command, name, args);
  if (o.help) return o;
  if (out.size() != wanted) throw Error(Exit::usage, wrong);
  check_credentials(o);
  return o;
}

int pull(const std::vector<std::string>& args) {
  std::vector<std::string> ops;
  Options o = operands(kPull, "pull", args, 1, "ecli pull takes one REF (ecli pull [options] REF [-o FILE])", ops);
  if (o.help) return help(args);
  o.reference = ops[0];
  return pull_command(o);
}

int push(const std::vector<std::string>& args) {
  std::vector<std::string> ops;
  Options o = operands(kPush, "push", args, 2, "ecli push takes FILE and REF (ecli push [options] FILE REF)", ops);
  if (o.help) return help(args);
  o.file = ops[0];
  o.reference = ops[1];
  return push_command(o);
}

int sign(const std::vector<std::string>& args) {
  std::vector<std::string> ops;
  Options o = operands(kSign, "sign", args, 2, "ecli sign takes KEY and REF or FILE (ecli sign [options] KEY REF|FILE)", ops);
  if (o.help) return help(args);
  o.reference = ops[1];
  return sign_command(o, ops[0]);
}

int verify(const std::vector<std::string>& args) {
  std::vector<std::string> ops;
  Options o = operands(kVerify, "verify", args, 1, "ecli verify takes one REF or FILE (ecli verify --key PUBKEY REF|FILE)", ops);
  if (o.help) return help(args);
  o.reference = ops[0];
  return verify_command(o);
}

// What the BPF objects of a file, URL or reference may do (docs/trust.md);
// nothing is loaded.
int inspect(const std::vector<std::string>& args) {
  std::vector<std::string> ops;
  Options o = operands(kInspect, "inspect", args, 1, "ecli inspect takes one FILE, URL or REF (ecli inspect [-j] FILE|URL|REF)", ops);
  if (o.help) return help(args);
  o.file = ops[0];
  return inspect_objects(objects_of_target(o), o.run.json, std::cout);
}

int compile(const std::vector<std::string>& args) {
  std::vector<std::string> ops;
  Options o = operands(kCompile, "compile", args, 1, "ecli compile takes one APP.wasm (ecli compile [options] APP.wasm)", ops);
  if (o.help) return help(args);
  return compile_wasm(ops[0], o.registry.verbose);
}

}  // namespace

const std::vector<cmdline::Subcommand>& subcommands() {
  static const std::vector<cmdline::Subcommand> table = {
      {"run",
       "ecli run [options] PACKAGE.json [program options]\n"
       "ecli run [options] APP.wasm [app arguments]\n"
       "ecli run [options] URL|REF [program options]",
       run},
      {"pull", "ecli pull [options] REF [-o FILE]", pull},
      {"push", "ecli push [options] [--sign KEY] FILE REF", push},
      {"sign", "ecli sign [options] KEY REF|FILE", sign},
      {"verify", "ecli verify [options] --key PUBKEY REF|FILE", verify},
      {"compile", "ecli compile [-v] APP.wasm", compile},
      {"inspect", "ecli inspect [-j] [--image NAME] PACKAGE.json|APP.wasm|OBJECT.o|LAYOUT|URL|REF", inspect},
      {"-h", "", help, true},
      {"--help", "", help, true},
      {"--version", "", version, true},
  };
  return table;
}

}  // namespace ecc::ecli
