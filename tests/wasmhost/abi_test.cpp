// The guest SDK and the host agree on the host ABI: a C guest built with
// clang --target=wasm32-wasi against wasm_bpf.h imports exactly the
// functions of wasm_bpf_abi.h with exactly its wasm types, and the host
// accepts every one of them (and answers each call). No kernel needed.
#include <algorithm>
#include <cstring>
#include <map>
#include <regex>
#include <sstream>

#include "wasm_bpf_abi.h"
#include "wasm_fixture.h"

namespace ecc::test {
namespace {

const fs::path kSdk = "templates/eunomia-include";

std::string no_spaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

// import name -> "(params)->result", as wasm_bpf_abi.h declares them.
std::map<std::string, std::string> declared() {
  std::map<std::string, std::string> m;
#define ECC_TEST_ROW(name, wasm_result, wasm_params, c_result, c_params) m[#name] = no_spaces(#wasm_params "->" #wasm_result);
  EWASM_ABI_IMPORTS(ECC_TEST_ROW)
#undef ECC_TEST_ROW
  return m;
}

// module.name -> "(params)->result" of a module's function imports, read
// with wabt's wasm-objdump.
std::map<std::string, std::string> imports_of(const fs::path& wasm) {
  RunResult types = run({"wasm-objdump", "-x", "-j", "Type", wasm.string()});
  RunResult imports = run({"wasm-objdump", "-x", "-j", "Import", wasm.string()});
  if (types.exit_code != 0 || imports.exit_code != 0) throw std::runtime_error("wasm-objdump failed:\n" + types.err);
  std::map<std::string, std::string> sig;
  std::regex type_line(R"(- type\[(\d+)\] (\(.*\)) -> (\S+))");
  std::smatch m;
  std::istringstream t(types.out);
  for (std::string line; std::getline(t, line);)
    if (std::regex_search(line, m, type_line)) sig[m[1]] = no_spaces(m[2].str()) + "->" + m[3].str();
  std::map<std::string, std::string> out;
  std::regex import_line(R"(- func\[\d+\] sig=(\d+) .*<- (\S+))");
  std::istringstream i(imports.out);
  for (std::string line; std::getline(i, line);)
    if (std::regex_search(line, m, import_line)) out[m[2]] = sig.at(m[1]);
  return out;
}

fs::path build_guest(const TempDir& dir) {
  fs::path out = dir / "abi_guest.wasm";
  RunResult r = run({"clang", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-Wall", "-Wextra", "-Werror",
                     "-Wl,--export-table", "-Wl,--allow-undefined", "-I", (source_dir() / kSdk).string(),
                     (source_dir() / "tests/wasmhost/apps/abi_guest.c").string(), "-o", out.string()});
  if (r.exit_code != 0) throw std::runtime_error("guest build failed:\n" + r.err);
  return out;
}

TEST(HostAbi, TheGuestHeaderDeclaresExactlyTheListedImportsAndTypes) {
  TempDir dir;
  std::map<std::string, std::string> want = declared();
  ASSERT_EQ(want.size(), 6u);
  // docs/wasm-host-abi.md's table.
  EXPECT_EQ(want["wasm_load_bpf_object"], "(i32,i32)->i64");
  EXPECT_EQ(want["wasm_attach_bpf_program"], "(i64,i32,i32)->i32");
  EXPECT_EQ(want["wasm_bpf_buffer_poll"], "(i64,i32,i32,i32,i32,i32,i32)->i32");
  EXPECT_EQ(want["wasm_bpf_map_fd_by_name"], "(i64,i32)->i32");
  EXPECT_EQ(want["wasm_bpf_map_operate"], "(i32,i32,i32,i32,i32,i64)->i32");
  EXPECT_EQ(want["wasm_close_bpf_object"], "(i64)->i32");

  std::map<std::string, std::string> got;
  for (const auto& [what, type] : imports_of(build_guest(dir)))
    if (what.rfind(EWASM_ABI_MODULE ".", 0) == 0) got[what.substr(std::strlen(EWASM_ABI_MODULE) + 1)] = type;
  EXPECT_EQ(got, want);
}

class HostAbiRun : public WithEngine {};

TEST_P(HostAbiRun, TheHostAcceptsAndAnswersEveryImportOfTheGuestHeader) {
  TempDir dir;
  AppRun r = run_app(read_bytes(build_guest(dir)));
  EXPECT_EQ(r.out,
            "imports 6\n"
            "commands 1 2 3 4\n"
            "load 0\n"
            "attach " + std::to_string(-EBADF) + "\n"
            "poll " + std::to_string(-EBADF) + "\n"
            "fd_by_name " + std::to_string(-EBADF) + "\n"
            "map_operate " + std::to_string(-EBADF) + "\n"
            "close " + std::to_string(-EBADF) + "\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.code, 0);
}

ECC_WASM_ENGINES(HostAbiRun);

// The SDK directory is copied as is into apps: the ABI header stands alone
// as strict C99 for wasm32 and for the build machine, and as C++.
TEST(HostAbi, TheAbiHeaderIsSelfContained) {
  TempDir dir;
  write_text(dir / "only.c", "#include \"wasm_bpf_abi.h\"\nint main(void) { return EWASM_MAP_NEXT_KEY - 4; }\n");
  const std::string inc = "-I" + (source_dir() / kSdk).string();
  for (std::vector<std::string> argv : {
           std::vector<std::string>{"clang", "--target=wasm32-wasi", "--sysroot=/usr", "-std=c99"},
           std::vector<std::string>{"clang", "-std=c99"},
           std::vector<std::string>{"clang", "-x", "c++", "-std=c++17"},
       }) {
    argv.insert(argv.end(), {"-Wall", "-Wextra", "-pedantic", "-Werror", inc, "-fsyntax-only", (dir / "only.c").string()});
    RunResult r = run(argv);
    EXPECT_EQ(r.exit_code, 0) << argv[1] << ":\n" << r.err;
  }
}

}  // namespace
}  // namespace ecc::test
