// Helpers for the Wasm host tests: WAT assembled with Debian's wat2wasm,
// runs with captured stdout/stderr, the test BPF object, event triggers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "ecc/wasmhost.h"
#include "test_util.h"

namespace ecc {
// gtest's name for an engine parameter.
inline void PrintTo(WasmEngine e, std::ostream* os) {
  *os << (e == WasmEngine::aot ? "aot" : e == WasmEngine::interp ? "interp" : "auto");
}
}  // namespace ecc

namespace ecc::test {

std::vector<uint8_t> wat2wasm(const TempDir& dir, const std::string& wat);

// The engines in docs/wasm-host-abi.md: every test that runs a module runs under both,
// expecting the same results, errors and exit codes. run_app uses the
// engine of the running test (use_engine, from the fixtures' SetUp) unless
// its options name one, and one AOT cache per test binary (next to it), so
// that each distinct module is compiled once.
inline const auto kEngines = ::testing::Values(WasmEngine::aot, WasmEngine::interp);
std::string engine_name(WasmEngine e);
void use_engine(WasmEngine e);
std::string test_aot_cache();

class WithEngine : public ::testing::TestWithParam<WasmEngine> {
 protected:
  void SetUp() override { use_engine(GetParam()); }
};
// A suite with a parameter of its own besides the engine: param() is it.
template <typename P>
class WithEngineAnd : public ::testing::TestWithParam<std::tuple<P, WasmEngine>> {
 protected:
  void SetUp() override { use_engine(std::get<1>(this->GetParam())); }
  const P& param() const { return std::get<0>(this->GetParam()); }
};
struct EngineName {
  std::string operator()(const ::testing::TestParamInfo<WasmEngine>& i) const { return engine_name(i.param); }
};
#define ECC_WASM_ENGINES(suite) INSTANTIATE_TEST_SUITE_P(Engines, suite, ::ecc::test::kEngines, ::ecc::test::EngineName())

struct AppRun {
  int code = -1;
  std::string out, err;
};
AppRun run_app(const std::vector<uint8_t>& module, const std::vector<std::string>& args = {},
               WasmRunOptions opts = {});
// Under the AOT engine, fills the test binary's AOT cache for `module` (the
// one run_app uses), so that a test timing a run does not time the compile.
void precompile(const std::vector<uint8_t>& module);

// The BPF object of the kernel tests (tests/wasmhost/apps/events.bpf.c):
// ring buffer `events` fed by sys_enter_getpid, perf array `perf_events`
// fed by sys_enter_getppid, hash map `kv` (u32 -> u64).
std::vector<uint8_t> events_object(const TempDir& dir);

// A module whose _start runs `body` (after loading `object` into global $h
// when given, exiting 100 when that fails); memory is 4 pages, so 262144 is
// one past the end and the last 4 bytes are "xxxx" (no NUL). Strings at 16
// "events", 32 "kv", 48 "on_getpid", 64 "no_such_prog"; the table holds the
// event callback $cb, whose body is `callback`, at index 1. All six wasm_bpf
// imports ($load $attach $poll $fd_by_name $op $close) and WASI $exit,
// $fd_write are declared; `extra` adds more module fields.
std::string module(const std::string& body, const std::string& callback = "(i32.const 0)",
                   const std::vector<uint8_t>* object = nullptr, const std::string& extra = "");

// Runs `f`, expecting it to throw ecc::Error naming app.wasm: its message,
// or "(no error)".
std::string app_error(const std::function<void()>& f);

// Bytes as a WAT string literal body ("\00\61...").
std::string wat_bytes(const std::vector<uint8_t>& bytes);

// Calls getpid and getppid in a loop on a thread of this process until destroyed.
class SyscallFlood {
 public:
  SyscallFlood();
  ~SyscallFlood();

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// This process's comm as the kernel reports it (at most 15 bytes).
std::string self_comm();

}  // namespace ecc::test
