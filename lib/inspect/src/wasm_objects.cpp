// The BPF objects inside an app.wasm (docs/trust.md, "What a program may
// do"): `ecc build-wasm` compiles the object into the app as a byte array
// (the skeleton's C array, docs/wasm-host-abi.md), which the linker puts in
// a data segment. Each ELF file of machine BPF found in a data segment is
// bounded by its own headers (ecc/elf_file.h).
#include <cstring>

#include "ecc/elf_file.h"
#include "ecc/error.h"
#include "ecc/inspect.h"

namespace ecc::inspect {

namespace {

constexpr uint8_t kDataSection = 11;

class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, const std::string& where, std::string what)
      : bytes_(bytes), where_(where), what_(std::move(what)) {}
  bool done() const { return pos_ == bytes_.size(); }
  uint8_t byte() {
    if (done()) fail("is cut short");
    return bytes_[pos_++];
  }
  // An unsigned or signed LEB128 number of at most 64 bits.
  uint64_t leb() {
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      uint8_t b = byte();
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("has a number longer than 64 bits");
  }
  std::span<const uint8_t> take(uint64_t n) {
    if (n > bytes_.size() - pos_) fail("is cut short");
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(Exit::bad_input, "not a valid Wasm module: " + what_ + " " + why, where_);
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  const std::string& where_;
  std::string what_;
};

// A data segment's offset expression: one constant or global, then `end`.
void skip_offset(Reader& r) {
  uint8_t op = r.byte();
  if (op != 0x41 && op != 0x42 && op != 0x23) r.fail("has an offset expression that is not a constant");
  r.leb();
  if (r.byte() != 0x0b) r.fail("has an offset expression of more than one instruction");
}

// The bytes of every data segment of the data section's contents.
std::vector<std::span<const uint8_t>> segments(std::span<const uint8_t> section, const std::string& where) {
  Reader r(section, where, "its data section");
  std::vector<std::span<const uint8_t>> out;
  for (uint64_t n = r.leb(); n > 0; --n) {
    uint64_t flags = r.leb();
    if (flags > 2) r.fail("has a segment of kind " + std::to_string(flags));
    if (flags == 2) r.leb();  // the memory's index
    if (flags != 1) skip_offset(r);
    out.push_back(r.take(r.leb()));
  }
  return out;
}

// An ELF header of a 64-bit little-endian file for machine BPF (247) at `p`.
bool bpf_elf_at(std::span<const uint8_t> data, size_t p) {
  if (data.size() - p < 20 || std::memcmp(data.data() + p, "\x7f" "ELF", 4) != 0) return false;
  return data[p + 4] == 2 && data[p + 5] == 1 && data[p + 18] == 247 && data[p + 19] == 0;
}

}  // namespace

std::vector<std::span<const uint8_t>> wasm_objects(std::span<const uint8_t> module, const std::string& where) {
  Reader r(module, where, "the module");
  auto head = r.take(8);
  if (std::memcmp(head.data(), "\0asm\1\0\0\0", 8) != 0) r.fail("does not start with the Wasm magic and version 1");
  std::vector<std::span<const uint8_t>> out;
  while (!r.done()) {
    uint8_t id = r.byte();
    auto contents = r.take(r.leb());
    if (id != kDataSection) continue;
    for (std::span<const uint8_t> seg : segments(contents, where)) {
      for (size_t p = 0; p < seg.size(); ++p) {
        if (!bpf_elf_at(seg, p)) continue;
        uint64_t end = read_elf(seg.subspan(p), where + ": its BPF object at data offset " + std::to_string(p)).end;
        out.push_back(seg.subspan(p, end));
        p += end - 1;
      }
    }
  }
  return out;
}

}  // namespace ecc::inspect
