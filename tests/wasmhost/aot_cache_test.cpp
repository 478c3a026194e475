// The AOT cache of docs/wasm-host-abi.md, Engines: a first run compiles, a cached run
// compiles nothing, concurrent compiles of one module leave one entry, and
// the AOT engine's fault handling leaves a crash in host code a crash.
#include <signal.h>

#include <thread>

#include "ecc/error.h"
#include "wasm_fixture.h"

namespace ecc::test {
namespace {

class AotCache : public ::testing::Test {
 protected:
  // A module no other test uses, unique per test (its exit code).
  std::vector<uint8_t> unique_module(int code) {
    return wat2wasm(dir_, module("(call $exit (i32.const " + std::to_string(code) + "))"));
  }
  WasmRunOptions opts() {
    WasmRunOptions o;
    o.engine = WasmEngine::aot;
    o.aot_cache = (dir_ / "aot").string();
    return o;
  }
  // An entry: the shared object and its stamp.
  static std::vector<std::string> entry(const std::string& shared_object) {
    std::string so = fs::path(shared_object).filename().string();
    return {so, so + ".sum"};
  }
  // The cache's entries and leftovers (temporary files, build directories).
  std::vector<std::string> listing() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_ / "aot")) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  TempDir dir_;
};

TEST_F(AotCache, FirstRunCompilesACachedRunCompilesNothing) {
  std::vector<uint8_t> wasm = unique_module(41);
  WasmCompileResult first = compile_wasm_app(wasm, "app.wasm", opts());
  EXPECT_TRUE(first.compiled);
  EXPECT_EQ(fs::path(first.shared_object).parent_path(), dir_ / "aot");
  EXPECT_EQ(listing(), entry(first.shared_object));
  auto written = fs::last_write_time(first.shared_object);

  WasmCompileResult again = compile_wasm_app(wasm, "app.wasm", opts());
  EXPECT_FALSE(again.compiled);
  EXPECT_EQ(again.shared_object, first.shared_object);
  EXPECT_EQ(run_app(wasm, {}, opts()).code, 41);
  EXPECT_EQ(listing().size(), 2u);
  EXPECT_EQ(fs::last_write_time(first.shared_object), written);

  // Another module is another entry.
  EXPECT_TRUE(compile_wasm_app(unique_module(42), "app.wasm", opts()).compiled);
  EXPECT_EQ(listing().size(), 4u);
}

TEST_F(AotCache, ConcurrentCompilesLeaveOneWholeEntry) {
  std::vector<uint8_t> wasm = unique_module(43);
  WasmCompileResult a, b;
  std::thread t([&] { a = compile_wasm_app(wasm, "app.wasm", opts()); });
  b = compile_wasm_app(wasm, "app.wasm", opts());
  t.join();
  EXPECT_EQ(a.shared_object, b.shared_object);
  EXPECT_EQ(listing(), entry(a.shared_object));
  EXPECT_EQ(run_app(wasm, {}, opts()).code, 43);
}

// docs/cache.md: a damaged entry (truncated, overwritten, without its stamp) is
// compiled again, never loaded and never fatal.
TEST_F(AotCache, DamagedEntriesAreCompiledAgain) {
  std::vector<uint8_t> wasm = unique_module(44);
  const std::string so = compile_wasm_app(wasm, "app.wasm", opts()).shared_object;
  const std::string good = read_text(so);
  // Replaced, not written in place: this process keeps the entry mapped
  // once it has run it, and truncating a mapped file is SIGBUS.
  auto damage_with = [&](const std::string& bytes) {
    write_text(so + ".damaged", bytes);
    fs::rename(so + ".damaged", so);
  };
  for (int damage = 0; damage < 3; ++damage) {
    SCOPED_TRACE(damage);
    if (damage == 0) damage_with(good.substr(0, good.size() / 2));
    if (damage == 1) damage_with("garbage");
    if (damage == 2) fs::remove(so + ".sum");
    WasmCompileResult again = compile_wasm_app(wasm, "app.wasm", opts());
    EXPECT_TRUE(again.compiled);
    EXPECT_EQ(again.shared_object, so);
    EXPECT_EQ(read_text(so).size(), good.size());
    EXPECT_EQ(listing(), entry(so));
    EXPECT_EQ(run_app(wasm, {}, opts()).code, 44);
  }
  // Damaged before a run: the run compiles it again too.
  damage_with("garbage");
  EXPECT_EQ(run_app(wasm, {}, opts()).code, 44);
  EXPECT_FALSE(compile_wasm_app(wasm, "app.wasm", opts()).compiled);
}

TEST_F(AotCache, InvalidModulesAreRefusedBeforeAnythingIsCompiled) {
  std::vector<uint8_t> wasm = wat2wasm(dir_, R"((module
 (import "wasm_bpf" "wasm_load_bpf_object" (func (param i32) (result i64)))
 (memory (export "memory") 1)
 (func (export "_start"))))");
  try {
    compile_wasm_app(wasm, "app.wasm", opts());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "import wasm_bpf.wasm_load_bpf_object has type (i32)->(i64), the host provides (i32,i32)->(i64)");
  }
  EXPECT_FALSE(fs::exists(dir_ / "aot"));
}

// The guard-page handler traps only faults of module code: a fault in a
// host function (here the fd 1 sink, called from fd_write) kills the
// process with SIGSEGV, as without the AOT engine.
TEST_F(AotCache, AFaultInHostCodeIsNotAWasmTrap) {
  std::vector<uint8_t> wasm = wat2wasm(dir_, module(R"(
  (i32.store (i32.const 0) (i32.const 16))
  (i32.store (i32.const 4) (i32.const 2))
  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))"));
  WasmRunOptions o = opts();
  compile_wasm_app(wasm, "app.wasm", o);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        o.out = [](std::string_view) {
          volatile int* null = nullptr;
          *null = 1;
        };
        run_wasm_app(wasm, "app.wasm", {}, o);
      },
      ::testing::KilledBySignal(SIGSEGV), "");
}

}  // namespace
}  // namespace ecc::test
