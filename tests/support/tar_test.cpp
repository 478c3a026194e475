// lib/support's tar reader and writer, with GNU tar as the oracle both ways.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/tar.h"

#include "test_util.h"

namespace fs = std::filesystem;
using ecc::test::TempDir;

namespace {

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

TEST(Tar, GnuTarExtractsWhatWeWrite) {
  std::string long_dir(120, 'd');
  std::vector<ecc::TarEntry> entries = {
      {"blobs", {}, true},
      {"blobs/sha256/abc", bytes_of("hello"), false},
      {"index.json", bytes_of("{}\n"), false},
      {long_dir + "/5.4.0-91-generic.btf", std::vector<uint8_t>(1500, 7), false},
  };
  TempDir dir_tmp;
  const fs::path& dir = dir_tmp.path();
  ecc::write_file_atomic(dir / "out.tar", std::span<const uint8_t>(ecc::write_tar(entries)));
  ASSERT_EQ(std::system(("tar -C " + dir.string() + " -xf " + (dir / "out.tar").string()).c_str()), 0);
  EXPECT_EQ(ecc::read_file(dir / "blobs/sha256/abc"), bytes_of("hello"));
  EXPECT_EQ(ecc::read_file(dir / "index.json"), bytes_of("{}\n"));
  EXPECT_EQ(ecc::read_file(dir / long_dir / "5.4.0-91-generic.btf"), std::vector<uint8_t>(1500, 7));
  EXPECT_EQ(ecc::write_tar(entries), ecc::write_tar(entries));
}

TEST(Tar, WeReadWhatGnuTarWrites) {
  TempDir dir_tmp;
  const fs::path& dir = dir_tmp.path();
  fs::create_directories(dir / "src/ubuntu/20.04/x86_64");
  std::ofstream(dir / "src/ubuntu/20.04/x86_64/5.4.0-91-generic.btf") << "BTFBYTES";
  std::ofstream(dir / "src/oci-layout") << "{\"imageLayoutVersion\":\"1.0.0\"}";
  ASSERT_EQ(std::system(("tar -C " + (dir / "src").string() + " -cf " + (dir / "in.tar").string() + " .").c_str()), 0);
  auto entries = ecc::read_tar(ecc::read_file(dir / "in.tar"), "in.tar");
  std::map<std::string, std::string> files;
  for (const auto& e : entries)
    if (!e.directory) files[e.path] = std::string(e.bytes.begin(), e.bytes.end());
  EXPECT_EQ(files.size(), 2u);
  EXPECT_EQ(files["ubuntu/20.04/x86_64/5.4.0-91-generic.btf"], "BTFBYTES");
  EXPECT_EQ(files["oci-layout"], "{\"imageLayoutVersion\":\"1.0.0\"}");
}

TEST(Tar, DamagedArchivesAreOneClearError) {
  auto good = ecc::write_tar({{"a/b", bytes_of("x"), false}});
  auto bad_sum = good;
  bad_sum[0] = 'z';
  auto cut = std::vector<uint8_t>(good.begin(), good.begin() + 300);
  auto escape = ecc::write_tar({{"x/../../etc/passwd", bytes_of("x"), false}});
  auto link = good;
  link[156] = '2';
  for (auto* a : {&bad_sum, &cut, &escape, &link}) {
    try {
      ecc::read_tar(*a, "t.tar");
      ADD_FAILURE() << "accepted a damaged archive";
    } catch (const ecc::Error& e) {
      EXPECT_EQ(e.file(), "t.tar");
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
}

}  // namespace
