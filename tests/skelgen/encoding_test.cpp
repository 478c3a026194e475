// lib/support's encoders: base64 against RFC 4648 §10 and zlib against
// zlib's own inflater.
#include <zlib.h>

#include <gtest/gtest.h>

#include "ecc/codec.h"

namespace ecc {
namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(bytes("")), "");
  EXPECT_EQ(base64_encode(bytes("f")), "Zg==");
  EXPECT_EQ(base64_encode(bytes("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(bytes("foo")), "Zm9v");
  EXPECT_EQ(base64_encode(bytes("foob")), "Zm9vYg==");
  EXPECT_EQ(base64_encode(bytes("fooba")), "Zm9vYmE=");
  EXPECT_EQ(base64_encode(bytes("foobar")), "Zm9vYmFy");
}

TEST(Base64, HighBitsUseTheStandardAlphabet) {
  std::vector<uint8_t> v = {0xfb, 0xff, 0xbf, 0x00};
  EXPECT_EQ(base64_encode(v), "+/+/AA==");
}

std::vector<uint8_t> inflate_all(const std::vector<uint8_t>& z, size_t size) {
  std::vector<uint8_t> out(size);
  uLongf len = size;
  EXPECT_EQ(uncompress(out.data(), &len, z.data(), z.size()), Z_OK);
  out.resize(len);
  return out;
}

TEST(Zlib, RoundTrip) {
  for (size_t n : {size_t(0), size_t(1), size_t(1000), size_t(200000)}) {
    std::vector<uint8_t> in(n);
    uint32_t x = 12345;
    for (auto& b : in) {
      x = x * 1103515245 + 12345;
      b = static_cast<uint8_t>(n > 1000 ? (x >> 16) & 0x0f : x >> 24);  // some compressible, some not
    }
    std::vector<uint8_t> z = zlib_compress(in);
    ASSERT_GE(z.size(), 2u);
    EXPECT_EQ(z[0], 0x78) << "zlib header (deflate, 32K window)";
    EXPECT_EQ(inflate_all(z, n), in) << n << " bytes";
  }
}

TEST(Zlib, Deterministic) {
  std::vector<uint8_t> in(50000);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i % 251);
  EXPECT_EQ(zlib_compress(in), zlib_compress(in));
  EXPECT_LT(zlib_compress(in).size(), in.size() / 10);
}

}  // namespace
}  // namespace ecc
