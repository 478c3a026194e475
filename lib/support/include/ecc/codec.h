// base64 (RFC 4648, standard alphabet, padded) and zlib: what packages carry
// as base64(zlib(bytes)) (the BPF object as bpf_object / bpf_object_size, the
// embedded kernel BTF in btf_archive) and the `auth` of a docker config.
// Decoding errors are Error(bad_input) naming `what` (and `size_field`), no
// file: the caller knows it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ecc {

std::string base64_encode(std::span<const uint8_t> bytes);
std::vector<uint8_t> base64_decode(std::string_view text, const std::string& what = "bpf_object");
// Exactly `expected_size` bytes, or an error (a longer stream too).
std::vector<uint8_t> zlib_inflate(std::span<const uint8_t> bytes, size_t expected_size,
                                  const std::string& what = "bpf_object",
                                  const std::string& size_field = "bpf_object_size");
// At a fixed level: the same bytes compress to the same stream on every run
// and machine. Throws Error(tool_failed) when zlib fails.
std::vector<uint8_t> zlib_compress(std::span<const uint8_t> bytes);

}  // namespace ecc
