// Options of run_wasm_app (ecc/wasmhost.h). Kept apart and C++17-clean:
// the interpreter side is compiled as C++17 because wabt's headers are not
// valid C++20 (destructors spelled with template-ids).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace ecc {

// docs/wasm-host-abi.md, Engines: aot translates the module with wasm2c and runs it as a
// cached shared object built by the host's C compiler; interp is wabt's
// interpreter; auto is aot when a C compiler (and wasm2c) is found.
enum class WasmEngine { auto_select, aot, interp };

struct WasmRunOptions {
  WasmEngine engine = WasmEngine::auto_select;
  // Says on `err` which engine auto chose when it is not aot (once per run).
  bool verbose = false;
  // The AOT cache; empty = $XDG_CACHE_HOME/ecc/aot (else ~/.cache/ecc/aot).
  std::string aot_cache;
  // Stop after this many seconds even if the module never returns; 0 = no limit.
  double duration = 0;
  // Polled between interpreter slices and inside blocking host calls (buffer
  // poll, WASI sleeps); a signal handler sets it for SIGINT/SIGTERM.
  const std::atomic<bool>* stop = nullptr;
  // Kernel BTF for CO-RE instead of /sys/kernel/btf/vmlinux; empty = default.
  std::string btf_path;
  // Where the guest's fd 1 and fd 2 go; empty = the process's stdout/stderr.
  // The host's own diagnostics (the verifier log tail) go to `err` too.
  std::function<void(std::string_view)> out;
  std::function<void(std::string_view)> err;
  // ecli's load policy (docs/trust.md): each object the guest loads, before
  // libbpf opens it; throws Error to refuse (wasm_load_bpf_object fails).
  std::function<void(const unsigned char* elf, size_t size)> load_check;
  // Instructions the interpreter runs between two looks at `stop` and the clock.
  int slice = 200000;
};

}  // namespace ecc
