#include "payload.h"

#include <cstring>

#include "ecc/elf_file.h"
#include "ecc/error.h"

namespace ecc::standalone {

namespace {

constexpr char kMagic[8] = {'E', 'C', 'C', 'S', 'T', 'N', 'D', '1'};
constexpr size_t kHeaderSize = 24;

uint32_t check_of(std::span<const uint8_t> bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t b : bytes) h = (h ^ b) * 0x100000001b3ull;
  return static_cast<uint32_t>(h);
}

uint64_t get_le(std::span<const uint8_t> b, size_t off, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v |= static_cast<uint64_t>(b[off + i]) << (8 * i);
  return v;
}

void put_le(std::vector<uint8_t>& out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; i++) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

std::vector<uint8_t> build_image(std::span<const uint8_t> runner, const std::string& runner_label, PayloadKind kind,
                                 std::span<const uint8_t> payload) {
  uint64_t end;
  try {
    end = read_elf(runner, runner_label).end;
  } catch (const Error& e) {
    throw Error(Exit::tool_failed, std::string("the standalone runner is damaged: ") + e.what(), runner_label);
  }
  if (end != runner.size())
    throw Error(Exit::tool_failed, "the standalone runner already carries a payload; reinstall ecc", runner_label);
  std::vector<uint8_t> out(runner.begin(), runner.end());
  out.reserve(runner.size() + kHeaderSize + payload.size());
  out.insert(out.end(), kMagic, kMagic + sizeof kMagic);
  put_le(out, static_cast<uint32_t>(kind), 4);
  put_le(out, check_of(payload), 4);
  put_le(out, payload.size(), 8);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Embedded read_embedded(std::span<const uint8_t> file, const std::string& label) {
  uint64_t end = read_elf(file, label).end;
  if (end == file.size())
    throw Error(Exit::bad_input, "no package embedded: this is the bare runner that `ecc --standalone` copies", label);
  const std::string damaged = "the embedded package is damaged: ";
  if (file.size() - end < kHeaderSize || std::memcmp(file.data() + end, kMagic, sizeof kMagic) != 0)
    throw Error(Exit::bad_input, damaged + "no payload header after the runner (truncated or not written by ecc)",
                label);
  uint64_t kind = get_le(file, end + 8, 4), check = get_le(file, end + 12, 4), size = get_le(file, end + 16, 8);
  uint64_t have = file.size() - end - kHeaderSize;
  if (size != have)
    throw Error(Exit::bad_input,
                damaged + "the payload has " + std::to_string(have) + " of its " + std::to_string(size) +
                    " bytes (truncated or appended to)",
                label);
  if (kind != static_cast<uint32_t>(PayloadKind::package) && kind != static_cast<uint32_t>(PayloadKind::wasm))
    throw Error(Exit::bad_input, damaged + "unknown payload kind " + std::to_string(kind), label);
  std::span<const uint8_t> payload = file.subspan(end + kHeaderSize);
  if (check_of(payload) != check) throw Error(Exit::bad_input, damaged + "its checksum does not match", label);
  return {static_cast<PayloadKind>(kind), std::vector<uint8_t>(payload.begin(), payload.end())};
}

}  // namespace ecc::standalone
