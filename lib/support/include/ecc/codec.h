// The decoders of what packages carry as base64(zlib(bytes)): the BPF object
// (bpf_object / bpf_object_size) and the embedded kernel BTF (btf_archive).
// Errors are Error(bad_input) naming `what` (and `size_field`), no file:
// the caller knows it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ecc {

std::vector<uint8_t> base64_decode(std::string_view text, const std::string& what = "bpf_object");
// Exactly `expected_size` bytes, or an error (a longer stream too).
std::vector<uint8_t> zlib_inflate(std::span<const uint8_t> bytes, size_t expected_size,
                                  const std::string& what = "bpf_object",
                                  const std::string& size_field = "bpf_object_size");

}  // namespace ecc
