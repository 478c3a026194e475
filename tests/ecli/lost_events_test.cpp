// Lost events are counted and reported, never silently dropped (docs/ecli.md):
// a stopped ecli lets the kernel overflow its perf buffer; afterwards every
// record is either printed or counted in ecli's "lost" lines.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>
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

}  // namespace
}  // namespace ecc::test
