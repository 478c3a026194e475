// lib/inspect and `ecli inspect` (docs/trust.md, "What a program may do").
// Objects compiled here are read by inspect_object and checked against
// llvm-objdump's disassembly and relocations (the helper ids, the
// subprograms, the kfunc externs), against bpftool's dump of what the
// kernel loaded, and `ecli inspect` on a package, an app.wasm and a gadget
// layout against the library's reading of the same object.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <map>
#include <random>
#include <regex>
#include <set>

#include "ecc/error.h"
#include "ecc/inspect.h"
#include "ecc/loader.h"
#include "ecli_fixture.h"

namespace ecc::test {
namespace {

using inspect::Program;
using inspect::Report;
using nlohmann::json;

fs::path programs_dir() { return source_dir() / "tests/trust/programs"; }

// What llvm-objdump -d -r says each function calls directly: helper ids
// (`call N` with src_reg 0, bytes "85 00"), and the functions or externs it
// calls by relocation (a `.text` relocation resolved by its instruction).
struct Disassembly {
  std::map<std::string, std::set<int>> helpers;
  std::map<std::string, std::set<std::string>> callees;
  std::map<std::string, std::map<long, std::string>> labels;  // section -> instruction -> function
  std::set<std::string> functions;
};

// A call by instruction: the section and instruction it goes to (a
// relocation against a function or an extern names it instead).
struct CallSite {
  std::string caller, section, callee;
  long target = 0;
};

Disassembly disassemble(const fs::path& obj) {
  RunResult r = run({"llvm-objdump", "-d", "-r", obj.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Disassembly d;
  std::regex section_re(R"(^Disassembly of section (.*):$)"), label_re(R"(^[0-9a-f]{16} <(.*)>:$)");
  std::regex insn_re(R"(^\s*(\d+):\s+([0-9a-f]{2}) ([0-9a-f])[0-9a-f] .*)"), call_re(R"(call (-?\d+)$)");
  std::regex reloc_re(R"(R_BPF_64_32\s+(\S+)$)");
  std::string section, func;
  bool labelled = false;
  std::vector<CallSite> calls;
  long imm = 0;
  for (const std::string& line : split_lines(r.out)) {
    std::smatch m, c;
    if (std::regex_match(line, m, section_re)) {
      section = m[1];
    } else if (std::regex_match(line, m, label_re)) {
      if (m[1].str().rfind("LBB", 0) != 0) func = m[1], labelled = true, d.functions.insert(func);
    } else if (std::regex_match(line, m, insn_re)) {
      long index = std::stol(m[1]);
      if (labelled) d.labels[section][index] = func, labelled = false;
      if (m[2] != "85" || !std::regex_search(line, c, call_re)) continue;
      imm = std::stol(c[1]);
      if (m[3] == "0") d.helpers[func].insert(static_cast<int>(imm));
      else calls.push_back({func, section, "", index + imm + 1});  // pc-relative
    } else if (std::regex_search(line, m, reloc_re) && !calls.empty() && calls.back().caller == func) {
      // The relocated call: `.text` + imm + 1, or the symbol itself.
      if (m[1] == ".text") calls.back() = {func, ".text", "", imm + 1};
      else calls.back().callee = m[1];
    }
  }
  for (const CallSite& c : calls)
    d.callees[c.caller].insert(c.callee.empty() ? d.labels[c.section][c.target] : c.callee);
  return d;
}

// The helper ids and kfunc names a program reaches, by llvm-objdump.
void reach(const Disassembly& d, const std::string& func, std::set<int>& helpers, std::set<std::string>& kfuncs,
           std::set<std::string>& seen) {
  if (!seen.insert(func).second) return;
  if (auto it = d.helpers.find(func); it != d.helpers.end()) helpers.insert(it->second.begin(), it->second.end());
  if (auto it = d.callees.find(func); it != d.callees.end())
    for (const std::string& c : it->second) {
      if (d.functions.count(c)) reach(d, c, helpers, kfuncs, seen);
      else kfuncs.insert(c);
    }
}

const Program& program(const Report& r, const std::string& name) {
  for (const Program& p : r.programs)
    if (p.name == name) return p;
  throw std::runtime_error("no program " + name);
}

std::set<std::string> helper_names(const Program& p) {
  std::set<std::string> s;
  for (const inspect::Call& c : p.calls)
    if (!c.kfunc) s.insert(c.name);
  return s;
}

class Inspect : public EcliTest {
 protected:
  // A program of tests/trust/programs compiled into the temp dir, and its bytes.
  fs::path compile(const std::string& name) {
    return compile_bpf(tmp, name, read_text(programs_dir() / (name + ".bpf.c")));
  }
  Report inspect_file(const fs::path& obj) { return inspect::inspect_object(read_bytes(obj), obj.string()); }
};

TEST(InspectHelpers, NamesComeFromTheUapiList) {
  EXPECT_EQ(inspect::helper_name(BPF_FUNC_map_lookup_elem), "bpf_map_lookup_elem");
  EXPECT_EQ(inspect::helper_name(36), "bpf_probe_write_user");
  EXPECT_EQ(inspect::helper_name(109), "bpf_send_signal");
  EXPECT_EQ(inspect::helper_name(BPF_FUNC_user_ringbuf_drain), "bpf_user_ringbuf_drain");
  EXPECT_EQ(inspect::helper_name(0), "") << "BPF_FUNC_unspec is no helper";
  EXPECT_EQ(inspect::helper_name(__BPF_FUNC_MAX_ID), "");
  EXPECT_EQ(inspect::helper_name(-1), "");
}

// Every program's helpers and kfuncs are what llvm-objdump shows its code
// and the subprograms it calls (static, global) to call.
TEST_F(Inspect, CallsMatchObjdump) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  ECC_REQUIRE_COMMAND_OR_SKIP("llvm-objdump");
  for (const std::string name : {"inspect_danger", "inspect_multi"}) {
    fs::path obj = compile(name);
    Report r = inspect_file(obj);
    Disassembly d = disassemble(obj);
    ASSERT_FALSE(r.programs.empty()) << name;
    for (const Program& p : r.programs) {
      std::set<int> want_helpers, got_helpers;
      std::set<std::string> want_kfuncs, got_kfuncs, seen;
      reach(d, p.name, want_helpers, want_kfuncs, seen);
      for (const inspect::Call& c : p.calls) {
        if (c.kfunc) {
          got_kfuncs.insert(c.name);
        } else {
          got_helpers.insert(c.helper_id);
          EXPECT_EQ(c.name, inspect::helper_name(c.helper_id));
        }
      }
      EXPECT_EQ(got_helpers, want_helpers) << name << ": " << p.name;
      EXPECT_EQ(got_kfuncs, want_kfuncs) << name << ": " << p.name;
      EXPECT_TRUE(std::is_sorted(p.calls.begin(), p.calls.end(),
                                 [](const auto& a, const auto& b) { return a.name < b.name; }));
    }
  }
}

TEST_F(Inspect, ProgramsMapsAndDangers) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  Report r = inspect_file(compile("inspect_danger"));
  ASSERT_EQ(r.programs.size(), 6u);
  const Program& open = program(r, "trace_open");
  EXPECT_EQ(open.section, "tracepoint/syscalls/sys_enter_openat");
  EXPECT_EQ(open.type, "tracepoint");
  EXPECT_EQ(open.attach, "syscalls:sys_enter_openat");
  // bpf_get_prandom_u32 and bpf_map_update_elem from the static subprogram,
  // bpf_get_current_uid_gid from the global one.
  EXPECT_EQ(helper_names(open), (std::set<std::string>{"bpf_get_current_pid_tgid", "bpf_get_current_uid_gid",
                                                       "bpf_get_prandom_u32", "bpf_map_update_elem"}));
  EXPECT_TRUE(open.dangers.empty());
  const Program& writer = program(r, "writer");
  EXPECT_EQ(writer.attach, "syscalls:sys_enter_kill");
  EXPECT_EQ(writer.dangers, (std::vector<std::string>{"writes user memory (bpf_probe_write_user)",
                                                      "sends signals (bpf_send_signal)"}));
  const Program& grab = program(r, "grab");
  EXPECT_EQ(grab.type, "tracing");
  EXPECT_EQ(grab.attach, "task_newtask");
  ASSERT_EQ(grab.calls.size(), 2u);
  EXPECT_TRUE(grab.calls[0].kfunc);
  EXPECT_EQ(grab.calls[0].name, "bpf_task_acquire");
  EXPECT_EQ(grab.calls[0].helper_id, -1);
  const Program& xdp = program(r, "drop_all");
  EXPECT_EQ(xdp.type, "xdp");
  EXPECT_EQ(xdp.attach, "");
  EXPECT_EQ(xdp.dangers, std::vector<std::string>{"can drop or redirect traffic (xdp)"});
  const Program& unlink = program(r, "deny_unlink");
  EXPECT_EQ(unlink.type, "kprobe");
  EXPECT_EQ(unlink.attach, "do_unlinkat");
  EXPECT_EQ(unlink.dangers, std::vector<std::string>{"changes a kernel function's return value (bpf_override_return)"});
  EXPECT_EQ(program(r, "on_main").type, "kprobe") << "libbpf's type of a uprobe";
  EXPECT_EQ(program(r, "on_main").attach, "/bin/true:main");
  ASSERT_EQ(r.maps.size(), 1u);
  EXPECT_EQ(r.maps[0].name, "seen");
  EXPECT_EQ(r.maps[0].type, "lru_hash");
  EXPECT_EQ(r.maps[0].key_size, 8u);
  EXPECT_EQ(r.maps[0].value_size, 4u);
  EXPECT_EQ(r.maps[0].max_entries, 64u);
}

TEST(InspectRules, Refusal) {
  Report r;
  r.programs.push_back({"on_open", "tp/syscalls/sys_enter_openat", "tracepoint", "syscalls:sys_enter_openat",
                        {{"bpf_ktime_get_ns", 5, false, ""}}, {}});
  r.programs.push_back({"killer", "tp/syscalls/sys_enter_kill", "tracepoint", "syscalls:sys_enter_kill",
                        {{"bpf_send_signal", 109, false, "sends signals"}, {"bpf_task_acquire", -1, true, ""}}, {}});
  r.programs.push_back({"drop", "xdp", "xdp", "", {}, {}});
  inspect::Rules none;
  EXPECT_EQ(inspect::refusal(r, none), std::nullopt);
  inspect::Rules deny{.deny_helpers = {"send_signal"}, .scope = "scope 'prod'"};
  EXPECT_EQ(inspect::refusal(r, deny), "program 'killer' calls bpf_send_signal, denied by scope 'prod'");
  inspect::Rules types{.allow_program_types = std::vector<std::string>{"tracepoint"}, .scope = "scope 'prod'"};
  EXPECT_EQ(inspect::refusal(r, types), "program 'drop' is of type xdp, not allowed by scope 'prod'");
  inspect::Rules deny_type{.allow_program_types = std::vector<std::string>{"tracepoint", "xdp"},
                           .deny_program_types = {"xdp"}, .scope = "s"};
  EXPECT_EQ(inspect::refusal(r, deny_type), "program 'drop' is of type xdp, denied by s") << "deny wins over allow";
  inspect::Rules helpers{.allow_helpers = std::vector<std::string>{"ktime_get_ns", "bpf_send_signal"}, .scope = "s"};
  EXPECT_EQ(inspect::refusal(r, helpers), "program 'killer' calls kfunc bpf_task_acquire, not allowed by s");
  helpers.allow_helpers->push_back("task_acquire");
  EXPECT_EQ(inspect::refusal(r, helpers), std::nullopt) << "names match with or without bpf_";
}

// Every prefix of an object and random byte changes: an object, or one
// ecc::Error line naming the file; never a crash.
TEST_F(Inspect, DamagedObjectsAreOneErrorLine) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  const std::vector<uint8_t> good = read_bytes(compile("inspect_danger"));
  auto check = [](const std::vector<uint8_t>& bytes, const std::string& what) {
    try {
      inspect::inspect_object(bytes, "damaged.o");
    } catch (const Error& e) {
      EXPECT_EQ(e.file(), "damaged.o") << what;
      EXPECT_EQ(e.line().find('\n'), std::string::npos) << what << ": " << e.line();
      EXPECT_FALSE(std::string(e.what()).empty()) << what;
      return false;
    }
    return true;
  };
  EXPECT_FALSE(check({}, "empty"));
  for (size_t n = 0; n < good.size(); n += 1 + good.size() / 150)
    EXPECT_FALSE(check(std::vector<uint8_t>(good.begin(), good.begin() + static_cast<long>(n)), "cut at " + std::to_string(n)));
  std::mt19937 rng(19);
  int survived = 0;
  for (int round = 0; round < 400; ++round) {
    std::vector<uint8_t> bad = good;
    for (int k = 0; k <= round % 4; ++k) bad[rng() % bad.size()] = static_cast<uint8_t>(rng());
    survived += check(bad, "round " + std::to_string(round));
  }
  EXPECT_GT(survived, 0) << "most single changes leave a readable object";
  try {
    inspect::inspect_object(read_bytes("/proc/self/exe"), "x");
    ADD_FAILURE() << "an executable is no BPF object";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a BPF object"), std::string::npos) << e.line();
  }
}

// The helpers bpftool's dump of a loaded program calls. The verifier
// rewrites some calls: map helpers become the map type's own functions
// ("htab_map_update_elem", "__htab_map_lookup_elem"), named here by the
// helper they stand for; subprogram calls ("call pc+4#...") are skipped.
std::set<std::string> xlated_helpers(uint32_t id) {
  RunResult r = run({"bpftool", "prog", "dump", "xlated", "id", std::to_string(id)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> out;
  std::regex call_re(R"(\(85\) call ([A-Za-z_0-9]+)#)");
  for (const std::string& line : split_lines(r.out)) {
    std::smatch m;
    if (!std::regex_search(line, m, call_re)) continue;
    std::string name = m[1];
    for (const char* op : {"map_lookup_elem", "map_update_elem", "map_delete_elem"})
      if (name.ends_with(op)) name = std::string("bpf_") + op;
    out.insert(name);
  }
  return out;
}

// Loaded on the kernel, each program calls what inspect_object said, but
// for the helpers the verifier inlines into plain instructions (no call is
// left): bpf_map_lookup_elem on an array, bpf_get_smp_processor_id (x86-64
// since Linux 6.10), bpf_jiffies64, bpf_get_func_ip, bpf_kptr_xchg.
TEST_F(Inspect, KernelLoadsWhatInspectSays) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  ECC_REQUIRE_COMMAND_OR_SKIP("bpftool");
  fs::path obj = compile("inspect_multi");
  Report r = inspect_file(obj);
  bpf_object* o = bpf_object__open_file(obj.c_str(), nullptr);
  ASSERT_NE(o, nullptr);
  ASSERT_EQ(bpf_object__load(o), 0) << "the kernel refused " << obj;
  const std::set<std::string> inlined = {"bpf_map_lookup_elem", "bpf_get_smp_processor_id", "bpf_jiffies64",
                                         "bpf_get_func_ip", "bpf_kptr_xchg"};
  ASSERT_EQ(r.programs.size(), 3u);
  for (const Program& p : r.programs) {
    bpf_program* prog = bpf_object__find_program_by_name(o, p.name.c_str());
    ASSERT_NE(prog, nullptr) << p.name;
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    ASSERT_EQ(bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len), 0);
    std::set<std::string> ours = helper_names(p), kernel = xlated_helpers(info.id);
    for (const std::string& k : kernel) EXPECT_TRUE(ours.count(k)) << p.name << " calls " << k << " on the kernel";
    for (const std::string& h : ours)
      EXPECT_TRUE(kernel.count(h) || inlined.count(h)) << p.name << ": " << h << " is not called on the kernel";
  }
  // Calls from the static and the global subprogram are in the kernel's program too.
  bpf_prog_info info{};
  uint32_t len = sizeof info;
  ASSERT_EQ(bpf_obj_get_info_by_fd(bpf_program__fd(bpf_object__find_program_by_name(o, "on_open")), &info, &len), 0);
  std::set<std::string> open = xlated_helpers(info.id);
  EXPECT_TRUE(open.count("bpf_ktime_get_ns") && open.count("bpf_map_update_elem")) << testing::PrintToString(open);
  bpf_object__close(o);
}

// The programs and maps of one object of `ecli inspect -j`, as the library
// reads `elf`: names, sections, types, targets, helpers, kfuncs, dangers.
void expect_same(const json& got, const Report& want) {
  ASSERT_EQ(got["programs"].size(), want.programs.size()) << got.dump();
  for (size_t i = 0; i < want.programs.size(); ++i) {
    const json& g = got["programs"][i];
    const Program& w = want.programs[i];
    EXPECT_EQ(g["name"], w.name);
    EXPECT_EQ(g["section"], w.section);
    EXPECT_EQ(g["type"], w.type);
    EXPECT_EQ(g["attach"], w.attach);
    EXPECT_EQ(g["dangers"].get<std::vector<std::string>>(), w.dangers);
    std::set<std::string> names;
    for (const json& h : g["helpers"]) {
      names.insert(h["name"]);
      EXPECT_EQ(inspect::helper_name(h["id"].get<int>()), h["name"]);
    }
    EXPECT_EQ(names, helper_names(w)) << w.name;
    EXPECT_EQ(g["kfuncs"].size(), w.calls.size() - names.size()) << w.name;
  }
  ASSERT_EQ(got["maps"].size(), want.maps.size());
  for (size_t i = 0; i < want.maps.size(); ++i) {
    EXPECT_EQ(got["maps"][i]["name"], want.maps[i].name);
    EXPECT_EQ(got["maps"][i]["type"], want.maps[i].type);
    EXPECT_EQ(got["maps"][i]["max_entries"], want.maps[i].max_entries);
  }
}

// `ecli inspect -j FILE`: exit 0, one JSON document with one object.
json inspect_json(const RunResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["objects"].size(), 1u) << r.out;
  return j["objects"][0];
}

TEST_F(Inspect, EcliInspectsAPackage) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  fs::path pkg = build_example("bootstrap");
  Report want = inspect::inspect_object(loader::read_package(pkg.string()).elf, "bootstrap");
  json got = inspect_json(ecli({"inspect", "-j", pkg.string()}));
  EXPECT_EQ(got["source"], pkg.string());
  expect_same(got, want);
  EXPECT_EQ(got["programs"][0]["type"], "tracepoint");
  EXPECT_EQ(got["programs"][0]["attach"], "sched:sched_process_exec");
  // The text: one block per program, then the maps.
  RunResult text = ecli({"inspect", pkg.string()});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("program handle_exec  type tracepoint  attach sched:sched_process_exec\n"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("bpf_ringbuf_reserve"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("map rb  type ringbuf"), std::string::npos) << text.out;
}

// An app.wasm carries the same object as the package ecc built next to it.
TEST_F(Inspect, EcliInspectsAWasmApp) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  fs::path app = build_wasm_app(source_dir() / "tests/ecli/wasm_apps/tcapp");
  ASSERT_TRUE(fs::exists(app));
  std::vector<uint8_t> module = read_bytes(app);
  std::vector<std::vector<uint8_t>> found = inspect::wasm_objects(module, app.string());
  ASSERT_EQ(found.size(), 1u);
  json got = inspect_json(ecli({"inspect", "--json", app.string()}));
  expect_same(got, inspect::inspect_object(found[0], "app"));
  EXPECT_EQ(got["programs"][0]["type"], "sched_cls");
  EXPECT_EQ(got["programs"][0]["dangers"][0], "can drop or redirect traffic (sched_cls)");
  // The object is the one ecc compiled: the package.json beside the app.
  fs::path pkg = app.parent_path() / "package.json";
  if (fs::exists(pkg)) {
    EXPECT_EQ(loader::read_package(pkg.string()).elf, found[0]);
  }
  // A module cut short anywhere is one error line, or fewer objects; never a crash.
  for (size_t n = 8; n < module.size(); n += 1 + module.size() / 97) {
    try {
      inspect::wasm_objects(std::span<const uint8_t>(module).first(n), "cut.wasm");
    } catch (const Error& e) {
      EXPECT_EQ(e.line().find('\n'), std::string::npos) << e.line();
    }
  }
  RunResult text = ecli({"inspect", app.string()});
  EXPECT_NE(text.out.find("  ! DANGER: can drop or redirect traffic (sched_cls)\n"), std::string::npos) << text.out;
}

TEST_F(Inspect, EcliInspectsAGadgetLayout) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  fs::path ex = source_dir() / "examples/opensnoop", layout = tmp / "gadget" / "opensnoop.gadget";
  RunResult built = run({ecc_binary().string(), "--gadget", "-o", (tmp / "gadget").string(), (ex / "opensnoop.bpf.c").string(),
                         (ex / "opensnoop.h").string()},
                        {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  json got = inspect_json(ecli({"inspect", "-j", layout.string()}));
  bool openat = false;
  for (const json& p : got["programs"]) openat |= p["attach"] == "syscalls:sys_enter_openat";
  EXPECT_TRUE(openat) << got.dump();
  EXPECT_EQ(got["source"], layout.string());
}

TEST_F(Inspect, EcliUsageAndBadFiles) {
  RunResult none = ecli({"inspect"});
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("ecli inspect takes one FILE"), std::string::npos) << none.err;
  RunResult unknown = ecli({"inspect", "--duration", "3", "x.o"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  fs::path bad = tmp / "bad.o";
  std::vector<uint8_t> elf = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  write_text(bad, std::string(elf.begin(), elf.end()));
  RunResult r = ecli({"inspect", bad.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find(bad.string()), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  fs::path wasm = tmp / "empty.wasm";
  write_text(wasm, std::string("\0asm\1\0\0\0", 8));
  RunResult w = ecli({"inspect", wasm.string()});
  EXPECT_EQ(w.exit_code, 1);
  EXPECT_NE(w.err.find("the module carries no BPF object"), std::string::npos) << w.err;
}

}  // namespace
}  // namespace ecc::test
