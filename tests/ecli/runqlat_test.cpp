// runqlat on the kernel: threads that sleep and yield fill the log2
// histogram, printed every interval.
#include <sched.h>

#include <atomic>
#include <regex>
#include <thread>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

class Runqlat : public EcliTest {};

// Runs 4 threads that yield and sleep for `ms` milliseconds.
void workload(int ms) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; i++)
    threads.emplace_back([&] {
      while (!stop) {
        sched_yield();
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  stop = true;
  for (auto& t : threads) t.join();
}

TEST_F(Runqlat, Log2HistogramWithStars) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("runqlat");
  EcliProcess p({"run", "-d", "2.6", pkg.string()});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  workload(1500);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Every 1000 ms: a header naming the unit, then rows "low -> high : count |***|".
  EXPECT_GE(std::count(r.out.begin(), r.out.end(), '\n'), 4) << r.out;
  EXPECT_NE(r.out.find("usecs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("key = 4294967295"), std::string::npos) << r.out;  // ALL_KEY without -P
  std::regex row(R"(^\s+(\d+) -> (\d+)\s+: (\d+)\s+\|(\**)\s*\|$)");
  uint64_t total = 0;
  bool full_bar = false;
  for (const auto& l : split_lines(r.out)) {
    std::smatch m;
    if (!std::regex_match(l, m, row)) continue;
    EXPECT_LE(std::stoull(m[1]), std::stoull(m[2])) << l;
    total += std::stoull(m[3]);
    if (std::stoull(m[3]) == 0) {
      EXPECT_EQ(m[4].length(), 0) << l;
    }
    full_bar |= m[4].length() == 40;  // the biggest slot gets the whole bar
  }
  EXPECT_GT(total, 0u) << r.out;
  EXPECT_TRUE(full_bar) << r.out;
}

TEST_F(Runqlat, JsonPerProcess) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("runqlat");
  EcliProcess p({"run", "-j", "-d", "2.6", pkg.string(), "--pids", "-p", std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  workload(1500);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto objs = json_lines(r.out);
  ASSERT_FALSE(objs.empty()) << r.out;
  uint64_t total = 0;
  for (const auto& o : objs) {
    EXPECT_EQ(o["map"], "hists");
    EXPECT_EQ(o["key"], getpid()) << "-p/--pids keep one histogram for this process";
    ASSERT_EQ(o["value"]["slots"].size(), 26u);
    for (const auto& s : o["value"]["slots"]) total += s.get<uint64_t>();
    EXPECT_EQ(o["value"]["comm"], self_comm().substr(0, 15));
  }
  EXPECT_GT(total, 0u);
}

}  // namespace
}  // namespace ecc::test
