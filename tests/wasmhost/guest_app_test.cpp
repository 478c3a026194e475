// A C guest app (apps/events_guest.c) built with clang --target=wasm32-wasi
// and Debian's wasi-libc, embedding the test BPF object: events from a ring
// buffer and from a perf event array, and a map_operate round trip.
#include <unistd.h>

#include <fstream>

#include "ecc/error.h"
#include "wasm_fixture.h"

namespace ecc::test {
namespace {

// Writes the object as a C array header next to the guest source, then builds.
std::vector<uint8_t> build_guest(const TempDir& dir, const std::vector<uint8_t>& object) {
  std::string h = "static const unsigned char events_obj[] = {";
  for (size_t i = 0; i < object.size(); i++) h += (i % 16 ? "" : "\n") + std::to_string(object[i]) + ",";
  h += "\n};\nstatic const unsigned int events_obj_len = " + std::to_string(object.size()) + ";\n";
  write_text(dir / "events_obj.h", h);
  fs::path out = dir / "events_guest.wasm";
  RunResult r = run({"clang", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-Wall", "-Werror",
                     "-Wl,--export-table", "-Wl,--allow-undefined", "-I", dir.path().string(),
                     (source_dir() / "tests/wasmhost/apps/events_guest.c").string(), "-o", out.string()});
  if (r.exit_code != 0) throw std::runtime_error("guest build failed:\n" + r.err);
  return read_bytes(out);
}

const char* kRoundTrip =
    "update 1 -> 0\nupdate 2 -> 0\nupdate 3 -> 0\n"
    "lookup 2 -> 0 value 20\n"
    "keys 3 sum 6 end -2\n"
    "delete 2 -> 0\n"
    "lookup 2 -> -2\n"
    "attach -> 0\n";

class GuestAppTest : public WithEngineAnd<const char*> {};

TEST_P(GuestAppTest, PrintsEventsOfThisProcess) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  TempDir dir;
  std::vector<uint8_t> wasm = build_guest(dir, events_object(dir));
  SyscallFlood flood;
  WasmRunOptions o;
  o.duration = 30;
  AppRun r = run_app(wasm, {std::to_string(getpid()), "3", param()}, o);
  std::string event = "event pid=" + std::to_string(getpid()) + " comm=" + self_comm() + " ordered=1\n";
  EXPECT_EQ(r.out, kRoundTrip + event + event + event + "close -> 0\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.code, 0);
}

INSTANTIATE_TEST_SUITE_P(Buffers, GuestAppTest, ::testing::Combine(::testing::Values("ring", "perf"), kEngines),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) + "_" + engine_name(std::get<1>(info.param));
                         });

class GuestApp : public WithEngine {};

TEST_P(GuestApp, UsageErrorExitCode) {
  TempDir dir;
  // No kernel needed: the app stops before loading.
  std::vector<uint8_t> object(16, 0);
  std::vector<uint8_t> wasm = build_guest(dir, object);
  AppRun r = run_app(wasm, {"1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "usage: app.wasm PID COUNT ring|perf\n");
  EXPECT_EQ(r.out, "");
}

ECC_WASM_ENGINES(GuestApp);

}  // namespace
}  // namespace ecc::test
