// Golden tests: ecc's <name>.skel.json for every example and test program
// equals tests/golden/<name>.skel.json, BTF type ids aside (they follow the
// running kernel's BTF). ECC_UPDATE_GOLDEN=1 rewrites the golden files.
#include <cstdlib>

#include "ecc_cases.h"

namespace ecc::test {
namespace {

class Golden : public testing::TestWithParam<EccCase> {};

OJson comparable(const std::string& text) {
  OJson j = OJson::parse(text);
  zero_type_ids(j);
  return j;
}

TEST_P(Golden, SkeletonMatches) {
  SKELGEN_REQUIRE_KERNEL_BTF_OR_SKIP();
  const EccCase& c = GetParam();
  auto r = run_ecc(c);
  ASSERT_EQ(r->result.exit_code, 0) << r->result.err;
  OJson got = comparable(read_text(r->skel_json()));
  fs::path golden = source_dir() / "tests" / "golden" / (c.name + ".skel.json");

  const char* update = std::getenv("ECC_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    write_text(golden, got.dump(2) + "\n");
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with ECC_UPDATE_GOLDEN=1";
  // Compared as text so that a failure shows the lines that differ and
  // key order counts.
  EXPECT_EQ(got.dump(2), comparable(read_text(golden)).dump(2));
}

INSTANTIATE_TEST_SUITE_P(Examples, Golden, testing::ValuesIn(ecc_cases()),
                         [](const auto& info) { return case_name(info.param); });

TEST(GoldenCases, EveryExampleAndProgramIsCovered) {
  std::vector<std::string> want, have;
  for (const char* area : {"examples", "tests/programs"})
    for (const auto& e : fs::directory_iterator(source_dir() / area))
      if (e.is_directory()) want.push_back(e.path().filename().string());
  for (const EccCase& c : ecc_cases()) have.push_back(c.name);
  std::sort(want.begin(), want.end());
  std::sort(have.begin(), have.end());
  EXPECT_EQ(have, want);
}

}  // namespace
}  // namespace ecc::test
