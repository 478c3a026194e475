// The host against small hand-written modules: bad files and imports, every
// host function fed out-of-bounds pointers and foreign descriptors, exit
// codes, output capture, and stopping modules that never return.
//
// Policy under test: a bad pointer, length, handle or fd never traps and
// never crashes; wasm_bpf functions answer -EFAULT / -EBADF / -EINVAL
// (a load answers handle 0), WASI functions answer EFAULT (21) / EBADF (8).
#include <fcntl.h>
#include <unistd.h>

#include <chrono>

#include "ecc/error.h"
#include "wasm_fixture.h"

namespace ecc::test {
namespace {

class WatTest : public WithEngine {
 protected:
  std::vector<uint8_t> wasm(const std::string& wat) { return wat2wasm(dir_, wat); }
  int exit_of(const std::string& body) { return run_app(wasm(module(body))).code; }
  TempDir dir_;
};

std::string error_of(const std::vector<uint8_t>& bytes) {
  return app_error([&] { run_app(bytes); });
}

TEST_P(WatTest, NotAWasmFile) {
  EXPECT_EQ(error_of({'h', 'e', 'l', 'l', 'o', '\n', 0, 0}), "not a wasm module (no \\0asm header)");
  EXPECT_EQ(error_of({}), "not a wasm module (no \\0asm header)");
  std::vector<uint8_t> truncated = wasm(module("(call $exit (i32.const 0))"));
  truncated.resize(truncated.size() / 2);
  EXPECT_NE(error_of(truncated).find("invalid wasm module: "), std::string::npos) << error_of(truncated);
}

TEST_P(WatTest, UnknownImportsAreNamed) {
  EXPECT_EQ(error_of(wasm(R"((module (import "wasm_bpf" "wasm_bogus" (func (param i32)))
    (memory (export "memory") 1) (func (export "_start"))))")),
            "unknown import wasm_bpf.wasm_bogus");
  EXPECT_EQ(error_of(wasm(R"((module (import "env" "foo" (func))
    (memory (export "memory") 1) (func (export "_start"))))")),
            "unknown import env.foo");
  EXPECT_EQ(error_of(wasm(R"((module (import "wasm_bpf" "wasm_close_bpf_object" (func (param i32) (result i32)))
    (memory (export "memory") 1) (func (export "_start"))))")),
            "import wasm_bpf.wasm_close_bpf_object has type (i32)->(i32), the host provides (i64)->(i32)");
  EXPECT_EQ(error_of(wasm(R"((module (import "env" "mem" (memory 1)) (func (export "_start"))))")),
            "unsupported import env.mem (only functions are provided)");
}

TEST_P(WatTest, MissingStartOrMemory) {
  EXPECT_EQ(error_of(wasm(R"((module (memory (export "memory") 1)))")), "the module exports no _start function");
  EXPECT_EQ(error_of(wasm(R"((module (func (export "_start"))))")), "the module exports no memory");
}

TEST_P(WatTest, UnknownWasiFunctionsAreEnosysStubs) {
  // Imported and never called: the module runs.
  std::string extra = R"( (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32))))";
  EXPECT_EQ(run_app(wasm(module("(call $exit (i32.const 3))", "(i32.const 0)", nullptr, extra))).code, 3);
  // Called: ENOSYS.
  EXPECT_EQ(run_app(wasm(module("(call $exit (call $path_open (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)"
                                " (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))",
                                "(i32.const 0)", nullptr, extra)))
                .code,
            52);
}

TEST_P(WatTest, ExitCodes) {
  EXPECT_EQ(exit_of("(call $exit (i32.const 7))"), 7);
  EXPECT_EQ(exit_of("(call $exit (i32.const 0))"), 0);
  EXPECT_EQ(exit_of("(nop)"), 0);  // _start returns
  EXPECT_EQ(exit_of("(call $exit (i32.const 7)) (call $exit (i32.const 9))"), 7);
}

TEST_P(WatTest, TrapInStartIsAnError) {
  EXPECT_EQ(error_of(wasm(module("(unreachable)"))), "wasm trap in _start: unreachable executed");
  EXPECT_EQ(error_of(wasm(module("(drop (i32.load (i32.const 262142)))"))).rfind("wasm trap in _start: ", 0), 0u);
}

// The AOT engine says what the interpreter says (in its words; the
// interpreter adds where an access was).
TEST_P(WatTest, TrapsReadTheSameUnderBothEngines) {
  EXPECT_EQ(error_of(wasm(module("(drop (i32.div_u (i32.const 1) (i32.const 0)))"))),
            "wasm trap in _start: integer divide by zero");
  EXPECT_EQ(error_of(wasm(module("(drop (i32.load (i32.const 262142)))")))
                .rfind("wasm trap in _start: out of bounds memory access", 0),
            0u);
  // Unbounded recursion: the interpreter's call stack limit, the AOT
  // engine's guard page below the native stack.
  EXPECT_EQ(error_of(wasm(module("(call $deep)", "(i32.const 0)", nullptr, " (func $deep (call $deep))"))),
            "wasm trap in _start: call stack exhausted");
}

TEST_P(WatTest, FdWriteIsCaptured) {
  std::string extra = R"( (data (i32.const 1000) "hello, ") (data (i32.const 1010) "world\0a")
    (data (i32.const 2000) "\e8\03\00\00\07\00\00\00\f2\03\00\00\06\00\00\00"))";
  AppRun r = run_app(wasm(module(R"(
    (drop (call $fd_write (i32.const 1) (i32.const 2000) (i32.const 2) (i32.const 3000)))
    (drop (call $fd_write (i32.const 2) (i32.const 2008) (i32.const 1) (i32.const 3004)))
    (call $exit (i32.add (i32.load (i32.const 3000)) (i32.mul (i32.const 100) (i32.load (i32.const 3004))))))",
                                 "(i32.const 0)", nullptr, extra)));
  EXPECT_EQ(r.out, "hello, world\n");
  EXPECT_EQ(r.err, "world\n");
  EXPECT_EQ(r.code, 13 + 600);
}

TEST_P(WatTest, ArgsReachTheGuest) {
  // argv written back to stdout, one per line, through args_sizes_get/args_get.
  std::string extra = R"(
 (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32))))";
  std::string body = R"(
    (local $i i32) (local $p i32) (local $n i32)
    (drop (call $sizes (i32.const 100) (i32.const 104)))
    (drop (call $args (i32.const 200) (i32.const 1000)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 100))))
      (local.set $p (i32.load (i32.add (i32.const 200) (i32.mul (local.get $i) (i32.const 4)))))
      (local.set $n (i32.const 0))
      (block $end (loop $len
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $len)))
      (i32.store8 (i32.add (local.get $p) (local.get $n)) (i32.const 10))
      (i32.store (i32.const 300) (local.get $p))
      (i32.store (i32.const 304) (i32.add (local.get $n) (i32.const 1)))
      (drop (call $fd_write (i32.const 1) (i32.const 300) (i32.const 1) (i32.const 308)))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $next)))
    (call $exit (i32.load (i32.const 104))))";
  std::string m = module("", "(i32.const 0)", nullptr, extra);
  m.replace(m.find("(func (export \"_start\")\n") + 24, 0, body);
  AppRun r = run_app(wasm(m), {"-x", "two words"});
  EXPECT_EQ(r.out, "app.wasm\n-x\ntwo words\n");
  EXPECT_EQ(r.code, 9 + 3 + 10);
}

// Every WASI function with a pointer or length out of bounds.
TEST_P(WatTest, WasiOutOfBoundsAnswerEfault) {
  std::string extra = R"(
 (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "environ_get" (func $env (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
 (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
 (data (i32.const 2000) "\00\00\04\00\10\00\00\00")  ;; iovec {262144, 16}
 (data (i32.const 2008) "\00\00\00\00\ff\ff\ff\ff")  ;; iovec {0, 4G-1})";
  const char* calls[] = {
      "(call $args_sizes (i32.const 262142) (i32.const 0))",
      "(call $args_sizes (i32.const 0) (i32.const -1))",
      "(call $args (i32.const 262143) (i32.const 0))",
      "(call $args (i32.const 0) (i32.const 262140))",
      "(call $env_sizes (i32.const 262141) (i32.const 0))",
      "(call $env (i32.const 0) (i32.const 262145))",
      "(call $fd_write (i32.const 1) (i32.const 2000) (i32.const 1) (i32.const 3000))",
      "(call $fd_write (i32.const 1) (i32.const 2008) (i32.const 1) (i32.const 3000))",
      "(call $fd_write (i32.const 1) (i32.const 262140) (i32.const 1) (i32.const 3000))",
      "(call $fd_write (i32.const 1) (i32.const 0) (i32.const 0x20000000) (i32.const 3000))",
      "(call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 262141))",
      "(call $fd_read (i32.const 0) (i32.const 2000) (i32.const 1) (i32.const 3000))",
      "(call $fd_read (i32.const 0) (i32.const 262140) (i32.const 2) (i32.const 3000))",
      "(call $fdstat (i32.const 1) (i32.const 262130))",
      "(call $clock (i32.const 1) (i64.const 0) (i32.const 262137))",
      "(call $poll_oneoff (i32.const 262100) (i32.const 0) (i32.const 1) (i32.const 3000))",
      "(call $poll_oneoff (i32.const 0) (i32.const 262140) (i32.const 1) (i32.const 3000))",
      "(call $random (i32.const 262000) (i32.const 145))",
      "(call $random (i32.const -1) (i32.const 1))",
  };
  for (const char* call : calls) {
    AppRun r = run_app(wasm(module("(call $exit " + std::string(call) + ")", "(i32.const 0)", nullptr, extra)));
    EXPECT_EQ(r.code, 21) << call;
    EXPECT_EQ(r.out, "") << call;
  }
  // Bad descriptors answer EBADF (8); no preopened directories.
  EXPECT_EQ(exit_of("(call $exit (call $fd_write (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))"), 8);
}

TEST_P(WatTest, WasiAnswers) {
  std::string extra = R"(
 (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
 (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32))))";
  auto code = [&](const std::string& call) {
    return run_app(wasm(module("(call $exit " + call + ")", "(i32.const 0)", nullptr, extra))).code;
  };
  EXPECT_EQ(code("(call $prestat (i32.const 3) (i32.const 0))"), 8);
  EXPECT_EQ(code("(call $seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 0))"), 70);
  EXPECT_EQ(code("(call $seek (i32.const 9) (i64.const 0) (i32.const 0) (i32.const 0))"), 8);
  EXPECT_EQ(code("(i32.add (call $fdstat (i32.const 1) (i32.const 0)) (i32.load8_u (i32.const 0)))"), 2);
  EXPECT_EQ(code("(call $fdstat (i32.const 7) (i32.const 0))"), 8);
  EXPECT_EQ(code("(call $clock (i32.const 9) (i64.const 0) (i32.const 0))"), 28);
  // Monotonic time is not zero.
  EXPECT_EQ(code("(i32.add (call $clock (i32.const 1) (i64.const 0) (i32.const 8)) (i64.eqz (i64.load (i32.const 8))))"),
            0);
  EXPECT_EQ(code("(i32.add (call $env_sizes (i32.const 8) (i32.const 12)) (i32.add (i32.load (i32.const 8)) "
                 "(i32.load (i32.const 12))))"),
            0);
}

// wasm_bpf with handles and fds this host never handed out, and loads from
// out-of-bounds memory. No kernel needed: nothing is ever loaded.
TEST_P(WatTest, ForeignHandlesAndFdsAreRejected) {
  int file_fd = ::open("/proc/self/status", O_RDONLY);
  ASSERT_GE(file_fd, 0);
  std::string ffd = std::to_string(file_fd);
  EXPECT_EQ(exit_of("(call $exit (i32.wrap_i64 (call $load (i32.const 262100) (i32.const 100))))"), 0);
  EXPECT_EQ(exit_of("(call $exit (i32.wrap_i64 (call $load (i32.const 0) (i32.const 0))))"), 0);
  EXPECT_EQ(exit_of("(call $exit (i32.wrap_i64 (call $load (i32.const -1) (i32.const -1))))"), 0);
  EXPECT_EQ(exit_of("(call $exit (call $attach (i64.const 1) (i32.const 48) (i32.const 0)))"), -EBADF);
  EXPECT_EQ(exit_of("(call $exit (call $fd_by_name (i64.const 1) (i32.const 16)))"), -EBADF);
  EXPECT_EQ(exit_of("(call $exit (call $poll (i64.const 1) (i32.const 3) (i32.const 1) (i32.const 0) (i32.const 0)"
                    " (i32.const 16) (i32.const 0)))"),
            -EBADF);
  EXPECT_EQ(exit_of("(call $exit (call $close (i64.const 1)))"), -EBADF);
  EXPECT_EQ(exit_of("(call $exit (call $close (i64.const 0)))"), -EBADF);
  for (std::string fd : {std::string("0"), std::string("1"), std::string("2"), ffd, std::string("-1")})
    for (int cmd = 1; cmd <= 4; cmd++)
      EXPECT_EQ(exit_of("(call $exit (call $op (i32.const " + fd + ") (i32.const " + std::to_string(cmd) +
                        ") (i32.const 100) (i32.const 200) (i32.const 300) (i64.const 0)))"),
                -EBADF)
          << "fd " << fd << " cmd " << cmd;
  // The file is untouched.
  EXPECT_EQ(::lseek(file_fd, 0, SEEK_CUR), 0);
  ::close(file_fd);
}

TEST_P(WatTest, InfiniteLoopStopsAtTheDuration) {
  WasmRunOptions o;
  o.duration = 0.3;
  std::vector<uint8_t> m = wasm(module("(loop $forever (br $forever))"));
  precompile(m);  // the bound is on the run, not on the AOT compile
  auto t0 = std::chrono::steady_clock::now();
  AppRun r = run_app(m, {}, o);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.code, 0);
  EXPECT_GE(took, 0.29);
  EXPECT_LT(took, 2.0);
}

TEST_P(WatTest, SleepStopsOnTheStopFlag) {
  // poll_oneoff: one relative clock subscription of an hour.
  std::string extra = R"(
 (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
 (data (i32.const 1024) "\01\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\00\d0\ed\90\2e\03\00\00"))";
  std::atomic<bool> stop{false};
  WasmRunOptions o;
  o.stop = &stop;
  std::thread setter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
  });
  auto t0 = std::chrono::steady_clock::now();
  AppRun r = run_app(wasm(module("(drop (call $poll_oneoff (i32.const 1024) (i32.const 2048) (i32.const 1) "
                                 "(i32.const 3000))) (call $exit (i32.const 5))",
                                 "(i32.const 0)", nullptr, extra)),
                     {}, o);
  setter.join();
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.code, 0);
  EXPECT_LT(took, 2.0);
}

TEST_P(WatTest, ShortSleepReturnsTheEvent) {
  // 20 ms, userdata 0x2a: one event with that userdata, type clock.
  std::string extra = R"(
 (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
 (data (i32.const 1024) "\2a\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00\00\00\00\00\00\00\00\2d\31\01\00\00\00\00"))";
  auto t0 = std::chrono::steady_clock::now();
  AppRun r = run_app(wasm(module("(drop (call $poll_oneoff (i32.const 1024) (i32.const 2048) (i32.const 1) "
                                 "(i32.const 3000))) (call $exit (i32.add (i32.load (i32.const 2048)) "
                                 "(i32.load (i32.const 3000))))",
                                 "(i32.const 0)", nullptr, extra)));
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.code, 43);
  EXPECT_GE(took, 0.019);
}

ECC_WASM_ENGINES(WatTest);

}  // namespace
}  // namespace ecc::test
