#include "options.h"

#include <algorithm>
#include <functional>
#include <map>

#include "ecc/error.h"

namespace ecc {

namespace {

// One row per option: the flags that spell it and what it does with its value.
struct OptionSpec {
  std::vector<std::string> flags;
  bool takes_value;
  std::function<void(Options&, const std::string&)> apply;
};

const std::vector<OptionSpec>& option_table() {
  static const std::vector<OptionSpec> table = {
      {{"-o", "--output"}, true, [](Options& o, const std::string& v) { o.out_dir = v; }},
      {{"-a", "--clang-flag"}, true, [](Options& o, const std::string& v) { o.clang_flags.push_back(v); }},
      {{"--clang"}, true, [](Options& o, const std::string& v) { o.clang = v; }},
      {{"--llvm-strip"}, true, [](Options& o, const std::string& v) { o.llvm_strip = v; }},
      {{"--btf"}, true, [](Options& o, const std::string& v) { o.btf = v; }},
      {{"--vmlinux-h"}, true, [](Options& o, const std::string& v) { o.vmlinux_h = v; }},
      {{"--target-arch"}, true, [](Options& o, const std::string& v) { o.target_arch = v; }},
      {{"--wasi-sysroot"}, true, [](Options& o, const std::string& v) { o.wasi_sysroot = v; }},
      {{"--btfgen"}, true, [](Options& o, const std::string& v) { o.btfgen = v; }},
      {{"-y", "--yaml"}, false, [](Options& o, const std::string&) { o.yaml = true; }},
      {{"-n", "--no-package"}, false, [](Options& o, const std::string&) { o.no_package = true; }},
      {{"-v", "--verbose"}, false, [](Options& o, const std::string&) { o.verbose = true; }},
      {{"--rust"}, false, [](Options& o, const std::string&) { o.rust = true; }},
      {{"--force"}, false, [](Options& o, const std::string&) { o.force = true; }},
      {{"--standalone"}, false, [](Options& o, const std::string&) { o.standalone = true; }},
      {{"-h", "--help"}, false, [](Options& o, const std::string&) { o.command = Command::help; }},
      {{"--version"}, false, [](Options& o, const std::string&) { o.command = Command::version; }},
  };
  return table;
}

const OptionSpec* find_option(const std::string& flag) {
  for (const auto& spec : option_table())
    for (const auto& f : spec.flags)
      if (f == flag) return &spec;
  return nullptr;
}

// `-a` flags go to every clang ecc runs for the BPF program; a flag that
// changes what clang produces, for which target or where, would break the
// plan (ecc names the output, the target is bpf), so it is refused here in
// the user's words rather than failing later in the linker.
void check_clang_flags(const std::vector<std::string>& flags) {
  // Flags whose value may follow as the next -a.
  static const std::vector<std::string> separate_value = {"-I",       "-D",        "-U",     "-include",
                                                          "-imacros", "-isystem",  "-iquote", "-idirafter",
                                                          "-Xclang",  "-mllvm",    "-W",     "-std"};
  static const std::vector<std::string> output_kind = {"-c",         "-E",  "-S",  "-M",        "-MM",
                                                       "-emit-llvm", "-###", "-x", "-fsyntax-only", "-save-temps",
                                                       "-include-pch", "-target", "-o"};
  auto starts = [](const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; };
  for (size_t k = 0; k < flags.size(); ++k) {
    const std::string& f = flags[k];
    std::string quoted = "-a '" + f + "'";
    if (f.empty()) throw Error(Exit::usage, "-a needs a clang flag, not an empty string");
    if (f[0] != '-') {
      bool is_value = k > 0 && std::find(separate_value.begin(), separate_value.end(), flags[k - 1]) != separate_value.end();
      if (!is_value)
        throw Error(Exit::usage, quoted + " is not a clang flag (flags start with '-'; the input file is given without -a)");
      continue;
    }
    bool kind = std::find(output_kind.begin(), output_kind.end(), f) != output_kind.end() || starts(f, "--target") ||
                starts(f, "-save-temps=") || (starts(f, "-o") && !starts(f, "-obj"));
    if (kind)
      throw Error(Exit::usage, quoted + " changes what clang produces or for which target; ecc compiles each "
                                        "program to a BPF object itself (use -o DIR for the output directory)");
  }
}

}  // namespace

Options parse_options(const std::vector<std::string>& args) {
  Options o;
  size_t i = 0;
  if (!args.empty() && args[0] == "gen-wasm-skel") o.command = Command::gen_wasm_skel, i = 1;
  else if (!args.empty() && args[0] == "build-wasm") o.command = Command::build_wasm, i = 1;
  bool only_files = false;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_files || a.empty() || a[0] != '-' || a == "-") {
      o.inputs.push_back(a);
      continue;
    }
    if (a == "--") {
      only_files = true;
      continue;
    }
    // Accept both "--opt value" and "--opt=value"; "-aFLAG" for short ones.
    std::string flag = a, value;
    bool inline_value = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      flag = a.substr(0, eq), value = a.substr(eq + 1), inline_value = true;
    } else if (a.size() > 2 && a[1] != '-' && find_option(a.substr(0, 2)) &&
               find_option(a.substr(0, 2))->takes_value) {
      flag = a.substr(0, 2), value = a.substr(2), inline_value = true;
    }
    const OptionSpec* spec = find_option(flag);
    if (!spec) throw Error(Exit::usage, "unknown option '" + a + "' (see ecc --help)");
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= args.size()) throw Error(Exit::usage, "option '" + flag + "' needs a value");
      value = args[++i];
    } else if (!spec->takes_value && inline_value) {
      throw Error(Exit::usage, "option '" + flag + "' takes no value");
    }
    spec->apply(o, value);
  }
  check_clang_flags(o.clang_flags);
  return o;
}

std::string usage_text() {
  return R"(usage: ecc [options] FILE.bpf.c [EXPORT_HEADER.h]   compile and package
       ecc gen-wasm-skel [options] [FILE.bpf.c [EXPORT_HEADER.h]]
       ecc build-wasm [options] [APP.c ...]
       ecc --help | --version

Compiles a libbpf-style eBPF program and writes, next to the source (or in -o DIR):
  <name>.bpf.o       the linked BPF object (BTF and BTF.ext kept, no DWARF)
  <name>.skel.json   the skeleton: maps, programs, data sections, export types, docs
  package.json       the object and the skeleton in one file, for `ecli run`

gen-wasm-skel also writes the WebAssembly guest framework: ewasm-skel.h (the object,
program_data, wasm32 types with the BPF layout, a skeleton), eunomia-include/ (the
guest SDK) and app.c (only when absent); with --rust also <name>_skel.rs, main.rs,
Cargo.toml and .cargo/config.toml. Without files it uses the current directory's
single *.bpf.c and its <name>.h. build-wasm compiles APP.c (default: ./app.c) with
clang for wasm32-wasi into app.wasm and prints its size.

options:
  -o, --output DIR     write the outputs to DIR (default: the source's directory)
  -a FLAG              pass FLAG to clang (repeatable)
  --clang PATH         the clang to compile with (default: clang from PATH)
  --llvm-strip PATH    also run `PATH -g` on the linked object
  --btf FILE           kernel BTF to generate vmlinux.h from (default: /sys/kernel/btf/vmlinux)
  --vmlinux-h FILE     use this vmlinux.h instead of generating one
  --target-arch ARCH   x86, arm64, riscv, s390, powerpc, loongarch, mips, arm (default: the host's)
  -y, --yaml           also write <name>.skel.yaml (and package.yaml)
  -n, --no-package     stop after the skeleton: no package.json
  -v, --verbose        print every step and command, in a form that can be pasted into a shell
  --rust               gen-wasm-skel: also write the Rust module and a Cargo project
  --force              gen-wasm-skel: overwrite app.c (and main.rs, Cargo.toml)
  --wasi-sysroot DIR   build-wasm: the WASI sysroot (default: Debian's wasi-libc)
  --btfgen DIR         embed the minimal BTF of every kernel of a btfhub-archive tree
                       (<distro>/<version>/<arch>/<release>.btf[.tar.xz]) for kernels
                       without /sys/kernel/btf/vmlinux (needs bpftool)
  --standalone         also write <name> (build-wasm: <app>, from app.wasm), one executable
                       that runs the package by itself: its options are the program's
                       plus ecli run's -j, -d, --btf, --engine, -v, -h
  -h, --help           this text
  --version            print the version

exit status: 0 success, 1 bad input, 2 usage error, 3 a tool ecc runs is missing or failed
)";
}

}  // namespace ecc
