#include "ecc/cache_file.h"

#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "ecc/files.h"

namespace fs = std::filesystem;

namespace ecc {

std::string hash_hex(std::span<const uint8_t> bytes) {
  // Word-at-a-time multiply/rotate mix: fast enough to hash the 5 MiB kernel
  // BTF on every run, and plenty for a cache key.
  uint64_t h = 0x9e3779b97f4a7c15ull ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h = (h << 31) | (h >> 33);
  }
  for (; i < bytes.size(); ++i) h = (h ^ bytes[i]) * 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string hash_hex(const std::string& text) {
  return hash_hex(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::string hash_file_hex(const fs::path& path) {
  if (std::optional<MappedFile> mapped = MappedFile::open(path)) return hash_hex(mapped->bytes());
  return hash_hex(read_file(path));
}

namespace {

fs::path sum_path(const fs::path& file) { return file.string() + ".sum"; }

std::string sum_text(std::span<const uint8_t> bytes) {
  return std::to_string(bytes.size()) + " " + hash_hex(bytes) + "\n";
}

}  // namespace

void write_checked_cache_file(const fs::path& file, std::span<const uint8_t> bytes) {
  write_file_atomic(file, bytes);
  write_file_atomic(sum_path(file), sum_text(bytes));
}

void stamp_checked_cache_file(const fs::path& file) {
  if (auto bytes = try_read_file(file)) write_file_atomic(sum_path(file), sum_text(*bytes));
}

bool checked_cache_file_valid(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return false;
  // Mapped: this checks the 3 MiB vmlinux.h before every compile.
  auto mapped = MappedFile::open(file);
  return mapped && checked_cache_file_valid(file, mapped->bytes());
}

bool checked_cache_file_valid(const fs::path& file, std::span<const uint8_t> bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(sum_path(file), ec)) return false;
  auto sum = try_read_text_file(sum_path(file));
  return sum && *sum == sum_text(bytes);
}

}  // namespace ecc
