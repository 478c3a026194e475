// Lost events are counted and reported, never silently dropped (SPEC §9):
// a stopped ecli lets the kernel overflow its perf buffer; afterwards every
// record is either printed or counted in ecli's "lost" lines.
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

class LostEvents : public EcliTest {};

TEST_F(LostEvents, EveryPerfRecordIsPrintedOrCountedAsLost) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = source_dir() / "tests/ecli/programs";
  fs::path pkg = build_package(dir / "perf_flood.bpf.c", dir / "perf_flood.h");
  EcliProcess p({"run", "-j", pkg.string(), "--target_pid", std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  constexpr int kCalls = 3000;  // 6 MB of records against 256 KB per CPU
  // One CPU for every record: the kernel reports a CPU's losses in that
  // CPU's buffer, with the next record that fits there.
  cpu_set_t all, one;
  ASSERT_EQ(sched_getaffinity(0, sizeof all, &all), 0);
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  p.signal(SIGSTOP);
  for (int i = 0; i < kCalls; i++) syscall(SYS_getppid);
  p.signal(SIGCONT);
  // The kernel writes its "lost" record with the next record that fits, so
  // a few more calls once the reader has caught up make it appear.
  constexpr int kMore = 10;
  p.wait_output("\"seq\":126,", std::chrono::seconds(3));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < kMore; i++) syscall(SYS_getppid);
  p.wait_output("\"seq\":" + std::to_string(kCalls + kMore - 1) + ",", std::chrono::seconds(3));
  sched_setaffinity(0, sizeof all, &all);
  p.signal(SIGINT);
  RunResult r = p.finish();
  ASSERT_EQ(r.exit_code, 0) << r.err;

  uint64_t printed = 0;
  for (const auto& e : json_lines(r.out)) {
    EXPECT_EQ(e["pid"], getpid());
    printed++;
  }
  uint64_t lost_per_cpu = 0, lost_total = 0;
  std::regex per_cpu(R"(^ecli: lost (\d+) events of 'events' on CPU \d+$)");
  std::regex total(R"(^ecli: (\d+) events of 'events' were lost \(the perf buffer overflowed\)$)");
  for (const auto& line : split_lines(r.err)) {
    std::smatch m;
    if (std::regex_match(line, m, per_cpu)) lost_per_cpu += std::stoull(m[1]);
    if (std::regex_match(line, m, total)) lost_total += std::stoull(m[1]);
  }
  EXPECT_GT(lost_total, 0u) << "the buffer was meant to overflow\n" << r.err;
  EXPECT_EQ(lost_total, lost_per_cpu) << r.err;
  EXPECT_EQ(printed + lost_total, static_cast<uint64_t>(kCalls + kMore)) << r.err << "\nprinted " << printed;
}

}  // namespace
}  // namespace ecc::test
