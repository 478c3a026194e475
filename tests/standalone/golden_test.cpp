// Golden test: the 24 bytes `ecc --standalone` writes between the runner and
// the payload (tools/standalone/payload.h), for fixed payloads of both kinds,
// equal tests/golden/standalone/header.txt (hex, 8 + 4 + 4 + 8 bytes a line).
// The runner is a bare ELF header: the header does not depend on it, and
// nothing here depends on the machine.
//
// Regenerate every golden file (this and the others, tests/golden and
// tests/wasmgen/golden):
//
//   UPDATE_GOLDENS=1 ctest -R golden
#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "golden.h"
#include "payload.h"

namespace ecc::test {
namespace {

// The smallest runner build_image accepts: an ELF header and nothing else.
std::vector<uint8_t> bare_elf() {
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_ehsize = sizeof eh;
  std::vector<uint8_t> out(sizeof eh);
  std::memcpy(out.data(), &eh, sizeof eh);
  return out;
}

// "45 43 ... 31 | 01 00 00 00 | ..." : the header's fields apart.
std::string hex_header(std::span<const uint8_t> h) {
  std::string out;
  for (size_t i = 0; i < h.size(); ++i) {
    char b[4];
    std::snprintf(b, sizeof b, "%02x", h[i]);
    out += (i == 0 ? "" : i == 8 || i == 12 || i == 16 ? " | " : " ") + std::string(b);
  }
  return out;
}

TEST(StandaloneGolden, PayloadHeaderMatches) {
  const std::string package = R"({"bpf_object":"","bpf_object_size":0,"meta":{"bpf_skel":{"obj_name":"x"}}})";
  const std::vector<uint8_t> wasm = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};  // an empty module
  const std::vector<uint8_t> runner = bare_elf();
  std::string text = "# magic \"ECCSTND1\" | kind u32 | check u32 (FNV-1a 64, low half) | size u64, little-endian\n";
  auto add = [&](const std::string& what, standalone::PayloadKind kind, std::span<const uint8_t> payload) {
    std::vector<uint8_t> image = standalone::build_image(runner, "bare runner", kind, payload);
    ASSERT_EQ(image.size(), runner.size() + 24 + payload.size());
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), image.end() - payload.size())) << what;
    text += what + " (" + std::to_string(payload.size()) + " bytes):\n";
    text += hex_header(std::span<const uint8_t>(image).subspan(runner.size(), 24)) + "\n";
  };
  add("package " + package, standalone::PayloadKind::package,
      std::span(reinterpret_cast<const uint8_t*>(package.data()), package.size()));
  add("wasm: the empty module", standalone::PayloadKind::wasm, wasm);
  add("package, empty", standalone::PayloadKind::package, {});
  check_golden(fs::path("tests") / "golden" / "standalone" / "header.txt", text);
}

}  // namespace
}  // namespace ecc::test
