// opensnoop on the kernel: a unique path the test opens shows up as fname.
#include <fcntl.h>
#include <unistd.h>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

class Opensnoop : public EcliTest {};

TEST_F(Opensnoop, OpenOfAUniquePath) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("opensnoop");
  fs::path target = tmp / ("ecli-open-" + std::to_string(getpid()) + ".txt");
  write_text(target, "x");
  EcliProcess p({"run", "-j", "-d", "4", pkg.string(), "--pid", std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  int fd = open(target.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  close(fd);
  int bad = open((target.string() + ".missing").c_str(), O_RDONLY);
  EXPECT_LT(bad, 0);
  EXPECT_TRUE(p.wait_output(target.string() + ".missing", std::chrono::seconds(3)));
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  bool ok = false, failed = false;
  for (const auto& e : json_lines(r.out)) {
    EXPECT_EQ(e["pid"], getpid()) << e.dump();
    if (e["fname"] == target.string()) {
      ok = true;
      EXPECT_EQ(e["ret"], fd);
      EXPECT_EQ(e["uid"], getuid());
      EXPECT_EQ(e["comm"], self_comm().substr(0, 15));
      EXPECT_GT(e["ts"].get<uint64_t>(), 0u);
    }
    if (e["fname"] == target.string() + ".missing") {
      failed = true;
      EXPECT_EQ(e["ret"], -ENOENT);
    }
  }
  EXPECT_TRUE(ok) << r.out;
  EXPECT_TRUE(failed) << r.out;
}

TEST_F(Opensnoop, FailedOnlySwitchInText) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("opensnoop");
  fs::path good = tmp / "present";
  write_text(good, "x");
  fs::path missing = tmp / "absent";
  EcliProcess p({"run", "-d", "3", pkg.string(), "-p", std::to_string(getpid()), "--failed"});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  int fd = open(good.c_str(), O_RDONLY);
  close(fd);
  EXPECT_LT(open(missing.c_str(), O_RDONLY), 0);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), 2u) << r.out;
  EXPECT_EQ(split_words(lines[0]),
            (std::vector<std::string>{"TIME", "TS", "PID", "UID", "RET", "FLAGS", "COMM", "FNAME"}));
  EXPECT_NE(r.out.find(missing.string()), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(good.string()), std::string::npos) << "--failed let a successful open through\n" << r.out;
}

}  // namespace
}  // namespace ecc::test
