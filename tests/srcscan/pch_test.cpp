// The scan PCH: same result as without it, and much faster.
#include <chrono>
#include <iostream>

#include <gtest/gtest.h>

#include "ecc/error.h"
#include "ecc/layout_check.h"
#include "scan_fixture.h"
#include "sigsnoop_like.h"

namespace ecc::test {
namespace {

double seconds_of(const std::function<void()>& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void expect_same(const TypeTable& tt, const ScanResult& a, const ScanResult& b) {
  ASSERT_EQ(a.export_types.size(), b.export_types.size());
  for (size_t i = 0; i < a.export_types.size(); ++i) {
    EXPECT_EQ(tt.spell(a.export_types[i]), tt.spell(b.export_types[i]));
    EXPECT_EQ(compare_layouts(tt, a.export_types[i], b.export_types[i]), std::nullopt);
  }
  EXPECT_EQ(a.vars, b.vars);
  EXPECT_EQ(a.funcs, b.funcs);
}

class ScanPch : public ::testing::Test {
 protected:
  void SetUp() override {
    write_files(dir_, {{"sigsnoop.h", kSigsnoopH}, {"sigsnoop.bpf.c", kSigsnoopC}});
    pch_ = (dir_ / "vmlinux.h.scan.pch").string();
    test_vmlinux_h();  // generated once per process, not part of the timing
    pch_seconds_ = seconds_of([&] { make_scan_pch(test_vmlinux_h().string(), scan_args(dir_), pch_); });
  }
  double pch_seconds_ = 0;
  TempDir dir_;
  std::string pch_;
};

TEST_F(ScanPch, GivesTheSameResultFasterAndLeavesNoTempFile) {
  EXPECT_EQ(list_dir(dir_.path()), (std::vector<std::string>{"sigsnoop.bpf.c", "sigsnoop.h", "vmlinux.h.scan.pch"}));
  ScanOptions plain = scan_options(dir_, "sigsnoop", "sigsnoop.h");
  ScanOptions with_pch = plain;
  with_pch.pch = pch_;
  TypeTable tt;
  ScanResult a, b;
  double t_plain = seconds_of([&] { a = scan_source(plain, tt); });
  double t_pch = seconds_of([&] { b = scan_source(with_pch, tt); });
  // Once more each, warm, for the numbers reported.
  t_plain = std::min(t_plain, seconds_of([&] { scan_source(plain, tt); }));
  t_pch = std::min(t_pch, seconds_of([&] { scan_source(with_pch, tt); }));
  std::cout << "make_scan_pch: " << pch_seconds_ << " s; scan_source on sigsnoop: " << t_plain
            << " s without PCH, " << t_pch << " s with PCH\n";
  RecordProperty("scan_seconds_without_pch", std::to_string(t_plain));
  RecordProperty("scan_seconds_with_pch", std::to_string(t_pch));
  ASSERT_EQ(a.export_types.size(), 1u);
  EXPECT_EQ(a.vars.size(), 5u);
  expect_same(tt, a, b);
}

// The PCH is really read: a macro only it defines is seen by the scan. It
// was made with another program's source dir in -I: one cached PCH serves
// every program.
TEST_F(ScanPch, IsUsedWhenGiven) {
  TempDir other;
  write_text(other / "probe.h", "#include \"vmlinux.h\"\n#define ECC_FROM_PCH 1\n");
  std::string probe_pch = (other / "probe.pch").string();
  make_scan_pch((other / "probe.h").string(), scan_args(other), probe_pch);
  write_text(dir_ / "p.bpf.c",
             "#include \"vmlinux.h\"\n#ifndef ECC_FROM_PCH\n#error not from the PCH\n#endif\n/// x\nint x;\n");
  ScanOptions o = scan_options(dir_, "p");
  TypeTable tt;
  EXPECT_THROW(scan_source(o, tt), Error);
  o.pch = probe_pch;
  ScanResult r = scan_source(o, tt);
  EXPECT_EQ(r.vars.at("x")["description"], "x");
}

TEST_F(ScanPch, ABrokenPchFallsBackToAPlainParse) {
  write_text(pch_, "not a pch");
  ScanOptions plain = scan_options(dir_, "sigsnoop", "sigsnoop.h");
  ScanOptions with_pch = plain;
  with_pch.pch = pch_;
  TypeTable tt;
  ScanResult a = scan_source(plain, tt);
  ScanResult b = scan_source(with_pch, tt);
  expect_same(tt, a, b);
}

TEST_F(ScanPch, ErrorsInTheHeaderFailWithoutOutput) {
  write_text(dir_ / "broken.h", "struct x { int a }\n");
  std::string out = (dir_ / "broken.pch").string();
  try {
    make_scan_pch((dir_ / "broken.h").string(), scan_args(dir_), out);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::tool_failed);
    EXPECT_NE(std::string(e.what()).find("broken.h:1:"), std::string::npos) << e.what();
  }
  for (const auto& name : list_dir(dir_.path())) EXPECT_EQ(name.find("broken.pch"), std::string::npos) << name;
}

}  // namespace
}  // namespace ecc::test
