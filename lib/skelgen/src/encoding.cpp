// base64 (RFC 4648, standard alphabet, padded) and zlib for bpf_object.
#include <zlib.h>

#include "ecc/error.h"
#include "ecc/skelgen.h"

namespace ecc {

std::string base64_encode(std::span<const uint8_t> bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = uint32_t(bytes[i]) << 16 | uint32_t(bytes[i + 1]) << 8 | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(v >> shift) & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest) {
    uint32_t v = uint32_t(bytes[i]) << 16 | (rest == 2 ? uint32_t(bytes[i + 1]) << 8 : 0);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::vector<uint8_t> zlib_compress(std::span<const uint8_t> bytes) {
  // A fixed level (not Z_DEFAULT_COMPRESSION, whose meaning is zlib's to
  // change) keeps package.json byte-identical across runs and machines.
  constexpr int level = 9;
  uLongf len = compressBound(bytes.size());
  std::vector<uint8_t> out(len);
  int rc = compress2(out.data(), &len, bytes.data(), bytes.size(), level);
  if (rc != Z_OK) throw Error(Exit::tool_failed, "zlib compression failed (code " + std::to_string(rc) + ")");
  out.resize(len);
  return out;
}

}  // namespace ecc
