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
