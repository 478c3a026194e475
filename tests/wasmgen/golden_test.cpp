// Golden tests: every text `ecc gen-wasm-skel --rust` generates, for a few
// programs that together have maps of every kind the emitters treat apart
// (perf and ring buffers, sampled hash maps, .rodata and .bss views),
// options of each type, structs, unions, enums, bitfields, typedefs and
// arrays, equals tests/wasmgen/golden/<program>/<file>.
//
// Regenerate every golden file (these and the others, tests/golden):
//
//   UPDATE_GOLDENS=1 ctest -R golden
//
// ecc compiles against a vmlinux.h of the running kernel's BTF, so the
// object's bytes (its BTF holds the kernel types the program uses), its size
// and where .rodata sits in it may differ between kernels; the comparison
// replaces them by fixed words (comparable() below). Nothing else in these
// files depends on the machine: no paths (the sources are named relative),
// no times.
#include <regex>
#include <string>
#include <vector>

#include "golden.h"
#include "wasm_fixture.h"

namespace ecc::test {
namespace {

std::string replace(const std::string& text, const char* pattern, const char* with) {
  return std::regex_replace(text, std::regex(pattern), with);
}

// The text but for what follows the kernel (see the top): in <name>.skel.h
// the object's bytes, their count and .rodata's offset in them; in the Rust
// module that offset; in ewasm-skel.h program_data, package.json as a C
// literal (its bpf_object is the object; tests/golden/yaml has the rest).
// Every run of lines of c_byte_list() as one line "\tBYTES" (line by line:
// std::regex recurses per repetition and overflows the stack on a whole
// object).
std::string without_bytes(const std::string& text) {
  static const std::regex byte_line(R"(\t0x[0-9a-f]{2}(,( 0x[0-9a-f]{2},?)*)?)");
  std::string out;
  bool in_bytes = false;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string line = text.substr(at, end - at);
    bool bytes = line.back() == '\n' && std::regex_match(line.substr(0, line.size() - 1), byte_line);
    if (bytes && !in_bytes) out += "\tBYTES\n";
    if (!bytes) out += line;
    in_bytes = bytes;
    at = end;
  }
  return out;
}

std::string comparable(const std::string& file, const std::string& text) {
  std::string s = without_bytes(text);
  s = replace(s, R"(__elf\[\d+\])", "__elf[SIZE]");
  s = replace(s, R"(image_offset = \d+;)", "image_offset = OFFSET;");
  s = replace(s, R"(_Static_assert\(\d+ % _Alignof)", "_Static_assert(OFFSET % _Alignof");
  s = replace(s, R"(const OFFSET: usize = \d+;)", "const OFFSET: usize = OFFSET;");
  if (file != "ewasm-skel.h") return s;
  const std::string head = "program_data[] =\n";
  size_t from = s.find(head), to = s.find("\";\n", from);
  if (from != std::string::npos && to != std::string::npos)
    s.replace(from + head.size(), to + 3 - from - head.size(), "\tPACKAGE_JSON;\n");
  return s;
}

class WasmGuestGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(WasmGuestGolden, GeneratedFilesMatch) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  TempDir tmp;
  const std::string name = GetParam();
  fs::path dir = copy_program(tmp, name);
  RunResult r = ecc({"gen-wasm-skel", "--rust", name + ".bpf.c", name + ".h"}, dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string skel_h = comparable(name + ".skel.h", read_text(dir / (name + ".skel.h")));
  EXPECT_EQ(skel_h.find("0x7f, 0x45"), std::string::npos) << "the bytes are left out";
  EXPECT_EQ(comparable("ewasm-skel.h", read_text(dir / "ewasm-skel.h")).find("bpf_object"), std::string::npos)
      << "program_data is left out";
  const std::vector<std::string> files = {name + ".skel.h", name + ".wasm.h", "ewasm-skel.h", "app.c",
                                          name + "_skel.rs",  "main.rs",        "Cargo.toml",   ".cargo/config.toml"};
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    // .cargo/config.toml is kept as cargo-config.toml: no hidden folders.
    std::string golden = file == ".cargo/config.toml" ? "cargo-config.toml" : file;
    check_golden(fs::path("tests") / "wasmgen" / "golden" / name / golden, comparable(file, read_text(dir / file)));
  }
}

INSTANTIATE_TEST_SUITE_P(Programs, WasmGuestGolden,
                         ::testing::Values("sigsnoop", "bootstrap", "runqlat", "forkmix", "netmix", "taskiter"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ecc::test
