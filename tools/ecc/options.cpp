#include "options.h"

#include <algorithm>
#include <iostream>

#include "build_wasm.h"
#include "ecc/error.h"
#include "package.h"
#include "wasm_skel.h"
#include "warm_cache.h"

namespace ecc {

namespace {

// ecc's options, in the order --help lists them; any subcommand takes any.
std::vector<cmdline::Option> option_table(Options& o) {
  auto set = [](std::string& field) { return [&field](const std::string& v) { field = v; }; };
  auto on = [](bool& field) { return [&field](const std::string&) { field = true; }; };
  auto mode = [&o](Options::Mode m) { return [&o, m](const std::string&) { o.mode = m; }; };
  return {
      {'o', "output", "DIR", "write the outputs to DIR (default: the source's directory)", ~0u, set(o.out_dir)},
      {'a', "", "FLAG", "pass FLAG to clang (repeatable)", ~0u,
       [&o](const std::string& v) { o.clang_flags.push_back(v); }, {}, {"clang-flag"}},
      {0, "clang", "PATH", "the clang to compile with (default: clang from PATH)", ~0u, set(o.clang)},
      {0, "llvm-strip", "PATH", "also run `PATH -g` on the linked object", ~0u, set(o.llvm_strip)},
      {0, "btf", "FILE", "kernel BTF to generate vmlinux.h from (default: /sys/kernel/btf/vmlinux)", ~0u, set(o.btf)},
      {0, "vmlinux-h", "FILE", "use this vmlinux.h instead of generating one", ~0u, set(o.vmlinux_h)},
      {0, "target-arch", "ARCH",
       "x86, arm64, riscv, s390, powerpc, loongarch, mips, arm (default: the host's);\n"
       "--gadget takes several (one manifest each)",
       ~0u, [&o](const std::string& v) { o.target_arch = v, o.target_archs.push_back(v); }},
      {'y', "yaml", "", "also write <name>.skel.yaml (and package.yaml)", ~0u, on(o.yaml)},
      {'n', "no-package", "", "stop after the skeleton: no package.json", ~0u, on(o.no_package)},
      {'v', "verbose", "", "print every step and command, in a form that can be pasted into a shell", ~0u,
       on(o.verbose)},
      {0, "rust", "", "gen-wasm-skel: also write the Rust module and a Cargo project", ~0u, on(o.rust)},
      {0, "force", "", "gen-wasm-skel: overwrite app.c (and main.rs, Cargo.toml)", ~0u, on(o.force)},
      {0, "wasi-sysroot", "DIR", "build-wasm: the WASI sysroot (default: Debian's wasi-libc)", ~0u, set(o.wasi_sysroot)},
      {0, "btfgen", "DIR",
       "embed the minimal BTF of every kernel of a btfhub-archive tree\n"
       "(<distro>/<version>/<arch>/<release>.btf[.tar.xz]) for kernels\n"
       "without /sys/kernel/btf/vmlinux (needs bpftool)",
       ~0u, set(o.btfgen)},
      {0, "standalone", "",
       "also write <name> (build-wasm: <app>, from app.wasm), one executable\n"
       "that runs the package by itself: its options are the program's\n"
       "plus ecli run's -j, -d, --btf, --engine, -v, -h",
       ~0u, on(o.standalone)},
      {0, "gadget", "",
       "also write <name>.gadget/, an OCI image layout in Inspektor Gadget's\n"
       "format (markers, gadget.yaml, --btfgen as its btfgen layer)",
       ~0u, on(o.gadget)},
      {'h', "help", "", "this text", ~0u, mode(Options::Mode::help)},
      {0, "version", "", "print the version", ~0u, mode(Options::Mode::version)},
  };
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

// A subcommand that takes ecc's options: -h and --version answer, else `run` works.
cmdline::Subcommand with_options(const std::string& name, const std::string& synopsis, int (*run)(const Options&)) {
  return {name, synopsis, [run](const std::vector<std::string>& args) {
            Options o = parse_options(args);
            if (o.mode == Options::Mode::help) std::cout << usage_text();
            if (o.mode == Options::Mode::version) std::cout << "ecc " << ECC_VERSION << "\n";
            int rc = o.mode == Options::Mode::work ? run(o) : 0;
            start_deferred_warm_caches();  // ECC_CACHE_WARM=background: after the outputs are written
            return rc;
          }};
}

}  // namespace

const std::vector<cmdline::Subcommand>& subcommands() {
  static const std::vector<cmdline::Subcommand> table = {
      with_options("", "ecc [options] FILE.bpf.c [EXPORT_HEADER.h]   compile and package", run_package),
      with_options("gen-wasm-skel", "ecc gen-wasm-skel [options] [FILE.bpf.c [EXPORT_HEADER.h]]", run_gen_wasm_skel),
      with_options("build-wasm", "ecc build-wasm [options] [APP.c ...]", run_build_wasm),
      // The cache warmer a cold compile starts (warm_cache.h): hidden, no options of its own.
      {kWarmCacheFlag, "", run_warm_cache, true},
  };
  return table;
}

Options parse_options(const std::vector<std::string>& args) {
  Options o;
  cmdline::Grammar g;
  g.operand = [&o](const std::string& a) { o.inputs.push_back(a); };
  g.unknown = [](const std::string&, const std::string& arg) {
    throw Error(Exit::usage, "unknown option '" + arg + "' (see ecc --help)");
  };
  cmdline::parse(option_table(o), args, g);
  check_clang_flags(o.clang_flags);
  if (o.target_archs.size() > 1 && !o.gadget)
    throw Error(Exit::usage, "--target-arch is given " + std::to_string(o.target_archs.size()) +
                                 " times; only --gadget builds for several architectures");
  return o;
}

std::string usage_text() {
  Options unused;
  return cmdline::synopsis_lines(subcommands(), "usage: ") + R"(       ecc --help | --version

Compiles a libbpf-style eBPF program and writes, next to the source (or in -o DIR):
  <name>.bpf.o       the linked BPF object (BTF and BTF.ext kept, no DWARF)
  <name>.skel.json   the skeleton: maps, programs, data sections, export types, docs
  package.json       the object and the skeleton in one file, for `ecli run`
  <name>.gadget/     with --gadget: an OCI image layout Inspektor Gadget runs

gen-wasm-skel also writes the WebAssembly guest framework: ewasm-skel.h (the object,
program_data, wasm32 types with the BPF layout, a skeleton), eunomia-include/ (the
guest SDK) and app.c (only when absent); with --rust also <name>_skel.rs, main.rs,
Cargo.toml and .cargo/config.toml. Without files it uses the current directory's
single *.bpf.c and its <name>.h. build-wasm compiles APP.c (default: ./app.c) with
clang for wasm32-wasi into app.wasm and prints its size.

options:
)" + cmdline::help_rows(option_table(unused), ~0u, {23, false, " ", true}) +
         R"(
exit status: 0 success, 1 bad input, 2 usage error, 3 a tool ecc runs is missing or failed
)";
}

}  // namespace ecc
