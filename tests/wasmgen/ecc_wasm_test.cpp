// ecc gen-wasm-skel / build-wasm end to end on the examples and test
// programs: generated wasm32 types checked against the BPF layout by clang
// (static asserts and its record layout dump) and by rustc (const asserts),
// program_data and the patched .rodata read back natively, the module's
// imports and exports, and the user-file and bad-input rules.
#include <bpf/libbpf.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "wasm_fixture.h"

namespace ecc::test {
namespace {

using nlohmann::json;

#define REQUIRE_BTF_OR_SKIP() ECC_REQUIRE_KERNEL_BTF_OR_SKIP()

const char* kWasiSysroot = "/usr";  // Debian's wasi-libc: /usr/include/wasm32-wasi

// Record layouts Clang computes for wasm32: name -> lines "offset | type name".
std::map<std::string, std::vector<std::string>> wasm32_layouts(const fs::path& dir, std::string& err) {
  std::ofstream(dir / "layouts.c") << "#include \"ewasm-skel.h\"\n";
  RunResult r = run({"clang", "--target=wasm32-wasi", "--sysroot=" + std::string(kWasiSysroot), "-I" + dir.string(),
                     "-I" + (dir / "eunomia-include").string(), "-fsyntax-only", "-Xclang", "-fdump-record-layouts",
                     (dir / "layouts.c").string()});
  err = r.exit_code == 0 ? "" : r.err + r.out;
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(r.out);
  std::string line, current;
  static const std::regex head(R"(^\s+0 \| (.*)$)");
  for (bool next_is_head = false; std::getline(in, line);) {
    if (line.find("*** Dumping AST Record Layout") != std::string::npos) {
      next_is_head = true;
      continue;
    }
    std::smatch m;
    if (next_is_head && std::regex_match(line, m, head)) {
      current = m[1];
      out[current].clear();
      next_is_head = false;
      continue;
    }
    if (!current.empty()) out[current].push_back(line);
  }
  return out;
}

// "  20:1-3 |   uint32_t depth" -> (bit offset, name)
bool find_member(const std::vector<std::string>& lines, const std::string& name, uint64_t bit_offset, bool bitfield) {
  static const std::regex row(R"(^\s*(\d+)(?::(\d+)-\d+)? \|\s+(.*\S)\s*$)");
  for (const auto& l : lines) {
    std::smatch m;
    if (!std::regex_match(l, m, row)) continue;
    std::string decl = m[3];
    if (decl.size() < name.size() + 1 || decl.compare(decl.size() - name.size(), name.size(), name) != 0 ||
        decl[decl.size() - name.size() - 1] != ' ')
      continue;
    uint64_t bits = std::stoull(m[1]) * 8 + (m[2].matched ? std::stoull(m[2]) : 0);
    if (bits == (bitfield ? bit_offset : bit_offset * 8)) return true;
  }
  return false;
}

void check_members(const json& members, const std::vector<std::string>& lines, const std::string& type) {
  for (const auto& m : members) {
    std::string name = m.value("name", "");
    if (!name.empty()) {
      bool bitfield = m.contains("bit_size");
      uint64_t off = bitfield ? m["bit_offset"].get<uint64_t>() : m["offset"].get<uint64_t>();
      EXPECT_TRUE(find_member(lines, name, off, bitfield))
          << type << "." << name << " is not at " << (bitfield ? "bit " : "byte ") << off << " on wasm32";
    }
    if (m.contains("members")) check_members(m["members"], lines, type);
  }
}

std::string size_line(const std::vector<std::string>& lines) {
  for (const auto& l : lines)
    if (l.find("[sizeof=") != std::string::npos) return l.substr(l.find("[sizeof="));
  return "";
}

class EveryProgram : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryProgram, Wasm32TypesMatchTheBpfLayoutInCAndRust) {
  REQUIRE_BTF_OR_SKIP();
  TempDir tmp;
  std::string name = GetParam();
  fs::path dir = copy_program(tmp, name);
  RunResult r = ecc({"gen-wasm-skel", "--rust", name + ".bpf.c", name + ".h"}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string f : {"ewasm-skel.h", "app.c", "package.json", "eunomia-include/wasm_bpf.h",
                              "eunomia-include/ewasm_json.h", "eunomia-include/ewasm_util.h",
                              "eunomia-include/libbpf-wasm.h", "main.rs", "Cargo.toml", ".cargo/config.toml"})
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  for (const std::string& f : {name + ".skel.h", name + ".wasm.h"}) EXPECT_TRUE(fs::exists(dir / f)) << f;
  // The generated app.c is on the one skeleton.
  std::string app = read_text(dir / "app.c");
  EXPECT_NE(app.find("#include \"" + name + ".skel.h\""), std::string::npos);
  EXPECT_NE(app.find(name + "_bpf__open()"), std::string::npos);
  ASSERT_TRUE(fs::exists(dir / (name + "_skel.rs")));

  // C: the static asserts hold for wasm32, and Clang's own layouts agree
  // with the export types of the package, member by member.
  std::string err;
  auto layouts = wasm32_layouts(dir, err);
  ASSERT_EQ(err, "");
  json skel = json::parse(read_text(dir / (name + ".skel.json")));
  ASSERT_FALSE(skel["export_types"].empty());
  for (const auto& t : skel["export_types"]) {
    if (!t.contains("members")) continue;  // enums
    std::string tn = t["name"];
    const std::vector<std::string>* lines = nullptr;
    for (const char* prefix : {"struct ", "union ", ""})
      if (layouts.count(prefix + tn)) lines = &layouts[prefix + tn];
    ASSERT_NE(lines, nullptr) << "no wasm32 layout for " << tn;
    EXPECT_EQ(size_line(*lines), "[sizeof=" + std::to_string(t["size"].get<int>()) + ", align=" +
                                     std::to_string(t["align"].get<int>()) + "]")
        << tn;
    check_members(t["members"], *lines, tn);
  }

  // The app builds (every generated piece compiles and links for wasm32).
  RunResult b = ecc({"build-wasm"}, dir);
  EXPECT_EQ(b.exit_code, 0) << b.err;
  EXPECT_TRUE(fs::exists(dir / "app.wasm"));

  // Rust: the const assertions on sizes and offsets hold (compile = proof),
  // and the generated main.rs builds.
  RunResult rs = run({"/usr/bin/rustc", "--edition", "2021", "--target", "wasm32-wasi", "--crate-type", "lib",
                      "-o", (dir / "libskel.rlib").string(), (dir / (name + "_skel.rs")).string()});
  EXPECT_EQ(rs.exit_code, 0) << rs.err;
  RunResult rm = run({"/usr/bin/rustc", "--edition", "2021", "--target", "wasm32-wasi", "-C",
                      "link-arg=--export-table", "-o", (dir / "rust.wasm").string(), (dir / "main.rs").string()});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
}

INSTANTIATE_TEST_SUITE_P(Programs, EveryProgram,
                         ::testing::Values("sigsnoop", "opensnoop", "bootstrap", "runqlat", "forkmix", "netmix",
                                           "taskiter", "unlinkwatch", "enumshare"),
                         [](const auto& info) { return info.param; });

std::set<std::string> wasm_section(const std::string& dump, const std::string& section) {
  std::set<std::string> out;
  std::istringstream in(dump);
  std::string line;
  bool inside = false;
  static const std::regex import_row(R"(<- ([\w.]+)$)");
  static const std::regex export_row(R"re(-> "([^"]+)"$)re");
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ') inside = line.rfind(section + "[", 0) == 0;
    std::smatch m;
    if (inside && std::regex_search(line, m, section == "Import" ? import_row : export_row)) out.insert(m[1]);
  }
  return out;
}

TEST(BuildWasm, SigsnoopFromTheCurrentDirectoryIsASmallValidModule) {
  REQUIRE_BTF_OR_SKIP();
  TempDir tmp;
  fs::path dir = copy_program(tmp, "sigsnoop");
  RunResult g = ecc({"gen-wasm-skel"}, dir);
  ASSERT_EQ(g.exit_code, 0) << g.err;
  RunResult b = ecc({"build-wasm", "-v"}, dir);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.err.find("--target=wasm32-wasi"), std::string::npos) << "-v prints the command";
  uintmax_t size = fs::file_size(dir / "app.wasm");
  EXPECT_EQ(b.out, (dir / "app.wasm").string() + ": " + std::to_string(size) + " bytes\n");
  EXPECT_LT(size, 35000u) << "eunomia-bpf's sigsnoop app.wasm is 70,076 bytes";

  RunResult d = run({"wasm-objdump", "-x", (dir / "app.wasm").string()});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  std::set<std::string> bpf_imports, other_modules;
  for (const auto& i : wasm_section(d.out, "Import")) {
    std::string module = i.substr(0, i.find('.'));
    if (module == "wasm_bpf") bpf_imports.insert(i.substr(i.find('.') + 1));
    else other_modules.insert(module);
  }
  // The six in docs/wasm-host-abi.md (map_operate: load writes .bss views, generic code).
  EXPECT_EQ(bpf_imports, (std::set<std::string>{"wasm_load_bpf_object", "wasm_attach_bpf_program",
                                                "wasm_bpf_buffer_poll", "wasm_bpf_map_fd_by_name",
                                                "wasm_close_bpf_object", "wasm_bpf_map_operate"}));
  EXPECT_EQ(other_modules, std::set<std::string>{"wasi_snapshot_preview1"});
  EXPECT_EQ(wasm_section(d.out, "Export"), (std::set<std::string>{"memory", "_start", "__indirect_function_table"}));
}

TEST(BuildWasm, BssProgramsImportMapOperate) {
  REQUIRE_BTF_OR_SKIP();
  TempDir tmp;
  fs::path dir = copy_program(tmp, "taskiter");
  ASSERT_EQ(ecc({"gen-wasm-skel"}, dir).exit_code, 0);
  ASSERT_EQ(ecc({"build-wasm"}, dir).exit_code, 0);
  RunResult d = run({"wasm-objdump", "-x", (dir / "app.wasm").string()});
  EXPECT_EQ(wasm_section(d.out, "Import").count("wasm_bpf.wasm_bpf_map_operate"), 1u);
}

TEST(BuildWasm, ErrorsAreOneLineAndLeaveNoOutput) {
  TempDir tmp;
  RunResult none = ecc({"build-wasm"}, tmp.path());
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no app.c"), std::string::npos) << none.err;
  write_text(tmp / "app.c", "int main(void) { return undefined_thing; }\n");
  RunResult bad = ecc({"build-wasm"}, tmp.path());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("undefined_thing"), std::string::npos) << "clang's diagnostics pass through";
  EXPECT_FALSE(fs::exists(tmp / "app.wasm"));
  RunResult sys = ecc({"build-wasm", "--wasi-sysroot", (tmp / "nope").string()}, tmp.path());
  EXPECT_EQ(sys.exit_code, 1);
  EXPECT_NE(sys.err.find("not a WASI sysroot"), std::string::npos) << sys.err;
}

// Natively compiled, the header gives back the package byte for byte, and a
// rodata field set before load lands where libbpf reads the initial value.
TEST(GenWasmSkel, ProgramDataRoundTripsAndRodataPatchesReachTheObject) {
  REQUIRE_BTF_OR_SKIP();
  TempDir tmp;
  fs::path dir = copy_program(tmp, "sigsnoop");
  ASSERT_EQ(ecc({"gen-wasm-skel"}, dir).exit_code, 0);
  write_text(dir / "native.c", R"(#include <stdio.h>
#include "ewasm-skel.h"
/* Natively there is no host: open's error path can reach this import. */
int wasm_close_bpf_object(uint64_t handle)
{
	(void)handle;
	return 0;
}

int main(int argc, char **argv)
{
	struct sigsnoop_bpf *skel = sigsnoop_bpf__open();
	FILE *f;

	if (!skel)
		return 3;
	skel->rodata->filtered_pid = 424242;
	skel->rodata->target_signal = -7;
	skel->rodata->failed_only = 1;
	f = fopen(argv[1], "wb");
	fwrite(skel->obj->image, 1, skel->obj->image_sz, f);
	fclose(f); /* (no __destroy: natively there is no host to close on) */
	fwrite(program_data, 1, sizeof(program_data) - 1, stdout);
	return argc == 2 ? 0 : 1;
}
)");
  RunResult c = run({"clang", "-Wno-unknown-attributes", "-I" + dir.string(), "-I" + (dir / "eunomia-include").string(),
                     "-o", (dir / "native").string(), (dir / "native.c").string()});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  RunResult n = run({(dir / "native").string(), (dir / "patched.o").string()});
  ASSERT_EQ(n.exit_code, 0) << n.err;
  EXPECT_EQ(n.out, read_text(dir / "package.json"));

  json skel = json::parse(read_text(dir / "sigsnoop.skel.json"));
  std::map<std::string, int> offsets;
  for (const auto& s : skel["bpf_skel"]["data_sections"])
    if (s["name"] == ".rodata")
      for (const auto& v : s["variables"]) offsets[v["name"]] = v["offset"];
  ASSERT_EQ(offsets.size(), 3u);
  bpf_object* obj = bpf_object__open_file((dir / "patched.o").c_str(), nullptr);
  ASSERT_NE(obj, nullptr);
  bpf_map* rodata = bpf_object__find_map_by_name(obj, ".rodata");
  ASSERT_NE(rodata, nullptr);
  size_t size = 0;
  const auto* bytes = static_cast<const uint8_t*>(bpf_map__initial_value(rodata, &size));
  ASSERT_GE(size, 9u);
  int32_t pid, sig;
  std::memcpy(&pid, bytes + offsets["filtered_pid"], 4);
  std::memcpy(&sig, bytes + offsets["target_signal"], 4);
  EXPECT_EQ(pid, 424242);
  EXPECT_EQ(sig, -7);
  EXPECT_EQ(bytes[offsets["failed_only"]], 1);
  bpf_object__close(obj);
}

TEST(GenWasmSkel, AppCIsKeptWithoutForce) {
  REQUIRE_BTF_OR_SKIP();
  TempDir tmp;
  fs::path dir = copy_program(tmp, "sigsnoop");
  write_text(dir / "app.c", "/* mine */\n");
  RunResult r = ecc({"gen-wasm-skel"}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(dir / "app.c"), "/* mine */\n");
  EXPECT_NE(r.err.find("keeping the existing app.c"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir / "ewasm-skel.h"));
  RunResult f = ecc({"gen-wasm-skel", "--force"}, dir);
  ASSERT_EQ(f.exit_code, 0) << f.err;
  std::string app = read_text(dir / "app.c");
  EXPECT_NE(app.find("getopt_long"), std::string::npos);
  EXPECT_NE(app.find("{\"pid\", required_argument, NULL, 'p'}"), std::string::npos) << app;
  EXPECT_NE(app.find("bpf_buffer__open(skel->maps.events, handle_events, NULL)"), std::string::npos) << app;
  EXPECT_NE(app.find("Trace standard and real-time signals."), std::string::npos) << "usage carries @brief";
}

// Several sources: the skeleton header in two translation units links once,
// and NO_COLOR keeps clang's diagnostics plain even on a terminal (-v shows
// the command).
TEST(BuildWasm, SeveralSourcesShareOneSkeletonAndNoColorIsHonoured) {
  REQUIRE_BTF_OR_SKIP();
  TempDir tmp;
  fs::path dir = copy_program(tmp, "sigsnoop");
  ASSERT_EQ(ecc({"gen-wasm-skel"}, dir).exit_code, 0);
  write_text(dir / "main.c", R"(#include "sigsnoop.skel.h"
int set_pid(struct sigsnoop_bpf *skel, int pid);
int main(void)
{
	struct sigsnoop_bpf *skel = sigsnoop_bpf__open();

	return skel && set_pid(skel, 7) == 0 && skel->rodata->filtered_pid == 7 ? 0 : 1;
}
)");
  write_text(dir / "other.c", R"(#include "sigsnoop.skel.h"
#include "sigsnoop.wasm.h"
int set_pid(struct sigsnoop_bpf *skel, int pid)
{
	skel->rodata->filtered_pid = pid;
	return bpf_map__fd(skel->maps.events) == -EINVAL ? 0 : 1; /* not loaded yet */
}
)");
  RunResult b = ecc({"build-wasm", "-v", "main.c", "other.c"}, dir);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.err.find("main.c"), std::string::npos) << b.err;
  EXPECT_NE(b.err.find("other.c"), std::string::npos) << b.err;
  EXPECT_TRUE(fs::exists(dir / "app.wasm"));
  // On a terminal (script(1) gives one): colours, unless NO_COLOR.
  auto on_tty = [&](const std::string& env) {
    std::string cmd = "env " + env + " XDG_CACHE_HOME=" + shared_cache().string() + " " + ecc_binary().string() +
                      " build-wasm -v main.c other.c";
    return run({"script", "-qec", cmd, "/dev/null"}, {}, dir.string());
  };
  RunResult plain = on_tty("NO_COLOR=1"), colour = on_tty("-u NO_COLOR");
  EXPECT_EQ(plain.exit_code, 0) << plain.out;
  EXPECT_EQ(plain.out.find("-fcolor-diagnostics"), std::string::npos) << plain.out;
  EXPECT_NE(colour.out.find("-fcolor-diagnostics"), std::string::npos) << colour.out;
}

TEST(GenWasmSkel, CandidateErrors) {
  TempDir tmp;
  fs::create_directories(tmp / "none");
  RunResult none = ecc({"gen-wasm-skel"}, tmp / "none");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no *.bpf.c file"), std::string::npos) << none.err;

  fs::create_directories(tmp / "two");
  write_text(tmp / "two" / "a.bpf.c", "");
  write_text(tmp / "two" / "b.bpf.c", "");
  RunResult two = ecc({"gen-wasm-skel"}, tmp / "two");
  EXPECT_EQ(two.exit_code, 1);
  EXPECT_NE(two.err.find("several *.bpf.c files in the current directory (a.bpf.c, b.bpf.c)"), std::string::npos)
      << two.err;

  fs::create_directories(tmp / "nohdr");
  write_text(tmp / "nohdr" / "x.bpf.c", "");
  RunResult nohdr = ecc({"gen-wasm-skel"}, tmp / "nohdr");
  EXPECT_EQ(nohdr.exit_code, 1);
  EXPECT_NE(nohdr.err.find("no export header x.h next to x.bpf.c"), std::string::npos) << nohdr.err;
  EXPECT_EQ(list_dir(tmp / "nohdr"), std::vector<std::string>{"x.bpf.c"});
  for (const auto* r : {&none, &two, &nohdr}) {
    EXPECT_EQ(r->err.rfind("ecc: error: ", 0), 0u) << r->err;
    EXPECT_EQ(std::count(r->err.begin(), r->err.end(), '\n'), 1) << r->err;
  }
}

TEST(GenWasmSkel, RustAppOnTheGeneratedModuleBuildsWithDebianRustc) {
  REQUIRE_BTF_OR_SKIP();
  TempDir tmp;
  fs::path dir = copy_program(tmp, "sigsnoop");
  ASSERT_EQ(ecc({"gen-wasm-skel", "--rust"}, dir).exit_code, 0);
  fs::copy_file(ECC_RUST_APP, dir / "rust_app.rs");
  RunResult r = run({"/usr/bin/rustc", "--edition", "2021", "--target", "wasm32-wasi", "-O", "-C",
                     "link-arg=--export-table", "-o", (dir / "rust_app.wasm").string(), (dir / "rust_app.rs").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RunResult d = run({"wasm-objdump", "-x", (dir / "rust_app.wasm").string()});
  std::set<std::string> imports = wasm_section(d.out, "Import");
  // (The app never returns from its loop: the close in Drop is dead code.)
  for (const char* f : {"wasm_load_bpf_object", "wasm_attach_bpf_program", "wasm_bpf_buffer_poll",
                        "wasm_bpf_map_fd_by_name"})
    EXPECT_EQ(imports.count(std::string("wasm_bpf.") + f), 1u) << f;
  std::set<std::string> exports = wasm_section(d.out, "Export");
  EXPECT_EQ(exports.count("__indirect_function_table"), 1u);
  EXPECT_EQ(exports.count("_start"), 1u);
  EXPECT_EQ(exports.count("memory"), 1u);
}

}  // namespace
}  // namespace ecc::test
