#include "wasm_fixture.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <sstream>

#include "ecc/error.h"

namespace ecc::test {

static const char* kImports = R"(
 (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (import "wasm_bpf" "wasm_load_bpf_object" (func $load (param i32 i32) (result i64)))
 (import "wasm_bpf" "wasm_attach_bpf_program" (func $attach (param i64 i32 i32) (result i32)))
 (import "wasm_bpf" "wasm_bpf_buffer_poll" (func $poll (param i64 i32 i32 i32 i32 i32 i32) (result i32)))
 (import "wasm_bpf" "wasm_bpf_map_fd_by_name" (func $fd_by_name (param i64 i32) (result i32)))
 (import "wasm_bpf" "wasm_bpf_map_operate" (func $op (param i32 i32 i32 i32 i32 i64) (result i32)))
 (import "wasm_bpf" "wasm_close_bpf_object" (func $close (param i64) (result i32)))
)";

std::string module(const std::string& body, const std::string& callback, const std::vector<uint8_t>* object,
                   const std::string& extra) {
  std::string m = "(module\n" + std::string(kImports) + extra + R"(
 (memory (export "memory") 4)
 (table (export "__indirect_function_table") 2 funcref)
 (elem (i32.const 1) $cb)
 (global $h (mut i64) (i64.const 0))
 (data (i32.const 16) "events\00")
 (data (i32.const 32) "kv\00")
 (data (i32.const 48) "on_getpid\00")
 (data (i32.const 64) "no_such_prog\00")
 (data (i32.const 262140) "xxxx")
 (func $cb (param i32 i32 i32) (result i32) )" +
                  callback + ")\n";
  if (object) m += " (data (i32.const 4096) \"" + wat_bytes(*object) + "\")\n";
  m += " (func (export \"_start\")\n";
  if (object)
    m += "  (global.set $h (call $load (i32.const 4096) (i32.const " + std::to_string(object->size()) +
         ")))\n  (if (i64.eqz (global.get $h)) (then (call $exit (i32.const 100))))\n";
  return m + body + "))\n";
}


std::vector<uint8_t> wat2wasm(const TempDir& dir, const std::string& wat) {
  static int serial = 0;
  fs::path src = dir / ("m" + std::to_string(serial) + ".wat");
  fs::path out = dir / ("m" + std::to_string(serial++) + ".wasm");
  write_text(src, wat);
  RunResult r = run({"wat2wasm", src.string(), "-o", out.string()});
  if (r.exit_code != 0) throw std::runtime_error("wat2wasm failed:\n" + r.err + "\n" + wat.substr(0, 2000));
  return read_bytes(out);
}

namespace {
WasmEngine g_engine = WasmEngine::auto_select;
}  // namespace

std::string engine_name(WasmEngine e) {
  std::ostringstream s;
  PrintTo(e, &s);
  return s.str();
}

void use_engine(WasmEngine e) { g_engine = e; }

std::string test_aot_cache() { return (fs::read_symlink("/proc/self/exe").parent_path() / "aot-test-cache").string(); }

AppRun run_app(const std::vector<uint8_t>& module, const std::vector<std::string>& args, WasmRunOptions opts) {
  AppRun r;
  if (opts.engine == WasmEngine::auto_select) opts.engine = g_engine;
  if (opts.aot_cache.empty()) opts.aot_cache = test_aot_cache();
  opts.out = [&r](std::string_view s) { r.out += s; };
  opts.err = [&r](std::string_view s) { r.err += s; };
  r.code = run_wasm_app(module, "app.wasm", args, opts);
  return r;
}

void precompile(const std::vector<uint8_t>& module) {
  if (g_engine != WasmEngine::aot) return;
  WasmRunOptions opts;
  opts.engine = WasmEngine::aot;
  opts.aot_cache = test_aot_cache();
  compile_wasm_app(module, "app.wasm", opts);
}

std::vector<uint8_t> events_object(const TempDir& dir) {
  std::string src = read_text(source_dir() / "tests/wasmhost/apps/events.bpf.c");
  return read_bytes(compile_bpf(dir, "events", src));
}

std::string app_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "app.wasm");
    return e.what();
  }
  return "(no error)";
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
