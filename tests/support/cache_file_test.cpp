// lib/support's checked cache files (read through MappedFile): a stamped
// file counts only while it holds exactly the bytes its stamp describes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ecc/cache_file.h"
#include "ecc/files.h"

#include "test_util.h"

namespace fs = std::filesystem;
using ecc::test::TempDir;

namespace {

void write_checked(const fs::path& file, const std::string& text) {
  ecc::write_checked_cache_file(file, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// Rewrites one byte in place, keeping the size.
void flip_byte(const fs::path& file, std::streamoff at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = static_cast<char>(f.get());
  f.seekp(at);
  f.put(static_cast<char>(c ^ 0x20));
}

TEST(CacheFile, StampedFileIsValidUntilOneByteChanges) {
  TempDir d_tmp;
  const fs::path& d = d_tmp.path();
  fs::path file = d / "vmlinux.h";
  write_checked(file, std::string(3 * 4096 + 17, 'x') + "tail");
  EXPECT_TRUE(ecc::checked_cache_file_valid(file));
  flip_byte(file, 2 * 4096 + 5);
  EXPECT_FALSE(ecc::checked_cache_file_valid(file));
  fs::remove_all(d);
}

TEST(CacheFile, TruncatedMissingOrUnstampedIsInvalid) {
  TempDir d_tmp;
  const fs::path& d = d_tmp.path();
  fs::path file = d / "entry.json";
  write_checked(file, "{\"k\": 1}\n");
  fs::resize_file(file, 4);
  EXPECT_FALSE(ecc::checked_cache_file_valid(file));
  write_checked(file, "{\"k\": 1}\n");
  fs::remove(file.string() + ".sum");
  EXPECT_FALSE(ecc::checked_cache_file_valid(file));
  EXPECT_FALSE(ecc::checked_cache_file_valid(d / "missing"));
  fs::create_directories(d / "dir");
  std::ofstream(d / "dir.sum") << "0 0\n";
  EXPECT_FALSE(ecc::checked_cache_file_valid(d / "dir"));
  fs::remove_all(d);
}

TEST(CacheFile, EmptyFileIsValidWhenStamped) {
  TempDir d_tmp;
  const fs::path& d = d_tmp.path();
  fs::path file = d / "empty";
  write_checked(file, "");
  EXPECT_TRUE(ecc::checked_cache_file_valid(file));
  std::ofstream(file, std::ios::app) << "x";
  EXPECT_FALSE(ecc::checked_cache_file_valid(file));
  fs::remove_all(d);
}

// Bytes in pieces hash as their concatenation, whatever the cuts (inside a
// word, empty pieces, one byte at a time); a file written from pieces is the
// concatenation, stamped as such.
TEST(CacheFile, PiecesHashAndWriteAsTheirConcatenation) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += static_cast<char>('a' + (i * 7) % 26);
  auto bytes = [&](size_t from, size_t to) {
    return std::span(reinterpret_cast<const uint8_t*>(text.data()) + from, to - from);
  };
  for (size_t cut1 : {0, 1, 3, 8, 13, 64})
    for (size_t cut2 : {cut1, cut1 + 1, cut1 + 9, size_t{100}}) {
      if (cut2 > 100) continue;
      std::vector<std::span<const uint8_t>> pieces = {bytes(0, cut1), bytes(cut1, cut2), bytes(cut2, 100)};
      EXPECT_EQ(ecc::hash_hex(pieces), ecc::hash_hex(text)) << cut1 << " " << cut2;
    }
  std::vector<std::span<const uint8_t>> single;
  for (size_t i = 0; i < 21; ++i) single.push_back(bytes(i, i + 1));
  EXPECT_EQ(ecc::hash_hex(single), ecc::hash_hex(text.substr(0, 21)));
  EXPECT_EQ(ecc::hash_hex(std::vector<std::span<const uint8_t>>{}), ecc::hash_hex(std::string()));

  TempDir d_tmp;
  fs::path file = d_tmp.path() / "entry";
  std::vector<std::span<const uint8_t>> pieces = {bytes(0, 5), bytes(5, 5), bytes(5, 100)};
  ecc::write_checked_cache_file(file, pieces);
  EXPECT_EQ(ecc::read_text_file(file), text);
  EXPECT_TRUE(ecc::checked_cache_file_valid(file));
  fs::path same = d_tmp.path() / "same";
  write_checked(same, text);
  EXPECT_EQ(ecc::read_text_file(file.string() + ".sum"), ecc::read_text_file(same.string() + ".sum"));
}

TEST(MappedFile, MapsTheWholeFileOrNothing) {
  TempDir d_tmp;
  const fs::path& d = d_tmp.path();
  std::ofstream(d / "f", std::ios::binary) << "abc";
  std::optional<ecc::MappedFile> m = ecc::MappedFile::open(d / "f");
  ASSERT_TRUE(m);
  EXPECT_EQ(std::string(m->bytes().begin(), m->bytes().end()), "abc");
  std::optional<ecc::MappedFile> moved(std::move(*m));
  EXPECT_EQ(moved->bytes().size(), 3u);
  EXPECT_FALSE(ecc::MappedFile::open(d / "missing"));
  EXPECT_FALSE(ecc::MappedFile::open(d));
  fs::remove_all(d);
}

}  // namespace
