// Building packages with the built ecc and running ecli in the background
// with deadlines, for the kernel end-to-end tests of ecli.
#pragma once

#include <sched.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace ecc::test {

fs::path ecli_binary();  // the built tools/ecli

// One ecli child with its stdout and stderr read through pipes.
class EcliProcess {
 public:
  explicit EcliProcess(std::vector<std::string> args);
  // Another executable (a standalone one): `binary` with `args`; a non-empty
  // `env` is the child's whole environment.
  EcliProcess(const fs::path& binary, std::vector<std::string> args, std::vector<std::string> env = {});
  ~EcliProcess();  // kills the child if it is still running
  EcliProcess(const EcliProcess&) = delete;
  EcliProcess& operator=(const EcliProcess&) = delete;

  // Reads until stderr has the "<tool>: attached" line (true) or the child
  // exits or the deadline passes (false). The tool is the binary's name
  // (ecli, or a standalone executable's own).
  bool wait_attached(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // The tool's name when the binary runs another (unshare ... EXE).
  void set_tool(std::string name) { tool_ = std::move(name); }
  // Reads until stdout holds `needle` or the deadline passes.
  bool wait_output(const std::string& needle, std::chrono::milliseconds timeout);
  // Reads until the child exits; past the deadline it is killed (exit -9).
  RunResult finish(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  void signal(int sig);

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  // One round of reading; false once both pipes are closed.
  bool pump(int timeout_ms);
  std::string tool_;
  int pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  std::string out_, err_;
  int status_ = -1;
  bool reaped_ = false;
};

// A child that sleeps until killed. It handles SIGUSR1/2 (an ignored or a
// still-pending signal is reported with a non-zero result) and acknowledges
// each one, so that the next is only sent once the previous was delivered.
struct Sleeper {
  int pid = -1;
  int ack = -1;
  Sleeper();
  ~Sleeper();
  Sleeper(const Sleeper&) = delete;
  Sleeper& operator=(const Sleeper&) = delete;
  void wait_ack();
  // Sends `sig` and waits until the child has handled it.
  void send(int sig);
};

class EcliTest : public ::testing::Test {
 protected:
  TempDir tmp;
  // The cache is shared by every test of this binary, so that vmlinux.h
  // and its PCH are built once.
  static fs::path cache();

  // ecc -o <tmp>/<name> SOURCE [HEADER]; fails the test when ecc fails.
  fs::path build_package(const fs::path& source, const fs::path& header = {});
  fs::path build_example(const std::string& name);
  // Copies the project directory `src` into the temp dir and builds its
  // app.wasm there the way a user would (ecc gen-wasm-skel, then an `app_c`
  // of one's own if given, then ecc build-wasm); the app's path.
  fs::path build_wasm_app(const fs::path& src, const std::string& app_c = {});
  RunResult ecli(std::vector<std::string> args);

  // This process and its children see an empty /sys/kernel/btf/vmlinux (a
  // private mount namespace with /dev/null bound over it), as on a kernel
  // without BTF; TearDown lifts it.
  void hide_kernel_btf();
  void TearDown() override;

 private:
  bool btf_hidden_ = false;
};

// The JSON objects of the lines of `out` (non-JSON lines are skipped).
std::vector<nlohmann::json> json_lines(const std::string& out);
std::vector<std::string> split_lines(const std::string& text);
std::vector<std::string> split_words(const std::string& line);
std::string self_comm();  // /proc/self/comm, no newline

// A Wasm app prints nothing when it has attached, so a test signals the
// child with `sig` until the first event comes back (at most 50 times, 200 ms
// apart), then sends the checked ones. `needle` marks an event in the output
// (default: one aimed at the child). True once it was seen.
bool signal_until_seen(EcliProcess& p, Sleeper& child, int sig, std::string needle = {});

// Runs a sigsnoop package (a file, or a URL or reference, with ecli's
// `options` before it) with --signal 10 --pid <this process>, signals a
// Sleeper with USR1, USR2, USR1, and checks both USR1 events field by field.
void expect_sigsnoop_json(const fs::path& pkg, const std::vector<std::string>& options = {});
// The same checks on a running sigsnoop with those filters (and -j -d 4),
// however it was started.
void expect_sigsnoop_json(EcliProcess& p);

// sigsnoop's text table in `out` (run with -s `sig` -p <this process>): the
// header, then every row field by field, the columns under their headings.
// Returns how many rows were aimed at `tpid`.
int expect_sigsnoop_table(const std::string& out, int tpid, int sig);
// A running sigsnoop with -d 3 -s 12 -p <this process>: a Sleeper gets USR2
// and USR1, and the table shows exactly the USR2, field by field.
void expect_sigsnoop_table(EcliProcess& p);
// sigsnoop's JSON events in `out` as a Wasm app prints them, every one
// checked field by field (from this process, signal `sig`, aimed at `tpid`,
// delivered, our comm). Returns how many there were.
int expect_sigsnoop_app_events(const std::string& out, int tpid, int sig);

// Pins this thread to the CPU it runs on, and back to its CPUs when
// destroyed: the kernel reports a CPU's perf losses in that CPU's buffer,
// with the next record that fits there, so a test sends every event from one.
class PinToThisCpu {
 public:
  PinToThisCpu();
  ~PinToThisCpu();
  PinToThisCpu(const PinToThisCpu&) = delete;
  PinToThisCpu& operator=(const PinToThisCpu&) = delete;

 private:
  cpu_set_t all_;
};

// ecli's reports of lost perf records of `map` on stderr: the sum of the
// "lost N events of 'MAP' on CPU C" lines, and of the totals at the end.
struct LostReports {
  uint64_t per_cpu = 0;
  uint64_t total = 0;
};
LostReports lost_reports(const std::string& err, const std::string& map);

}  // namespace ecc::test
