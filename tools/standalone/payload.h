// The layout of an executable `ecc --standalone` writes (docs/ecc-standalone.md): the
// runner (tools/standalone, an ordinary ELF executable), then a header, then
// the payload (a package.json's text or an app.wasm's bytes):
//
//   [runner ELF][magic "ECCSTND1" | kind u32 | check u32 | size u64][payload]
//
// All integers little-endian; `check` is the low 32 bits of the payload's
// FNV-1a 64 hash. The runner finds the header where its own ELF image ends
// (the furthest of its section table, sections and segments), so nothing is
// searched for and no path is baked in (ecc/elf_file.h reads the image).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ecc::standalone {

enum class PayloadKind : uint32_t { package = 1, wasm = 2 };

// The runner's bytes with the header and `payload` appended. Throws
// Error(tool_failed) when `runner` already carries a payload or is no ELF.
std::vector<uint8_t> build_image(std::span<const uint8_t> runner, const std::string& runner_label, PayloadKind kind,
                                 std::span<const uint8_t> payload);

struct Embedded {
  PayloadKind kind = PayloadKind::package;
  std::vector<uint8_t> bytes;
};

// The payload of the standalone executable whose bytes are `file`. Throws
// Error(bad_input) naming `label`: no payload (the bare runner), a header cut
// off or unknown, a payload shorter than its header says, a wrong check.
Embedded read_embedded(std::span<const uint8_t> file, const std::string& label);

}  // namespace ecc::standalone
