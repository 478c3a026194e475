// wasm_bpf on the real kernel through hand-written modules: every host
// function with out-of-bounds pointers, lengths and table indexes, handles
// and fds of another object, callbacks that trap or stop a poll round, and
// a blocking poll cut short by the duration.
#include <chrono>

#include "ecc/error.h"
#include "wasm_fixture.h"

namespace ecc::test {
namespace {

const char* kGlobals = R"(
 (global $fd (mut i32) (i32.const 0))
 (global $kv (mut i32) (i32.const 0))
 (global $r (mut i32) (i32.const 0))
 (global $n (mut i32) (i32.const 0))
 (global $h2 (mut i64) (i64.const 0)))";

// After the load: $fd = the ring buffer, $kv = the hash map.
const std::string kFds =
    "(global.set $fd (call $fd_by_name (global.get $h) (i32.const 16)))\n"
    "(global.set $kv (call $fd_by_name (global.get $h) (i32.const 32)))\n";

// Polls until a call returns non-zero or the callback ran, then exits with
// $n * 1000 + the poll's return.
const std::string kPollLoop = R"(
  (block $done (loop $again
    (global.set $r (call $poll (global.get $h) (global.get $fd) (i32.const 1) (i32.const 0) (i32.const 1024)
                             (i32.const 64) (i32.const 100)))
    (br_if $done (global.get $r))
    (br_if $done (global.get $n))
    (br $again)))
  (call $exit (i32.add (i32.mul (global.get $n) (i32.const 1000)) (global.get $r))))";

class BpfWatTest : public WithEngine {
 protected:
  void SetUp() override {
    WithEngine::SetUp();
    if (!kernel_available()) return;
    object_ = events_object(dir_);
  }
  AppRun run(const std::string& body, const std::string& callback = "(i32.const 0)", WasmRunOptions o = {}) {
    return run_app(wat2wasm(dir_, module(body, callback, &object_, kGlobals)), {}, o);
  }
  int exit_of(const std::string& body) { return run(kFds + body).code; }
  TempDir dir_;
  std::vector<uint8_t> object_;
};

TEST_P(BpfWatTest, LoadsAndFindsMaps) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  EXPECT_EQ(exit_of("(call $exit (i32.and (i32.ge_s (global.get $fd) (i32.const 3)) (i32.ge_s (global.get $kv) "
                    "(i32.const 3))))"),
            1);
  EXPECT_EQ(exit_of("(call $exit (call $fd_by_name (global.get $h) (i32.const 64)))"), -ENOENT);
  EXPECT_EQ(exit_of("(call $exit (call $attach (global.get $h) (i32.const 48) (i32.const 0)))"), 0);
  EXPECT_EQ(exit_of("(call $exit (call $attach (global.get $h) (i32.const 64) (i32.const 0)))"), -ENOENT);
  EXPECT_EQ(exit_of("(call $exit (call $close (global.get $h)))"), 0);
}

TEST_P(BpfWatTest, OutOfBoundsPointersAndLengths) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  const char* calls[] = {
      // map_fd_by_name: past the end; "xxxx" without a NUL before the end
      "(call $fd_by_name (global.get $h) (i32.const 262144))",
      "(call $fd_by_name (global.get $h) (i32.const 262140))",
      "(call $fd_by_name (global.get $h) (i32.const -1))",
      // attach: name, target
      "(call $attach (global.get $h) (i32.const 262140) (i32.const 0))",
      "(call $attach (global.get $h) (i32.const 48) (i32.const 262144))",
      // buffer_poll: data buffer past the end, or empty
      "(call $poll (global.get $h) (global.get $fd) (i32.const 1) (i32.const 0) (i32.const 262100) (i32.const 100) "
      "(i32.const 0))",
      "(call $poll (global.get $h) (global.get $fd) (i32.const 1) (i32.const 0) (i32.const 1024) (i32.const -1) "
      "(i32.const 0))",
      "(call $poll (global.get $h) (global.get $fd) (i32.const 1) (i32.const 0) (i32.const 1024) (i32.const 0) "
      "(i32.const 0))",
      // map_operate: key, value, next key past the end; a missing key
      "(call $op (global.get $kv) (i32.const 1) (i32.const 262142) (i32.const 1024) (i32.const 0) (i64.const 0))",
      "(call $op (global.get $kv) (i32.const 1) (i32.const 1024) (i32.const 262140) (i32.const 0) (i64.const 0))",
      "(call $op (global.get $kv) (i32.const 2) (i32.const 1024) (i32.const 262137) (i32.const 0) (i64.const 0))",
      "(call $op (global.get $kv) (i32.const 2) (i32.const 0) (i32.const 1024) (i32.const 0) (i64.const 0))",
      "(call $op (global.get $kv) (i32.const 3) (i32.const 262141) (i32.const 0) (i32.const 0) (i64.const 0))",
      "(call $op (global.get $kv) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 262142) (i64.const 0))",
      "(call $op (global.get $kv) (i32.const 4) (i32.const -4) (i32.const 0) (i32.const 1024) (i64.const 0))",
  };
  for (const char* call : calls) EXPECT_EQ(exit_of("(call $exit " + std::string(call) + ")"), -EFAULT) << call;
  // A load from out-of-bounds memory answers handle 0.
  EXPECT_EQ(exit_of("(call $exit (i32.wrap_i64 (call $load (i32.const 4096) (i32.const 258049))))"), 0);
}

TEST_P(BpfWatTest, BadCommandsTableIndexesAndMapKinds) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  auto poll = [](const std::string& fd, const std::string& func) {
    return "(call $exit (call $poll (global.get $h) " + fd + " (i32.const " + func +
           ") (i32.const 0) (i32.const 1024) (i32.const 64) (i32.const 0)))";
  };
  EXPECT_EQ(exit_of(poll("(global.get $fd)", "7")), -EINVAL);   // past the table
  EXPECT_EQ(exit_of(poll("(global.get $fd)", "0")), -EINVAL);   // null element
  EXPECT_EQ(exit_of(poll("(global.get $kv)", "1")), -EINVAL);   // not a ring/perf buffer
  EXPECT_EQ(exit_of(poll("(global.get $fd)", "1")), 0);         // nothing happened within 0 ms
  EXPECT_EQ(exit_of("(call $exit (call $op (global.get $kv) (i32.const 9) (i32.const 1024) (i32.const 1032) "
                    "(i32.const 0) (i64.const 0)))"),
            -EINVAL);
  EXPECT_EQ(exit_of("(call $exit (call $op (global.get $kv) (i32.const 1) (i32.const 1024) (i32.const 1032) "
                    "(i32.const 0) (i64.const 0)))"),
            -ENOENT);
}

TEST_P(BpfWatTest, HandlesAndFdsBelongToTheirObject) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  std::string load2 = "(global.set $h2 (call $load (i32.const 4096) (i32.const " + std::to_string(object_.size()) +
                      ")))\n";
  // The ring buffer of object 1 polled through object 2.
  EXPECT_EQ(exit_of(load2 + "(call $exit (call $poll (global.get $h2) (global.get $fd) (i32.const 1) (i32.const 0) "
                            "(i32.const 1024) (i32.const 64) (i32.const 0)))"),
            -EBADF);
  EXPECT_EQ(exit_of("(call $exit (call $poll (global.get $h) (i32.const 1) (i32.const 1) (i32.const 0) "
                    "(i32.const 1024) (i32.const 64) (i32.const 0)))"),
            -EBADF);
  EXPECT_EQ(exit_of("(call $exit (call $attach (i64.add (global.get $h) (i64.const 1)) (i32.const 48) "
                    "(i32.const 0)))"),
            -EBADF);
  // Closed: the handle and its map fds are gone.
  EXPECT_EQ(exit_of("(drop (call $close (global.get $h))) (call $exit (call $close (global.get $h)))"), -EBADF);
  EXPECT_EQ(exit_of("(drop (call $close (global.get $h))) (call $exit (call $op (global.get $kv) (i32.const 1) "
                    "(i32.const 1024) (i32.const 1032) (i32.const 0) (i64.const 0)))"),
            -EBADF);
  EXPECT_EQ(exit_of("(drop (call $close (global.get $h))) (call $exit (call $fd_by_name (global.get $h) "
                    "(i32.const 16)))"),
            -EBADF);
}

TEST_P(BpfWatTest, TrapInTheCallbackIsACleanError) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  SyscallFlood flood;
  WasmRunOptions o;
  o.duration = 20;
  EXPECT_EQ(app_error([&] {
              run(kFds + "(drop (call $attach (global.get $h) (i32.const 48) (i32.const 0)))" + kPollLoop,
                  "(unreachable)", o);
            }),
            "wasm trap in the event callback: unreachable executed");
}

TEST_P(BpfWatTest, CallbackReturnStopsTheRound) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  SyscallFlood flood;
  WasmRunOptions o;
  o.duration = 20;
  std::string attach = kFds + "(drop (call $attach (global.get $h) (i32.const 48) (i32.const 0)))";
  // Negative: the poll returns it, after exactly one record.
  EXPECT_EQ(run(attach + kPollLoop, "(global.set $n (i32.add (global.get $n) (i32.const 1))) (i32.const -7)", o).code,
            1000 - 7);
  // Positive: the round stops after one record, the poll returns 0.
  EXPECT_EQ(run(attach + kPollLoop, "(global.set $n (i32.add (global.get $n) (i32.const 1))) (i32.const 5)", o).code,
            1000);
}

TEST_P(BpfWatTest, RecordsAreCutToMaxSize) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  SyscallFlood flood;
  WasmRunOptions o;
  o.duration = 20;
  std::string body = kFds + R"((drop (call $attach (global.get $h) (i32.const 48) (i32.const 0)))
  (block $done (loop $again
    (drop (call $poll (global.get $h) (global.get $fd) (i32.const 1) (i32.const 0) (i32.const 1024)
                      (i32.const 8) (i32.const 100)))
    (br_if $done (global.get $n)) (br $again)))
  (call $exit (global.get $n)))";
  // The callback records size + 1 (so that 0 means "not called") and asks to stop.
  EXPECT_EQ(run(body, "(global.set $n (i32.add (local.get 2) (i32.const 1))) (i32.const 1)", o).code, 9);
}

TEST_P(BpfWatTest, BlockingPollStopsAtTheDuration) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  WasmRunOptions o;
  o.duration = 0.3;
  // Nothing attached, infinite timeout: only the duration ends it.
  std::vector<uint8_t> m = wat2wasm(dir_, module(kFds + "(drop (call $poll (global.get $h) (global.get $fd) (i32.const 1) "
                                                        "(i32.const 0) (i32.const 1024) (i32.const 64) (i32.const -1))) "
                                                        "(call $exit (i32.const 9))",
                                                 "(i32.const 0)", &object_, kGlobals));
  precompile(m);  // the bound is on the run, not on the AOT compile
  auto t0 = std::chrono::steady_clock::now();
  AppRun r = run_app(m, {}, o);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.code, 0);
  EXPECT_LT(took, 2.0);
}

TEST_P(BpfWatTest, LoadFailurePrintsTheLibbpfTail) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  // A valid ELF cut short: libbpf refuses it, the guest sees handle 0.
  std::vector<uint8_t> cut(object_.begin(), object_.begin() + object_.size() / 2);
  object_ = cut;
  AppRun r = run("(call $exit (i32.const 1))");
  EXPECT_EQ(r.code, 100);
  EXPECT_EQ(r.err.rfind("wasm_load_bpf_object: open failed: ", 0), 0u) << r.err;
}

ECC_WASM_ENGINES(BpfWatTest);

}  // namespace
}  // namespace ecc::test
