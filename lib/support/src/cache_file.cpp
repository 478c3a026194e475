#include "ecc/cache_file.h"

#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "ecc/files.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {

// Word-at-a-time multiply/rotate mix: fast enough to hash the 5 MiB kernel
// BTF on every run, and plenty for a cache key. Fed in pieces: a word split
// between two pieces is carried over, so the result is the hash of the
// pieces' concatenation.
class ContentHash {
 public:
  explicit ContentHash(size_t total) : h_(0x9e3779b97f4a7c15ull ^ total) {}

  void update(std::span<const uint8_t> bytes) {
    size_t i = 0;
    while (carried_ != 0 && i < bytes.size()) {
      carry_[carried_++] = bytes[i++];
      if (carried_ == 8) {
        mix_word(carry_);
        carried_ = 0;
      }
    }
    for (; i + 8 <= bytes.size(); i += 8) mix_word(bytes.data() + i);
    for (; i < bytes.size(); ++i) carry_[carried_++] = bytes[i];
  }

  std::string hex() {
    for (size_t i = 0; i < carried_; ++i) h_ = (h_ ^ carry_[i]) * 0xc4ceb9fe1a85ec53ull;
    h_ ^= h_ >> 33;
    h_ *= 0xff51afd7ed558ccdull;
    h_ ^= h_ >> 33;
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  void mix_word(const uint8_t* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h_ = (h_ ^ w) * 0xff51afd7ed558ccdull;
    h_ = (h_ << 31) | (h_ >> 33);
  }

  uint64_t h_;
  uint8_t carry_[8] = {};
  size_t carried_ = 0;
};

size_t total_size(std::span<const std::span<const uint8_t>> pieces) {
  size_t total = 0;
  for (const auto& p : pieces) total += p.size();
  return total;
}

}  // namespace

std::string hash_hex(std::span<const std::span<const uint8_t>> pieces) {
  ContentHash h(total_size(pieces));
  for (const auto& p : pieces) h.update(p);
  return h.hex();
}

std::string hash_hex(std::span<const uint8_t> bytes) { return hash_hex(std::span(&bytes, 1)); }

std::string hash_hex(const std::string& text) {
  return hash_hex(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::string hash_file_hex(const fs::path& path) {
  if (std::optional<MappedFile> mapped = MappedFile::open(path)) return hash_hex(mapped->bytes());
  return hash_hex(read_file(path));
}

namespace {

fs::path sum_path(const fs::path& file) { return file.string() + ".sum"; }

std::string sum_text(std::span<const std::span<const uint8_t>> pieces) {
  return std::to_string(total_size(pieces)) + " " + hash_hex(pieces) + "\n";
}

std::string sum_text(std::span<const uint8_t> bytes) { return sum_text(std::span(&bytes, 1)); }

}  // namespace

void write_checked_cache_file(const fs::path& file, std::span<const uint8_t> bytes) {
  write_checked_cache_file(file, std::span(&bytes, 1));
}

void write_checked_cache_file(const fs::path& file, std::span<const std::span<const uint8_t>> pieces) {
  PendingFile f(file);
  f.write(pieces);
  f.commit();
  write_file_atomic(sum_path(file), sum_text(pieces));
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
