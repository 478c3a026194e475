// The BPF objects inside an app.wasm (docs/trust.md, "What a program may
// do"): `ecc build-wasm` compiles the object into the app as a byte array
// (the skeleton's C array, docs/wasm-host-abi.md), which the linker puts in
// data segments. Each ELF file of machine BPF found in the module's initial
// memory is bounded by its own headers (ecc/elf_file.h).
#include <algorithm>
#include <cstring>
#include <optional>

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
// The constant's address, or nothing for a global's.
std::optional<uint64_t> offset(Reader& r) {
  uint8_t op = r.byte();
  if (op != 0x41 && op != 0x42 && op != 0x23) r.fail("has an offset expression that is not a constant");
  uint64_t v = r.leb();
  if (r.byte() != 0x0b) r.fail("has an offset expression of more than one instruction");
  if (op == 0x23) return std::nullopt;
  // i32.const is a signed LEB: an address at or over 2 GiB is negative.
  return op == 0x41 ? uint64_t(uint32_t(v)) : v;
}

struct Segment {
  std::optional<uint64_t> address;  // an active segment's place in memory
  std::span<const uint8_t> bytes;
};

std::vector<Segment> segments(std::span<const uint8_t> section, const std::string& where) {
  Reader r(section, where, "its data section");
  std::vector<Segment> out;
  for (uint64_t n = r.leb(); n > 0; --n) {
    uint64_t flags = r.leb();
    if (flags > 2) r.fail("has a segment of kind " + std::to_string(flags));
    if (flags == 2) r.leb();  // the memory's index
    std::optional<uint64_t> at = flags == 1 ? std::nullopt : offset(r);
    out.push_back({at, r.take(r.leb())});
  }
  return out;
}

// The initial memory the active segments at constant addresses give, from
// the lowest address to the end of the highest: the linker leaves runs of
// zeros out of the segments (memory starts zeroed), so an embedded object
// may lie across several. The others (passive, or placed by a global) are
// images of their own.
constexpr uint64_t kMaxImage = 256u << 20;

std::vector<std::vector<uint8_t>> images(const std::vector<Segment>& segs, const std::string& where) {
  uint64_t low = UINT64_MAX, high = 0;
  for (const Segment& s : segs)
    if (s.address) low = std::min(low, *s.address), high = std::max(high, *s.address + s.bytes.size());
  std::vector<std::vector<uint8_t>> out(1);
  if (high > low && high - low > kMaxImage)
    throw Error(Exit::bad_input, "not a valid Wasm module: its data segments span more than 256 MiB", where);
  if (high > low) out[0].resize(high - low);
  for (const Segment& s : segs) {
    if (s.address) std::copy(s.bytes.begin(), s.bytes.end(), out[0].begin() + long(*s.address - low));
    else out.emplace_back(s.bytes.begin(), s.bytes.end());
  }
  return out;
}

// An ELF header of a 64-bit little-endian file for machine BPF (247) at `p`.
bool bpf_elf_at(std::span<const uint8_t> data, size_t p) {
  if (data.size() - p < 20 || std::memcmp(data.data() + p, "\x7f" "ELF", 4) != 0) return false;
  return data[p + 4] == 2 && data[p + 5] == 1 && data[p + 18] == 247 && data[p + 19] == 0;
}

// Every BPF object in `image`, bounded by its headers.
void find_objects(std::span<const uint8_t> image, const std::string& where, std::vector<std::vector<uint8_t>>& out) {
  for (size_t p = 0; p < image.size(); ++p) {
    if (!bpf_elf_at(image, p)) continue;
    uint64_t end = read_elf(image.subspan(p), where + ": its BPF object at data offset " + std::to_string(p)).end;
    out.emplace_back(image.begin() + long(p), image.begin() + long(p + end));
    p += end - 1;
  }
}

}  // namespace

std::vector<std::vector<uint8_t>> wasm_objects(std::span<const uint8_t> module, const std::string& where) {
  Reader r(module, where, "the module");
  auto head = r.take(8);
  if (std::memcmp(head.data(), "\0asm\1\0\0\0", 8) != 0) r.fail("does not start with the Wasm magic and version 1");
  std::vector<Segment> segs;
  while (!r.done()) {
    uint8_t id = r.byte();
    auto contents = r.take(r.leb());
    if (id != kDataSection) continue;
    for (const Segment& s : segments(contents, where)) segs.push_back(s);
  }
  std::vector<std::vector<uint8_t>> out;
  for (const std::vector<uint8_t>& image : images(segs, where)) find_objects(image, where, out);
  return out;
}

}  // namespace ecc::inspect
