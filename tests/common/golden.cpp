#include "golden.h"

#include <cstdlib>

namespace ecc::test {

bool updating_goldens() {
  const char* u = std::getenv("UPDATE_GOLDENS");
  return u && std::string(u) == "1";
}

void check_golden(const fs::path& rel, const std::string& got) {
  fs::path golden = source_dir() / rel;
  if (updating_goldens()) {
    fs::create_directories(golden.parent_path());
    write_text(golden, got);
    GTEST_SKIP() << "rewrote " << golden.string();
  }
  ASSERT_TRUE(fs::exists(golden)) << golden.string() << " is missing; run UPDATE_GOLDENS=1 ctest -R golden";
  EXPECT_EQ(got, read_text(golden)) << "differs from " << golden.string()
                                    << " (if the change is intended: UPDATE_GOLDENS=1 ctest -R golden)";
}

}  // namespace ecc::test
