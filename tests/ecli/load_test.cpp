// Every event is delivered or counted as lost and reported, never silently
// dropped (docs/ecli.md, Lost events), on each path ecli has: the package
// (`ecli run -j`) and the generated app.wasm under both engines, each with
// bench/flood.bpf.c's ring buffer (a small one here) and perf event array.
// N events go out at a fixed rate, the consumer stopped for the first part so
// that its buffer overflows; afterwards printed + reported lost == N, with
// losses from ecli's perf "lost" lines or the program's sampled `drops` map.
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <thread>
#include <tuple>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kStopped = 4000;  // sent while the consumer is stopped
constexpr uint64_t kRunning = 2000;  // then with it running
constexpr uint64_t kTail = 10;       // after a pause: the kernel writes a perf
                                     // buffer's lost record with a later record
constexpr double kRate = 20000;      // events per second

// `count` getppid() calls at `rate` per second, in 1 ms batches.
void send_at_rate(uint64_t count, double rate) {
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  uint64_t sent = 0;
  for (long ms = 1; sent < count; ms++) {
    uint64_t due = std::min<uint64_t>(count, static_cast<uint64_t>(rate * ms / 1000.0));
    for (; sent < due; sent++) syscall(SYS_getppid);
    long ns = start.tv_nsec + ms * 1000000L;
    timespec next = {start.tv_sec + ns / 1000000000L, ns % 1000000000L};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr)) {
    }
  }
}

// (buffer, consumer): "ring" | "perf"; "package" | "aot" | "interp".
class Load : public EcliTest, public ::testing::WithParamInterface<std::tuple<const char*, const char*>> {
 protected:
  std::string buffer() const { return std::get<0>(GetParam()); }
  std::string consumer() const { return std::get<1>(GetParam()); }

  // bench/flood.bpf.c for this buffer in its own directory, with flood.h.
  fs::path write_program() {
    fs::path dir = tmp / "flood";
    fs::create_directories(dir);
    std::string prefix = buffer() == "perf" ? "#define FLOOD_PERF 1\n" : "#define FLOOD_RING_BYTES (64 * 1024)\n";
    write_text(dir / "flood.bpf.c", prefix + read_text(source_dir() / "bench/flood.bpf.c"));
    fs::copy_file(source_dir() / "bench/flood.h", dir / "flood.h");
    return dir;
  }

  // The package or the app.wasm of the program, and the ecli command line.
  std::vector<std::string> command(const fs::path& dir) {
    std::vector<std::string> pid = {"-p", std::to_string(getpid())};
    if (consumer() == "package") {
      fs::path pkg = build_package(dir / "flood.bpf.c", dir / "flood.h");
      return {"run", "-j", pkg.string(), pid[0], pid[1]};
    }
    std::vector<std::string> env = {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"};
    for (const char* step : {"gen-wasm-skel", "build-wasm"}) {
      RunResult r = run({ecc_binary().string(), step}, env, dir.string());
      EXPECT_EQ(r.exit_code, 0) << step << ": " << r.err;
    }
    return {"run", "--engine", consumer(), "-j", (dir / "app.wasm").string(), pid[0], pid[1]};
  }
};

// The largest "seq" printed so far (-1: none).
int64_t last_seq(const std::string& out) {
  int64_t last = -1;
  for (const auto& e : json_lines(out)) {
    if (e.contains("seq")) last = std::max<int64_t>(last, e["seq"].get<int64_t>());
  }
  return last;
}

TEST_P(Load, EveryEventIsPrintedOrReportedLost) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  std::vector<std::string> args = command(write_program());
  ASSERT_FALSE(HasFailure());
  EcliProcess p(args);
  if (consumer() == "package") {
    ASSERT_TRUE(p.wait_attached()) << p.err();
  }
  // An app prints nothing when attached: one event at a time until one is
  // printed. Those warm-up events are not counted.
  bool seen = false;
  for (int i = 0; i < 100 && !seen; i++) {
    syscall(SYS_getppid);
    seen = p.wait_output("\"seq\":", 200ms);
  }
  ASSERT_TRUE(seen) << p.err();
  p.wait_output("\"none\"", 300ms);  // reads what else comes within 300 ms
  const int64_t warm = last_seq(p.out());

  std::optional<PinToThisCpu> pin(std::in_place);
  p.signal(SIGSTOP);
  send_at_rate(kStopped, kRate);
  p.signal(SIGCONT);
  send_at_rate(kRunning, kRate);
  const uint64_t n = kStopped + kRunning + kTail;
  p.wait_output("\"seq\":" + std::to_string(warm + kStopped + kRunning) + ",", 5s);
  std::this_thread::sleep_for(300ms);
  send_at_rate(kTail, kRate);
  pin.reset();
  p.wait_output("\"seq\":" + std::to_string(warm + static_cast<int64_t>(n)) + ",", 5s);
  // `drops` is printed every 500 ms: two more rounds hold the final count.
  std::this_thread::sleep_for(1200ms);
  p.signal(SIGINT);
  RunResult r = p.finish();
  ASSERT_EQ(r.exit_code, 0) << r.err;

  uint64_t printed = 0;
  int64_t drops = -1;
  for (const auto& e : json_lines(r.out)) {
    if (e.contains("seq")) {
      EXPECT_EQ(e["pid"], getpid());
      if (e["seq"].get<int64_t>() > warm) printed++;
    } else if (e.value("map", "") == "drops") {
      drops = e["value"]["full"].get<int64_t>();
    }
  }
  ASSERT_GE(drops, 0) << "the drops map is printed\n" << r.out.substr(0, 2000);
  uint64_t lost = 0;
  if (buffer() == "perf") {
    LostReports reports = lost_reports(r.err, "events");
    lost = reports.per_cpu;
    EXPECT_EQ(reports.total, lost) << "the total is the sum of the per-CPU reports\n" << r.err;
    EXPECT_EQ(static_cast<uint64_t>(drops), lost) << "the kernel's lost records match the program's count";
  } else {
    lost = static_cast<uint64_t>(drops);  // ring buffer reserve failures
  }
  EXPECT_GT(lost, 0u) << "the stopped consumer's buffer was meant to overflow\n" << r.err;
  EXPECT_EQ(printed + lost, n) << "printed " << printed << ", lost " << lost << "\n" << r.err;
}

INSTANTIATE_TEST_SUITE_P(Paths, Load,
                         ::testing::Combine(::testing::Values("ring", "perf"),
                                            ::testing::Values("package", "aot", "interp")),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) + "_" + std::get<1>(info.param);
                         });


// A ring buffer that never empties (two threads flooding as fast as they
// can) must not hold the run: `-d` still ends it, and the sampled map is
// still printed meanwhile, because a read round ends after a time budget
// with the rest left in the ring. (Before, one ring_buffer__consume() read
// until the flood stopped.) The flood goes on until ecli has exited.
class LoadFlood : public EcliTest {};

TEST_F(LoadFlood, AFloodThatNeverStopsDoesNotHoldThePackageRun) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = tmp / "flood";
  fs::create_directories(dir);
  write_text(dir / "flood.bpf.c", read_text(source_dir() / "bench/flood.bpf.c"));
  fs::copy_file(source_dir() / "bench/flood.h", dir / "flood.h");
  fs::path pkg = build_package(dir / "flood.bpf.c", dir / "flood.h");
  EcliProcess p({"run", "-j", "-d", "2", pkg.string(), "-p", std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> sent{0};
  std::vector<std::thread> flooders;
  for (int i = 0; i < 2; i++)
    flooders.emplace_back([&] {
      while (!stop) {
        for (int k = 0; k < 1000; k++) syscall(SYS_getppid);
        sent += 1000;
      }
    });
  RunResult r = p.finish(std::chrono::seconds(30));
  uint64_t sent_while_running = sent;
  stop = true;
  for (auto& t : flooders) t.join();
  EXPECT_EQ(r.exit_code, 0) << "ecli ended by -d, not killed at the deadline\n" << r.err;
  uint64_t events = 0, samples = 0;
  for (const auto& e : json_lines(r.out)) {
    events += e.contains("seq");
    samples += e.value("map", "") == "drops";
  }
  EXPECT_GT(events, 0u);
  EXPECT_GE(samples, 2u) << "drops is sampled every 500 ms during the 2 s run";
  EXPECT_GT(sent_while_running, events) << "the flood outran the consumer";
}

}  // namespace
}  // namespace ecc::test
