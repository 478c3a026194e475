#include "wasm_fixture.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace ecc::test {

std::vector<uint8_t> wat2wasm(const TempDir& dir, const std::string& wat) {
  static int serial = 0;
  fs::path src = dir / ("m" + std::to_string(serial) + ".wat");
  fs::path out = dir / ("m" + std::to_string(serial++) + ".wasm");
  write_text(src, wat);
  RunResult r = run({"wat2wasm", src.string(), "-o", out.string()});
  if (r.exit_code != 0) throw std::runtime_error("wat2wasm failed:\n" + r.err + "\n" + wat.substr(0, 2000));
  return read_bytes(out);
}

AppRun run_app(const std::vector<uint8_t>& module, const std::vector<std::string>& args, WasmRunOptions opts) {
  AppRun r;
  opts.out = [&r](std::string_view s) { r.out += s; };
  opts.err = [&r](std::string_view s) { r.err += s; };
  r.code = run_wasm_app(module, "app.wasm", args, opts);
  return r;
}

std::vector<uint8_t> events_object(const TempDir& dir) {
  std::string src = read_text(source_dir() / "tests/wasmhost/apps/events.bpf.c");
  return read_bytes(compile_bpf(dir, "events", src));
}

std::string wat_bytes(const std::vector<uint8_t>& bytes) {
  std::string s;
  s.reserve(bytes.size() * 3);
  char buf[4];
  for (uint8_t b : bytes) {
    std::snprintf(buf, sizeof buf, "\\%02x", b);
    s += buf;
  }
  return s;
}

SyscallFlood::SyscallFlood()
    : thread_([this] {
        while (!done_) {
          syscall(SYS_getpid);
          syscall(SYS_getppid);
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      }) {}

SyscallFlood::~SyscallFlood() {
  done_ = true;
  thread_.join();
}

std::string self_comm() {
  std::string c = read_text("/proc/self/comm");
  while (!c.empty() && c.back() == '\n') c.pop_back();
  return c;
}

}  // namespace ecc::test
