// The convention of wasm-bpf's Go SDK (docs/wasm-host-abi.md): TinyGo cannot export a
// function table, so the module imports wasm_bpf_buffer_poll from module
// `callback-wrapper` and exports its record callback as the function
// `go-callback`. Hand-written modules in both import forms (wasm-bpf's
// without sample_func, and the wasm_bpf form whose sample_func is ignored)
// on the real kernel, and the modules the host must refuse.
#include <unistd.h>

#include <cstring>

#include "ecc/error.h"
#include "wasm_fixture.h"

namespace ecc::test {
namespace {

// The forms of callback-wrapper.wasm_bpf_buffer_poll.
enum class Form { without_sample_func, with_sample_func };

std::string go_import(Form form) {
  return form == Form::without_sample_func
             ? R"( (import "callback-wrapper" "wasm_bpf_buffer_poll" (func $gpoll (param i64 i32 i32 i32 i32 i32) (result i32))))"
             : R"( (import "callback-wrapper" "wasm_bpf_buffer_poll" (func $gpoll (param i64 i32 i32 i32 i32 i32 i32) (result i32))))";
}

// A poll of `fd` with ctx 777 into data/max; in the wasm_bpf form with a
// sample_func (12345) that is no table index at all, as it must be ignored.
std::string go_poll(Form form, const std::string& fd, const std::string& data = "1024", const std::string& max = "64",
                    const std::string& timeout = "100", const std::string& handle = "(global.get $h)") {
  std::string sample = form == Form::with_sample_func ? " (i32.const 12345)" : "";
  return "(call $gpoll " + handle + " " + fd + sample + " (i32.const 777) (i32.const " + data + ") (i32.const " + max +
         ") (i32.const " + timeout + "))";
}

const char* kGoGlobals = R"(
 (global $fd (mut i32) (i32.const 0))
 (global $kv (mut i32) (i32.const 0))
 (global $r (mut i32) (i32.const 0))
 (global $n (mut i32) (i32.const 0))
 (global $bad (mut i32) (i32.const 0))
 (global $last (mut i64) (i64.const 0)))";

const std::string kGoFds =
    "(global.set $fd (call $fd_by_name (global.get $h) (i32.const 16)))\n"
    "(global.set $kv (call $fd_by_name (global.get $h) (i32.const 32)))\n"
    "(drop (call $attach (global.get $h) (i32.const 48) (i32.const 0)))\n";

class GoCallbackTest : public WithEngineAnd<Form> {
 protected:
  void SetUp() override {
    WithEngineAnd<Form>::SetUp();
    if (kernel_available()) object_ = events_object(dir_);
  }
  // The module: `callback` is the body of go-callback (ctx, data, size) -> i32.
  AppRun run(const std::string& body, const std::string& callback, double duration = 20) {
    std::string extra = go_import(param()) + kGoGlobals +
                        "\n (func (export \"go-callback\") (param $ctx i32) (param $data i32) (param $size i32) "
                        "(result i32)\n" +
                        callback + ")\n";
    WasmRunOptions o;
    o.duration = duration;
    return run_app(wat2wasm(dir_, module(kGoFds + body, "(i32.const 0)", &object_, extra)), {}, o);
  }
  TempDir dir_;
  std::vector<uint8_t> object_;
};

// Polls until a call returns non-zero or `enough` holds, then exits with
// `result`.
std::string poll_loop(Form form, const std::string& enough, const std::string& result) {
  return "(block $done (loop $again\n"
         "  (global.set $r " +
         go_poll(form, "(global.get $fd)") +
         ")\n"
         "  (br_if $done (global.get $r))\n"
         "  (br_if $done " +
         enough +
         ")\n"
         "  (br $again)))\n"
         "(call $exit " +
         result + ")";
}

TEST_P(GoCallbackTest, ReceivesEventsOfThisProcessInOrder) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  SyscallFlood flood;
  // go-callback: records of this process only; each must carry ctx 777, the
  // whole 32-byte event (cut to max_size 64: not cut), the pid, a comm
  // starting like ours, and timestamps that never go back.
  std::string comm = self_comm().substr(0, 4);
  uint32_t comm4 = 0;
  std::memcpy(&comm4, comm.data(), comm.size());
  std::string callback =
      "(if (i32.ne (i32.load (local.get $data)) (i32.const " + std::to_string(getpid()) +
      ")) (then (return (i32.const 0))))\n"
      "(if (i32.ne (local.get $ctx) (i32.const 777)) (then (global.set $bad (i32.or (global.get $bad) (i32.const 1)))))\n"
      "(if (i32.ne (local.get $size) (i32.const 32)) (then (global.set $bad (i32.or (global.get $bad) (i32.const 2)))))\n"
      "(if (i32.ne (i32.load offset=16 (local.get $data)) (i32.const " +
      std::to_string(static_cast<int32_t>(comm4)) +
      ")) (then (global.set $bad (i32.or (global.get $bad) (i32.const 4)))))\n"
      "(if (i64.lt_u (i64.load offset=8 (local.get $data)) (global.get $last))"
      " (then (global.set $bad (i32.or (global.get $bad) (i32.const 8)))))\n"
      "(global.set $last (i64.load offset=8 (local.get $data)))\n"
      "(global.set $n (i32.add (global.get $n) (i32.const 1)))\n"
      "(i32.const 0)";
  // Exit: 10 * bad + 1 once at least 5 records arrived with every poll
  // returning 0; 200 + -r when a poll failed.
  AppRun r = run(poll_loop(param(), "(i32.ge_u (global.get $n) (i32.const 5))",
                           "(if (result i32) (global.get $r) (then (i32.sub (i32.const 200) (global.get $r)))"
                           " (else (i32.add (i32.mul (global.get $bad) (i32.const 10)) (i32.const 1))))"),
                 callback);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_P(GoCallbackTest, TrapInTheCallbackIsACleanError) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  SyscallFlood flood;
  EXPECT_EQ(app_error([&] { run(poll_loop(param(), "(global.get $n)", "(i32.const 3)"), "(unreachable)"); }),
            "wasm trap in the event callback go-callback: unreachable executed");
}

TEST_P(GoCallbackTest, CallbackReturnStopsTheRound) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  SyscallFlood flood;
  const std::string count = "(global.set $n (i32.add (global.get $n) (i32.const 1)))";
  const std::string exit = "(i32.add (i32.mul (global.get $n) (i32.const 1000)) (global.get $r))";
  // Negative: the poll returns it, after exactly one record.
  EXPECT_EQ(run(poll_loop(param(), "(global.get $n)", exit), count + " (i32.const -7)").code, 1000 - 7);
  // Positive: the round stops after one record, the poll returns 0.
  EXPECT_EQ(run(poll_loop(param(), "(global.get $n)", exit), count + " (i32.const 5)").code, 1000);
}

TEST_P(GoCallbackTest, PointersHandlesAndMapsAreChecked) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  auto exit_of = [&](const std::string& call) { return run("(call $exit " + call + ")", "(i32.const 0)").code; };
  Form f = param();
  EXPECT_EQ(exit_of(go_poll(f, "(global.get $fd)", "262100", "100")), -EFAULT);  // data past the end
  EXPECT_EQ(exit_of(go_poll(f, "(global.get $fd)", "1024", "0")), -EFAULT);      // no room
  EXPECT_EQ(exit_of(go_poll(f, "(global.get $fd)", "1024", "-1")), -EFAULT);
  EXPECT_EQ(exit_of(go_poll(f, "(global.get $kv)")), -EINVAL);  // not a ring/perf buffer
  EXPECT_EQ(exit_of(go_poll(f, "(i32.const 1)")), -EBADF);      // not this module's fd
  EXPECT_EQ(exit_of(go_poll(f, "(global.get $fd)", "1024", "64", "0", "(i64.const 99)")), -EBADF);
  EXPECT_EQ(exit_of(go_poll(f, "(global.get $fd)", "1024", "64", "0")), 0);  // nothing within 0 ms
}

INSTANTIATE_TEST_SUITE_P(Forms, GoCallbackTest,
                         ::testing::Combine(::testing::Values(Form::without_sample_func, Form::with_sample_func),
                                            kEngines),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) == Form::without_sample_func ? "WasmBpfGoSdk"
                                                                                                  : "WithSampleFunc") +
                                  "_" + engine_name(std::get<1>(info.param));
                         });

// Modules the host refuses before anything runs. No kernel needed.
class GoCallbackErrors : public WithEngine {
 protected:
  std::string error_of(const std::string& fields) {
    std::string wat = "(module\n" + fields +
                      R"(
 (memory (export "memory") 1)
 (func (export "_start")))
)";
    return app_error([&] { run_app(wat2wasm(dir_, wat)); });
  }
  TempDir dir_;
};

TEST_P(GoCallbackErrors, NoGoCallbackExport) {
  EXPECT_EQ(error_of(go_import(Form::without_sample_func)),
            "the module imports callback-wrapper.wasm_bpf_buffer_poll but exports no go-callback function");
  EXPECT_EQ(error_of(go_import(Form::with_sample_func) +
                     R"( (func (export "go_callback") (param i32 i32 i32) (result i32) (i32.const 0)))"),
            "the module imports callback-wrapper.wasm_bpf_buffer_poll but exports no go-callback function");
}

TEST_P(GoCallbackErrors, GoCallbackOfTheWrongType) {
  EXPECT_EQ(error_of(go_import(Form::without_sample_func) +
                     R"( (func (export "go-callback") (param i32 i32) (result i32) (i32.const 0)))"),
            "go-callback has type (i32,i32)->(i32), the event callback of callback-wrapper.wasm_bpf_buffer_poll "
            "must be (i32,i32,i32)->(i32)");
  EXPECT_EQ(error_of(go_import(Form::with_sample_func) + R"( (func (export "go-callback") (param i32 i32 i32)))"),
            "go-callback has type (i32,i32,i32)->(), the event callback of callback-wrapper.wasm_bpf_buffer_poll "
            "must be (i32,i32,i32)->(i32)");
  EXPECT_EQ(error_of(go_import(Form::without_sample_func) + R"( (global (export "go-callback") i32 (i32.const 0)))"),
            "the module imports callback-wrapper.wasm_bpf_buffer_poll and exports go-callback, but not as a function");
}

TEST_P(GoCallbackErrors, PollImportOfAnotherType) {
  EXPECT_EQ(error_of(R"( (import "callback-wrapper" "wasm_bpf_buffer_poll" (func (param i64 i32) (result i32)))
 (func (export "go-callback") (param i32 i32 i32) (result i32) (i32.const 0)))"),
            "import callback-wrapper.wasm_bpf_buffer_poll has type (i64,i32)->(i32), the host provides "
            "(i64,i32,i32,i32,i32,i32)->(i32) or (i64,i32,i32,i32,i32,i32,i32)->(i32)");
  EXPECT_EQ(error_of(R"( (import "callback-wrapper" "wasm_bpf_map_operate" (func (param i32 i32 i32 i32 i32 i64) (result i32))))"),
            "unknown import callback-wrapper.wasm_bpf_map_operate");
}

// Without the import, go-callback is an ordinary export: nothing checks it.
TEST_P(GoCallbackErrors, GoCallbackWithoutTheImportIsIgnored) {
  EXPECT_EQ(error_of(R"( (func (export "go-callback") (param i32) (result i32) (i32.const 0)))"), "(no error)");
}

ECC_WASM_ENGINES(GoCallbackErrors);

}  // namespace
}  // namespace ecc::test
