// The one reader of ELF headers, for BPF objects (where the bytes of a data
// section sit, for the Wasm guest that patches them) and for executables
// (where the image ends, for the payload `ecc --standalone` appends).
// 64-bit little-endian only: BPF objects and the runners ecc builds are.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ecc {

struct ElfSection {
  std::string name;
  uint64_t offset = 0;      // file offset of the section's bytes
  uint64_t size = 0;
  uint64_t align = 0;       // sh_addralign
  bool has_bytes = false;   // false for SHT_NOBITS (.bss) and SHT_NULL
};

struct ElfFile {
  std::vector<ElfSection> sections;  // in section header order
  // Where the image ends: the furthest of the ELF header, the section and
  // program header tables, the sections' bytes and the segments' bytes.
  uint64_t end = 0;
};

// The headers of `bytes`. Throws Error(bad_input, ..., label) for anything
// but a 64-bit little-endian ELF file, and for one cut short: a table, a
// section or a segment that runs past the end of `bytes`.
ElfFile read_elf(std::span<const uint8_t> bytes, const std::string& label);

}  // namespace ecc
