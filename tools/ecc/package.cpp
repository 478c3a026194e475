#include "package.h"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "btfgen.h"
#include "cache.h"
#include "ecc/annotations.h"
#include "ecc/btfdump.h"
#include "ecc/error.h"
#include "ecc/skelgen.h"
#include "ecc/srcscan.h"
#include "scan_module.h"
#include "link.h"
#include "merge.h"
#include "outputs.h"
#include "standalone.h"
#include "plan.h"
#include "process.h"
#include "vmlinux.h"

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


// Builds the PCHs a warm compile reuses. They are byte-for-byte irrelevant to
// the output (tested), so building them is deferred to after the run, off
// the critical path of a cold compile.
void warm_cache(const SrcscanApi& scan, const std::vector<std::string>& clang_pch_cmd, const fs::path& clang_pch,
                const std::string& header, const std::vector<std::string>& scan_args, const fs::path& scan_pch) {
  if (!clang_pch_cmd.empty() && !fs::exists(clang_pch)) {
    PendingFile pch(clang_pch);
    std::vector<std::string> argv = clang_pch_cmd;
    argv.back() = pch.tmp().string();
    if (run_tool(argv).exit_code == 0) pch.commit();
  }
  if (!fs::exists(scan_pch)) {
    try {
      scan.make_scan_pch(header, scan_args, scan_pch.string());
    } catch (const Error&) {
      // A missing PCH only costs time.
    }
  }
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
  ScanModule scan_module;  // loads libclang on another thread meanwhile
  std::string arch = target_arch(o);
  KernelHeader kh = locate_vmlinux_h(o);

  // Discovery first: what the clang binary is, and vmlinux.h when the cache
  // lacks it; both only happen on a cold cache, so they overlap.
  Toolchain tc;
  Plan discover;
  std::vector<Step> first = {{"# probe " + o.clang + " (cached per binary)", [&] {
                                tc = probe_toolchain(o.clang, o.verbose);
                              }}};
  if (!kh.cached) first.push_back(make_vmlinux_h_step(kh, o));
  discover.stage(std::move(first));
  discover.run(o.verbose);

  std::vector<std::string> core = core_flags(o, arch);
  std::vector<std::string> incs = include_flags(tc, kh.dir, in);
  std::vector<std::string> scan_args = scan_flags(core, incs);
  fs::path clang_pch = clang_pch_path(kh, tc.version, core);
  fs::path scan_pch = scan_pch_path(kh, core);
  // Pre-including the PCH is only equivalent when the source includes our
  // vmlinux.h before anything else, and no local vmlinux.h shadows it.
  bool pch_safe = starts_with_vmlinux_include(in.source) && !fs::exists(in.source.parent_path() / "vmlinux.h");

  fs::path raw_obj = work_dir / (in.name + ".o");
  fs::path linked = work_dir / (in.name + ".bpf.o");
  std::vector<std::string> compile = {tc.clang};
  compile.insert(compile.end(), core.begin(), core.end());
  compile.insert(compile.end(), incs.begin(), incs.end());
  for (const auto& f : colour_flags()) compile.push_back(f);
  compile.insert(compile.end(), {"-c", in.source.string(), "-o", raw_obj.string()});
  std::vector<std::string> compile_pch;  // the same with the cached PCH, when there is one
  if (pch_safe && fs::exists(clang_pch)) {
    compile_pch = compile;
    compile_pch.insert(compile_pch.end() - 4, {"-include-pch", clang_pch.string()});
  }

  ScanOptions scan_opts{in.source.string(), in.header.string(), scan_args, kh.header.string(),
                        pch_safe && fs::exists(scan_pch) ? scan_pch.string() : ""};
  TypeTable scan_types;
  ScanResult scan;
  Compiled out;

  Plan plan;
  plan.stage({
      {shell_quote(compile_pch.empty() ? compile : compile_pch),
       [&] { compile_program(compile_pch, compile, clang_pch, in.source.string(), o.verbose); }},
      {"# scan " + in.source.string() + (in.header.empty() ? "" : " for the types of " + in.header.string()) +
           " and doc comments (in-process libclang" + (scan_opts.pch.empty() ? "" : ", " + scan_opts.pch) + ")",
       [&] { scan = scan_module.api().scan_source(scan_opts, scan_types); }},
  });
  plan.step({"# link " + raw_obj.string() + " -> " + linked.string() + " (libbpf bpf_linker)",
             [&] { link_bpf_object(raw_obj.string(), linked.string()); }});
  if (!o.llvm_strip.empty()) {
    std::vector<std::string> strip = {find_tool(o.llvm_strip, "--llvm-strip"), "-g", linked.string()};
    plan.step({shell_quote(strip), [strip, linked] {
                 ToolResult r = run_tool(strip);
                 std::cerr << r.err;
                 if (r.exit_code != 0) throw Error(Exit::tool_failed, "llvm-strip failed", linked.string());
               }});
  }
  // SPEC §5: every export type gets a type_id, also one the program uses
  // only for locals, which clang leaves out of the object's BTF.
  plan.step({"# add the export types missing from the BTF of " + linked.string() +
                 " to its .BTF (libbpf btf__add_*, libelf)",
             [&] { add_missing_types_to_object(linked.string(), scan_types, scan.export_types); }});
  plan.step({"# read maps, programs, variables and types from " + linked.string() + " and merge the scan", [&] {
               out.object = read_file(linked);
               out.skel = read_object(out.object, sanitize_ident(in.name + "_bpf"), linked.string());
               merge_scan(out.skel, scan_types, scan, in.header.string());
             }});
  plan.run(o.verbose);
  // The annotations with meaning to the runner, typed once (SPEC §6).
  read_annotations(out.skel, in.source.string());
  assign_event_types(out.skel);

  if (!in.header.empty() && scan.export_types.empty())
    std::cerr << "ecc: warning: no struct, union or enum is defined in the export header; export_types is empty ("
              << in.header.string() << ")\n";

  // Deferred cache warming for the next run.
  if (pch_safe && (!fs::exists(clang_pch) || !fs::exists(scan_pch))) {
    std::vector<std::string> pch_cmd = {tc.clang};
    pch_cmd.insert(pch_cmd.end(), core.begin(), core.end());
    pch_cmd.insert(pch_cmd.end(), {"-x", "c-header", kh.header.string(), "-o", clang_pch.string()});
    const char* mode = std::getenv("ECC_CACHE_WARM");
    std::string m = mode ? mode : "background";
    if (o.verbose && m != "off")
      std::cerr << "# warm the cache (" << m << "): " << shell_quote(pch_cmd) << "; and " << scan_pch.string()
                << "\n";
    if (m == "sync") {
      warm_cache(scan_module.api(), pch_cmd, clang_pch, kh.header.string(), scan_args, scan_pch);
    } else if (m != "off") {
      std::cout.flush();
      std::cerr.flush();
      if (fork() == 0) {
        // Detached: the user's command returns now; the PCHs appear later.
        setsid();
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0), dup2(devnull, 1), dup2(devnull, 2);
        try {
          warm_cache(scan_module.api(), pch_cmd, clang_pch, kh.header.string(), scan_args, scan_pch);
        } catch (...) {
        }
        _exit(0);
      }
    }
  }
  return out;
}

std::string add_package_outputs(OutputSet& outputs, const Options& o, const Inputs& in, const Compiled& c) {
  Json meta = meta_json(c.skel);
  outputs.add(in.name + ".bpf.o", c.object);
  outputs.add(in.name + ".skel.json", dump_json(meta));
  if (o.yaml) outputs.add(in.name + ".skel.yaml", dump_yaml(meta));
  Json package = package_json(c.skel, c.object);
  std::string text = dump_json(package);
  if (!o.btfgen.empty()) {
    BtfgenResult b = btfgen_archive(o.btfgen, c.object, o.verbose);
    package["btf_archive"] = std::move(b.archive);
    size_t before = text.size();
    text = dump_json(package);
    std::cout << btfgen_growth_line(b, text.size() - before);
  }
  if (!o.no_package) {
    outputs.add("package.json", text);
    if (o.yaml) outputs.add("package.yaml", dump_yaml(package));
  }
  return text;
}

int run_package(const Options& o) {
  Inputs in = resolve_inputs(o);
  // A missing runner is found before anything is compiled or written.
  fs::path runner = o.standalone ? find_standalone_runner() : fs::path();
  OutputSet outputs(in.out_dir);
  WorkDir work;
  Compiled c = compile_and_describe(o, in, work.path());
  std::string package = add_package_outputs(outputs, o, in, c);
  if (o.standalone) {
    auto text = std::span(reinterpret_cast<const uint8_t*>(package.data()), package.size());
    if (o.verbose) std::cerr << "# write " << (in.out_dir / in.name).string() << ": " << runner.string()
                             << " + package.json\n";
    outputs.add_executable(in.name, standalone_executable(runner, standalone::PayloadKind::package, text));
  }
  if (o.verbose) std::cerr << "# write outputs to " << in.out_dir.string() << "\n";
  outputs.commit();
  return 0;
}

}  // namespace ecc
