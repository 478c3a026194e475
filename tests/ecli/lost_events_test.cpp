// Lost events are counted and reported, never silently dropped (docs/ecli.md):
// a stopped ecli lets the kernel overflow its perf buffer; afterwards every
// record is either printed or counted in ecli's "lost" lines.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>
#include <regex>
#include <string>
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
  std::optional<PinToThisCpu> pin(std::in_place);
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
  pin.reset();
  p.signal(SIGINT);
  RunResult r = p.finish();
  ASSERT_EQ(r.exit_code, 0) << r.err;

  uint64_t printed = 0;
  for (const auto& e : json_lines(r.out)) {
    EXPECT_EQ(e["pid"], getpid());
    printed++;
  }
  auto [lost_per_cpu, lost_total] = lost_reports(r.err, "events");
  EXPECT_GT(lost_total, 0u) << "the buffer was meant to overflow\n" << r.err;
  EXPECT_EQ(lost_total, lost_per_cpu) << r.err;
  EXPECT_EQ(printed + lost_total, static_cast<uint64_t>(kCalls + kMore)) << r.err << "\nprinted " << printed;
}

// -q prints no events but says how many it read: with the perf buffer's
// losses that is every record, with the wake-up batch (the default, and
// --wakeup-batch 0: a read at every wake-up).
TEST_F(LostEvents, QuietReadsPlusLostAreEveryRecord) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = source_dir() / "tests/ecli/programs";
  fs::path pkg = build_package(dir / "perf_flood.bpf.c", dir / "perf_flood.h");
  for (std::string batch : {"1000", "0"}) {
    EcliProcess p({"run", "-q", "--wakeup-batch", batch, pkg.string(), "--target_pid", std::to_string(getpid())});
    ASSERT_TRUE(p.wait_attached()) << p.err();
    constexpr int kCalls = 3000, kMore = 10;  // as above: the tail makes the kernel write its lost record
    std::optional<PinToThisCpu> pin(std::in_place);
    for (int i = 0; i < kCalls; i++) syscall(SYS_getppid);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (int i = 0; i < kMore; i++) syscall(SYS_getppid);
    pin.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    p.signal(SIGINT);
    RunResult r = p.finish();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    std::smatch m;
    std::regex read_line("(^|\\n)ecli: (\\d+) events of 'events' were read\\n");
    ASSERT_TRUE(std::regex_search(r.err, m, read_line)) << r.err;
    uint64_t read = std::stoull(m[2]);
    auto [lost_per_cpu, lost_total] = lost_reports(r.err, "events");
    EXPECT_EQ(lost_total, lost_per_cpu) << r.err;
    EXPECT_EQ(read + lost_total, static_cast<uint64_t>(kCalls + kMore)) << "--wakeup-batch " << batch << "\n" << r.err;
  }
}

}  // namespace
}  // namespace ecc::test
