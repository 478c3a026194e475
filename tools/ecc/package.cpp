#include "package.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <iostream>

#include "btfgen.h"
#include "cache.h"
#include "ecc/annotations.h"
#include "ecc/btf.h"
#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/process.h"
#include "ecc/skelgen.h"
#include "ecc/srcscan.h"
#include "scan_module.h"
#include "link.h"
#include "merge.h"
#include "object_cache.h"
#include "outputs.h"
#include "gadget.h"
#include "standalone.h"
#include "plan.h"
#include "process.h"
#include "vmlinux.h"
#include "warm_cache.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {

// The __TARGET_ARCH_* name bpf_tracing.h expects for a `uname -m` machine.
std::string arch_of_machine(const std::string& m) {
  if (m == "x86_64" || m == "i686" || m == "i386") return "x86";
  if (m == "aarch64" || m.rfind("arm64", 0) == 0) return "arm64";
  if (m.rfind("arm", 0) == 0) return "arm";
  if (m.rfind("riscv", 0) == 0) return "riscv";
  if (m == "s390x" || m == "s390") return "s390";
  if (m.rfind("ppc", 0) == 0 || m.rfind("powerpc", 0) == 0) return "powerpc";
  if (m.rfind("loongarch", 0) == 0) return "loongarch";
  if (m.rfind("mips", 0) == 0) return "mips";
  if (m == "sparc64") return "sparc";
  return m;
}

}  // namespace

std::string target_arch(const Options& o) {
  static const std::vector<std::string> known = {"x86",     "arm64",     "arm",  "riscv", "s390",
                                                  "powerpc", "loongarch", "mips", "sparc"};
  if (o.target_arch.empty()) {
    utsname u{};
    uname(&u);
    return arch_of_machine(u.machine);
  }
  std::string a = arch_of_machine(o.target_arch);
  for (const auto& k : known)
    if (k == a) return a;
  throw Error(Exit::usage, "unknown --target-arch '" + o.target_arch +
                               "' (x86, arm64, arm, riscv, s390, powerpc, loongarch, mips, sparc)");
}

namespace {

void check_readable(const fs::path& p, const char* what) {
  std::error_code ec;
  if (!fs::exists(p, ec)) throw Error(Exit::bad_input, std::string(what) + " not found", p.string());
  if (fs::is_directory(p, ec)) throw Error(Exit::bad_input, std::string(what) + " is a directory", p.string());
  if (access(p.c_str(), R_OK) != 0) throw Error(Exit::bad_input, std::string(what) + " is not readable", p.string());
}

std::string name_of(const fs::path& source) {
  std::string file = source.filename().string();
  return file.substr(0, file.find('.'));
}

// Flags that decide how vmlinux.h is parsed: the key of its PCH.
std::vector<std::string> core_flags(const Options& o, const std::string& arch) {
  std::vector<std::string> f = {"-g", "-O2", "-target", "bpf", "-D__TARGET_ARCH_" + arch, "-fno-stack-protector"};
  f.insert(f.end(), o.clang_flags.begin(), o.clang_flags.end());
  return f;
}

std::vector<std::string> include_flags(const Toolchain& tc, const fs::path& cache_dir, const Inputs& in) {
  std::vector<std::string> f = {"-I" + cache_dir.string(), "-I" + in.source.parent_path().string()};
  for (const auto& d : tc.system_includes) f.insert(f.end(), {"-idirafter", d});
  return f;
}

// The scan parses like the compile but generates no code.
std::vector<std::string> scan_flags(const std::vector<std::string>& core, const std::vector<std::string>& incs) {
  std::vector<std::string> f;
  for (const auto& x : core)
    if (x != "-g" && x != "-O2") f.push_back(x);
  f.insert(f.end(), incs.begin(), incs.end());
  return f;
}


// The program's compile. A PCH from the cache that clang refuses (damaged,
// or stale: its complaint names the file) must not fail the build: compile
// again without it and drop it, so a later run builds a good one.
void compile_program(const std::vector<std::string>& with_pch, const std::vector<std::string>& without,
                     const fs::path& pch, const std::string& source, bool verbose) {
  if (!with_pch.empty()) {
    ToolResult r = run_tool(with_pch);
    if (r.exit_code == 0 || r.err.find(pch.string()) == std::string::npos) {
      check_clang(r, source, "compile the program");
      return;
    }
    std::error_code ec;
    fs::remove(pch, ec);
    if (verbose) std::cerr << "# clang refused the cached " << pch.string() << "; compiling without it\n";
  }
  run_clang(without, source, "compile the program");
}

// ECC_COMPILE: in-process (the default) or process.
bool compile_mode_in_process() {
  const char* env = std::getenv("ECC_COMPILE");
  std::string mode = env && *env ? env : "in-process";
  if (mode != "in-process" && mode != "process")
    throw Error(Exit::usage, "ECC_COMPILE must be in-process or process, not '" + mode + "'");
  return mode == "in-process";
}

// What the passes of one compile share: fixed when it starts, or left by
// one pass for the later ones.
struct Build {
  Build(const Options& o, const Inputs& in, const fs::path& work_dir)
      : o(o), in(in), arch(target_arch(o)), kh(locate_vmlinux_h(o)), raw_obj(work_dir / (in.name + ".o")),
        linked(work_dir / (in.name + ".bpf.o")) {}

  const Options& o;
  const Inputs& in;
  // libclang, for the compile and the scan. Loading it takes 25-30 ms (its
  // clang and LLVM are linked in: lib/srcscan/CMakeLists.txt), so with
  // ECC_COMPILE=in-process it starts at once, beside discover (a cold probe
  // runs clang). Else the scan's thread loads it once clang runs: a load
  // beside the clang process slows that process down.
  ScanModule scan_module{compile_mode_in_process()};
  std::string arch;
  KernelHeader kh;
  fs::path raw_obj;        // clang's object
  fs::path linked;         // the linker's: the .bpf.o of the package
  Toolchain tc;            // discover
  std::vector<std::string> core;     // compile_and_scan: the flags that key the PCHs
  std::vector<std::string> scan_args;
  fs::path clang_pch, scan_pch;
  bool pch_safe = false;
  bool in_process = false;  // the compile runs in ecc, on the scan module's clang
  std::string llvm_strip;  // resolved with --llvm-strip
  TypeTable scan_types;    // the scan's
  ScanResult scan;
  Compiled out;            // describe, annotate
};

// What the clang binary is, and vmlinux.h when the cache lacks it: both
// only take time on a cold cache, so they overlap.
std::vector<Step> discover(Build& b) {
  std::vector<Step> steps = {{"# probe " + b.o.clang + " (cached per binary)", [&b] {
                                b.tc = probe_toolchain(b.o.clang, b.o.verbose,
                                                       compile_mode_in_process() ? &b.scan_module : nullptr);
                              }}};
  if (!b.kh.cached) steps.push_back(make_vmlinux_h_step(b.kh, b.o));
  return steps;
}

// The compile in this process, through the clang of the scan module (the
// same version as the clang binary): one parse serves the object and the
// scan. A refused PCH is handled as compile_program() does.
void compile_in_process(Build& b, std::vector<std::string> with_pch, std::vector<std::string> without,
                        const ScanOptions& scan) {
  const SrcscanApi& api = b.scan_module.api();
  // The driver finds its resource dir and tools from where the binary is.
  std::string self = fs::canonical(b.tc.clang).string();
  with_pch.empty() ? void() : void(with_pch[0] = self);
  without[0] = self;
  CompileOutcome r = api.compile_program({with_pch.empty() ? without : with_pch, scan}, b.scan_types);
  if (!with_pch.empty() && r.failed && r.diagnostics.find(b.clang_pch.string()) != std::string::npos) {
    std::error_code ec;
    fs::remove(b.clang_pch, ec);
    if (b.o.verbose) std::cerr << "# clang refused the cached " << b.clang_pch.string() << "; compiling without it\n";
    r = api.compile_program({without, scan}, b.scan_types);
  }
  check_clang({r.failed ? 1 : 0, r.crashed, "", r.diagnostics}, b.in.source.string(), "compile the program");
  b.scan = std::move(r.scan);
}

// Whether clang's front end handles every -a flag the same in-process.
// -mllvm, -Xclang, plugins and the driver's own modes (-v, -save-temps, ...)
// are handled outside of it, by the clang binary's main.
bool in_process_flags(const std::vector<std::string>& flags) {
  static const std::vector<std::string> ok = {"-D", "-U", "-I", "-W", "-w", "-O", "-g", "-std=", "-isystem",
                                              "-idirafter", "-iquote", "-include", "-m", "-f"};
  static const std::vector<std::string> not_ok = {"-mllvm", "-fplugin", "-ftime-"};
  auto starts = [](const std::string& f, const std::vector<std::string>& prefixes) {
    for (const auto& p : prefixes)
      if (f.rfind(p, 0) == 0) return true;
    return false;
  };
  for (const auto& f : flags)
    if (f.rfind('-', 0) == 0 && (!starts(f, ok) || starts(f, not_ok))) return false;
  return true;
}

// In-process unless ECC_COMPILE=process, --clang is not the clang binary of
// the module's own build (another version, or a wrapper script that adds
// flags of its own), or an -a flag needs the clang binary. Once per process:
// LLVM 14's code generator keeps state from one compile that a second one in
// the same process reads after it is freed (AddressSanitizer found it with
// --gadget --target-arch x86 --target-arch arm64), so the later compiles of
// a run (other architectures) start clang.
bool compiles_in_process(Build& b) {
  static std::atomic<bool> used = false;
  return compile_mode_in_process() && is_libclang_clang(b.tc.clang) && in_process_flags(b.o.clang_flags) &&
         b.scan_module.api().clang_version() == b.tc.version && !used.exchange(true);
}

// clang -c and the scan, which reads the types of the export header and the
// doc comments: in-process, on one parse; else clang -c beside the scan's
// own parse. Both use the cached PCHs of vmlinux.h when there are any.
std::vector<Step> compile_and_scan(Build& b) {
  // A missing llvm-strip is found before anything is compiled.
  if (!b.o.llvm_strip.empty()) b.llvm_strip = find_tool(b.o.llvm_strip, "--llvm-strip");
  b.core = core_flags(b.o, b.arch);
  std::vector<std::string> incs = include_flags(b.tc, b.kh.dir, b.in);
  b.scan_args = scan_flags(b.core, incs);
  b.clang_pch = clang_pch_path(b.kh, b.tc.version, b.core);
  b.scan_pch = scan_pch_path(b.kh, b.core);
  // Pre-including the PCH is only equivalent when the source includes our
  // vmlinux.h before anything else, and no local vmlinux.h shadows it.
  b.pch_safe = starts_with_vmlinux_include(b.in.source) && !fs::exists(b.in.source.parent_path() / "vmlinux.h");
  b.in_process = compiles_in_process(b);

  std::vector<std::string> compile = {b.tc.clang};
  compile.insert(compile.end(), b.core.begin(), b.core.end());
  compile.insert(compile.end(), incs.begin(), incs.end());
  if (!b.in.deps.empty()) compile.insert(compile.end(), {"-MD", "-MF", b.in.deps.string()});
  for (const auto& f : colour_flags()) compile.push_back(f);
  compile.insert(compile.end(), {"-c", b.in.source.string(), "-o", b.raw_obj.string()});
  std::vector<std::string> compile_pch;  // the same with the cached PCH, when there is one
  if (b.pch_safe && fs::exists(b.clang_pch)) {
    compile_pch = compile;
    compile_pch.insert(compile_pch.end() - 4, {"-include-pch", b.clang_pch.string()});
  }
  std::string shown = shell_quote(compile_pch.empty() ? compile : compile_pch);
  std::string what = "scan " + b.in.source.string() +
                     (b.in.header.empty() ? "" : " for the types of " + b.in.header.string()) + " and doc comments";
  if (b.in_process) {
    ScanOptions scan_opts{b.in.source.string(), b.in.header.string(), b.scan_args, b.kh.header.string(), ""};
    return {{shown + "\n# (in-process: " + b.tc.version + " in " + kSrcscanModuleName + "; " + what +
                 " on the same AST)",
             [&b, compile, compile_pch, scan_opts] { compile_in_process(b, compile_pch, compile, scan_opts); }}};
  }
  ScanOptions scan_opts{b.in.source.string(), b.in.header.string(), b.scan_args, b.kh.header.string(),
                        b.pch_safe && fs::exists(b.scan_pch) ? b.scan_pch.string() : ""};
  return {{shown, [&b, compile, compile_pch] {
             compile_program(compile_pch, compile, b.clang_pch, b.in.source.string(), b.o.verbose);
           }},
          {"# " + what + " (in-process libclang" + (scan_opts.pch.empty() ? "" : ", " + scan_opts.pch) + ")",
           [&b, scan_opts] { b.scan = b.scan_module.api().scan_source(scan_opts, b.scan_types); }}};
}

std::vector<Step> link(Build& b) {
  return {{"# link " + b.raw_obj.string() + " -> " + b.linked.string() + " (libbpf bpf_linker)",
           [&b] { link_bpf_object(b.raw_obj.string(), b.linked.string()); }}};
}

std::vector<Step> strip(Build& b) {
  if (b.llvm_strip.empty()) return {};
  std::vector<std::string> argv = {b.llvm_strip, "-g", b.linked.string()};
  return {{shell_quote(argv), [argv, linked = b.linked] {
             ToolResult r = run_tool(argv);
             std::cerr << r.err;
             if (r.exit_code != 0) throw Error(Exit::tool_failed, "llvm-strip failed", linked.string());
           }}};
}

// docs/package-format.md: every export type gets a type_id, also one the program uses
// only for locals, which clang leaves out of the object's BTF.
std::vector<Step> add_export_types(Build& b) {
  return {{"# add the export types missing from the BTF of " + b.linked.string() +
               " to its .BTF (libbpf btf__add_*, libelf)",
           [&b] { add_missing_types_to_object(b.linked.string(), b.scan_types, b.scan.export_types); }}};
}

std::vector<Step> describe(Build& b) {
  return {{"# read maps, programs, variables and types from " + b.linked.string() + " and merge the scan", [&b] {
             b.out.object = read_file(b.linked);
             b.out.skel = read_object(b.out.object, sanitize_ident(b.in.name + "_bpf"), b.linked.string());
             merge_scan(b.out.skel, b.scan_types, b.scan, b.in.header.string());
           }}};
}

// The annotations with meaning to the runner, typed once (docs/annotations.md).
std::vector<Step> annotate(Build& b) {
  return {{"# annotate maps, variables and programs from the doc comments of " + b.in.source.string() +
               ", and the members of the export types (@metric); pick the event type of each ring buffer "
               "and perf event array",
           [&b] {
             read_annotations(b.out.skel, b.in.source.string());
             read_metrics(b.out.skel, b.in.header.string());
             assign_event_types(b.out.skel);
             if (!b.in.header.empty() && b.scan.export_types.empty())
               std::cerr << "ecc: warning: no struct, union or enum is defined in the export header; "
                            "export_types is empty ("
                         << b.in.header.string() << ")\n";
           }}};
}

// --btfgen DIR: every kernel's minimal BTF for this object, once, for the
// package's btf_archive, the app's section and the gadget's btfgen layer.
std::vector<Step> btfgen(Build& b) {
  if (b.o.btfgen.empty()) return {};
  return {{"# btfgen: bpftool gen min_core_btf of every kernel under " + b.o.btfgen + " for " + b.linked.string(),
           [&b] { b.out.btfgen = btfgen_archive(b.o.btfgen, b.out.object, b.o.verbose); }}};
}

// The PCHs of the next run, when this one could have used them and one is
// missing: built now with ECC_CACHE_WARM=sync, never with off, else by a
// fresh `ecc --warm-cache` started once the outputs are written and left
// running when ecc exits.
std::vector<Step> warm(Build& b) {
  // The in-process compile's scan reads the compile's AST: no scan PCH.
  std::string scan_pch = b.in_process ? "" : b.scan_pch.string();
  if (!b.pch_safe || (fs::exists(b.clang_pch) && (scan_pch.empty() || fs::exists(scan_pch)))) return {};
  const char* env = std::getenv("ECC_CACHE_WARM");
  std::string mode = env ? env : "background";
  if (mode == "off") return {};
  WarmJob job{{b.tc.clang}, b.kh.header.string(), b.scan_args, scan_pch};
  job.clang_cmd.insert(job.clang_cmd.end(), b.core.begin(), b.core.end());
  job.clang_cmd.insert(job.clang_cmd.end(), {"-x", "c-header", b.kh.header.string(), "-o", b.clang_pch.string()});
  std::string shown = "# warm the cache (" + mode + "): " + shell_quote(job.clang_cmd) +
                      (scan_pch.empty() ? "" : "; and " + scan_pch);
  if (mode == "sync") return {{shown, [&b, job] { warm_cache(b.scan_module, job); }}};
  return {{shown, [job] { defer_warm_cache(job); }}};
}

}  // namespace

Inputs resolve_inputs(const Options& o) {
  if (o.inputs.empty()) throw Error(Exit::usage, "no input file (usage: ecc [options] FILE.bpf.c [HEADER.h])");
  if (o.inputs.size() > 2) throw Error(Exit::usage, "too many input files: expected FILE.bpf.c [HEADER.h]");
  Inputs in;
  in.source = fs::absolute(o.inputs[0]).lexically_normal();
  check_readable(in.source, "source file");
  if (o.inputs.size() == 2) {
    in.header = fs::absolute(o.inputs[1]).lexically_normal();
    check_readable(in.header, "header file");
  }
  in.name = name_of(in.source);
  if (in.name.empty()) throw Error(Exit::bad_input, "cannot derive an output name from the file name", in.source);
  in.out_dir = o.out_dir.empty() ? in.source.parent_path() : fs::absolute(o.out_dir).lexically_normal();
  return in;
}

Compiled compile_and_describe(const Options& o, const Inputs& in, const fs::path& work_dir) {
  Build b(o, in, work_dir);
  // The passes of a compile, in order; -v prints each one's steps.
  Plan plan;
  plan.pass("discover", [&] { return discover(b); });          // probe clang || generate vmlinux.h (cold cache)
  plan.pass("compile+scan", [&] { return compile_and_scan(b); });  // clang -c || the in-process libclang scan
  plan.pass("link", [&] { return link(b); });              // libbpf's linker: the .bpf.o
  plan.pass("strip", [&] { return strip(b); });             // llvm-strip -g, with --llvm-strip
  plan.pass("export-types", [&] { return add_export_types(b); });  // export types clang left out of .BTF
  plan.pass("describe", [&] { return describe(b); });          // the skeleton: maps, programs, types + the scan
  plan.pass("annotate", [&] { return annotate(b); });          // doc-comment annotations, event types
  plan.pass("btfgen", [&] { return btfgen(b); });            // --btfgen: the minimal BTF of every kernel
  plan.pass("warm", [&] { return warm(b); });              // the PCHs of the next run (ECC_CACHE_WARM)
  plan.run(o.verbose);
  return std::move(b.out);
}

std::string add_package_outputs(OutputSet& outputs, const Options& o, const Inputs& in, const Compiled& c,
                                bool want_text) {
  // The object's encoding runs beside meta's serialisation: on a program
  // of 1024 export types each took tens of milliseconds.
  std::future<std::string> encoded =
      std::async(std::launch::async, [&c] { return base64_encode(zlib_compress(c.object)); });
  std::string meta_text = dump_meta_json(c.skel);
  std::string object = encoded.get();
  const Json* archive = c.btfgen ? &c.btfgen->archive : nullptr;
  std::string text = dump_package_json(meta_text, object, c.object.size(), archive);
  if (c.btfgen)
    std::cout << btfgen_growth_line(*c.btfgen, text.size() - dump_package_json(meta_text, object, c.object.size()).size());
  outputs.add(in.name + ".bpf.o", c.object);
  outputs.add(in.name + ".skel.json", std::move(meta_text));
  Json meta = o.yaml ? meta_json(c.skel) : Json();
  if (o.yaml) outputs.add(in.name + ".skel.yaml", dump_yaml(meta));
  if (o.no_package) return want_text ? text : std::string();
  std::string kept = want_text ? text : std::string();
  outputs.add("package.json", std::move(text));
  if (o.yaml) {
    Json package = package_json(std::move(meta), std::move(object), c.object.size());
    if (archive) package["btf_archive"] = *archive;
    outputs.add("package.yaml", dump_yaml(package));
  }
  return kept;
}

int run_package(const Options& o) {
  // A compile follows, unless the object cache has it: heap on huge pages
  // (docs/ecc.md#performance). Before anything is written.
  reexec_with_huge_page_malloc();
  Inputs in = resolve_inputs(o);
  // A missing runner is found before anything is compiled or written.
  fs::path runner = o.standalone ? find_standalone_runner() : fs::path();
  OutputSet outputs(in.out_dir);
  WorkDir work;  // also on a hit: it sweeps the work directories of killed runs
  std::optional<ObjectCache> cache = ObjectCache::open(o, in);
  if (cache && cache->restore(outputs)) {
    if (o.verbose) std::cerr << "# write outputs to " << in.out_dir.string() << "\n";
    outputs.commit();
    return 0;
  }
  if (cache) in.deps = work.path() / (in.name + ".d");
  Compiled c = compile_and_describe(o, in, work.path());
  std::string package;
  std::optional<ObjectCache::Deps> deps;
  Plan outputs_plan;  // after the compile's passes; -v times them too
  outputs_plan.pass("package", [&]() -> std::vector<Step> {  // the outputs || hash what the compile read
    std::vector<Step> steps = {
        {"# stage " + in.name + ".bpf.o, " + in.name + ".skel.json" + (o.no_package ? "" : " and package.json") +
             (o.yaml ? " (and YAML)" : "") + " in " + in.out_dir.string(),
         [&] { package = add_package_outputs(outputs, o, in, c, o.standalone); }}};
    if (cache)
      steps.push_back({"# hash the files in " + in.deps.string() + " for the object cache",
                       [&] { deps = cache->hash_deps(in.deps); }});
    return steps;
  });
  outputs_plan.pass("object-cache", [&]() -> std::vector<Step> {
    if (!cache || !deps) return {};
    return {{"# store the outputs and the files the compile read in " + cache->entry().string(),
             [&] { cache->store(outputs, *deps); }}};
  });
  outputs_plan.run(o.verbose);
  std::vector<oci::GadgetBuild> gadget;
  if (o.gadget) gadget = gadget_builds(o, in, c, work.path());
  if (o.standalone) {
    auto text = std::span(reinterpret_cast<const uint8_t*>(package.data()), package.size());
    if (o.verbose) std::cerr << "# write " << (in.out_dir / in.name).string() << ": " << runner.string()
                             << " + package.json\n";
    outputs.add_executable(in.name, standalone_executable(runner, standalone::PayloadKind::package, text));
  }
  if (o.verbose) std::cerr << "# write outputs to " << in.out_dir.string() << "\n";
  // The layout goes first (atomically): if the other outputs then fail, it is removed.
  fs::path layout = in.out_dir / (in.name + ".gadget");
  if (o.gadget) oci::write_gadget_layout(layout, gadget, in.name + ":latest");
  try {
    outputs.commit();
  } catch (...) {
    std::error_code ec;
    if (o.gadget) fs::remove_all(layout, ec);
    throw;
  }
  return 0;
}

}  // namespace ecc
