// Cache entries of ecc and ecli (vmlinux.h, compiled Wasm modules) that are
// checked on every use: nothing in a cache is trusted, a damaged entry is
// rebuilt, never fatal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace ecc {

// A 64-bit content hash, printed as 16 hex digits: a cache key, and the
// check of a checked cache file.
std::string hash_hex(std::span<const uint8_t> bytes);
std::string hash_hex(const std::string& text);
// The same hash over bytes given in pieces: hash_hex of their concatenation,
// without concatenating them.
std::string hash_hex(std::span<const std::span<const uint8_t>> pieces);
// The hash of a file's content, read through a mapping when the file can
// be mapped: /sys/kernel/btf/vmlinux can on recent kernels, where reading
// its 5 MB took 18 ms against 2 ms mapped. Throws Error(bad_input) when it
// cannot be read.
std::string hash_file_hex(const std::filesystem::path& path);

// `<file>.sum` holds the file's size and hash and is written after it, so a
// reader sees a valid entry only when both agree (truncated, overwritten, a
// writer that died between the two renames: not valid).
void write_checked_cache_file(const std::filesystem::path& file, std::span<const uint8_t> bytes);
// The file is the pieces one after the other (a header and the outputs of a
// compile: the object cache), written without joining them in memory.
void write_checked_cache_file(const std::filesystem::path& file, std::span<const std::span<const uint8_t>> pieces);
// For a file another producer put in place (a compiler's output): its stamp.
void stamp_checked_cache_file(const std::filesystem::path& file);
bool checked_cache_file_valid(const std::filesystem::path& file);
// The same for `bytes`, the file's content as the caller already holds it
// (mapped, to read it): checked against the stamp without reading it again.
bool checked_cache_file_valid(const std::filesystem::path& file, std::span<const uint8_t> bytes);

}  // namespace ecc
