// The running guest as the host functions see it: its memory (every pointer
// bounds-checked here), its function table, the interruptible call, and how
// a host call ends the whole run (proc_exit, stop, a trap in a callback).
#pragma once

#include <chrono>
#include <cstring>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <wabt/interp/interp.h>

#include "ecc/wasmhost_options.h"

namespace ecc::wasmhost {

namespace wi = wabt::interp;
using wabt::Result;
using wabt::Type;

// Why the run ended early, decided inside a host call or between slices.
enum class Halt { none, exit, stop, trap };

// The running module's memory and function table as the engine holds them
// (wabt's objects, or wasm2c's structs in a shared object).
class ModuleView {
 public:
  virtual ~ModuleView() = default;
  virtual uint8_t* memory_data() = 0;
  virtual uint64_t memory_size() = 0;
  // Where the engine keeps the memory's base and size, when they stay at
  // one place for the whole run (wasm2c's memory record; memory.grow
  // changes what they hold): the guest reads them there, without a call
  // per pointer. Null when the memory has no such place (wabt's).
  struct MemoryFields {
    uint8_t* const* data = nullptr;
    const uint32_t* size = nullptr;  // wasm32: at most 4 GiB
  };
  virtual MemoryFields memory_fields() { return {}; }
  // table[index] when it is a function of exactly `type`, else empty.
  virtual wi::Func::Ptr table_func(uint32_t index, const wi::FuncType& type) = 0;
};

class Guest {
 public:
  Guest(wi::Store& store, const WasmRunOptions& opts);

  void attach(wi::Thread* thread, ModuleView* module) {
    thread_ = thread;
    module_ = module;
    fields_ = module ? module->memory_fields() : ModuleView::MemoryFields{};
  }

  // The duration counts from here (again): from when the module starts,
  // not including an AOT compile before it.
  void start_clock();

  wi::Store& store() { return store_; }
  const WasmRunOptions& opts() const { return opts_; }

  // [off, off+len) inside the memory, or nullptr. The pointer is valid until
  // the guest runs again (memory.grow may move it).
  uint8_t* ptr(uint64_t off, uint64_t len) {
    uint64_t size = fields_.size ? *fields_.size : module_->memory_size();
    if (off > size || len > size - off) return nullptr;
    return (fields_.data ? *fields_.data : module_->memory_data()) + off;
  }
  template <typename T>
  bool load(uint64_t off, T* out);
  template <typename T>
  bool store(uint64_t off, T v);
  // A NUL-terminated string starting at `off`, the NUL within the memory.
  std::optional<std::string_view> cstr(uint64_t off);

  // table[index] when it is a function of exactly `type`, else empty.
  wi::Func::Ptr table_func(uint32_t index, const wi::FuncType& type) { return module_->table_func(index, type); }

  // Calls a guest function in slices, watching stop and the deadline between
  // them. Returns Return with `results` filled, or Trap (also for a halt).
  wi::RunResult call(const wi::Func::Ptr& func, const wi::Values& params, wi::Values& results, wi::Trap::Ptr* trap);

  bool should_stop() const;
  // Time left before the deadline (for blocking host calls), capped at `cap`.
  std::chrono::milliseconds wait_budget(std::chrono::milliseconds cap) const;

  // Ends the run from inside a host call: the host function returns the
  // Result of this, which unwinds the interpreter as a trap we recognize.
  Result halt(Halt why, wi::Trap::Ptr* trap, std::string message = {}, int code = 0);
  Halt halted() const { return halt_; }
  int exit_code() const { return exit_code_; }
  const std::string& halt_message() const { return halt_message_; }

  // fd 1 without a sink is buffered like ecli -j's output: written when a
  // poll round finds the stream idle or runtime::OutputPace says so, before
  // a sleep, a read, a write to fd 2 and the end of the run (flush_out), and
  // every 64 KiB.
  void write_out(int fd, std::string_view text);
  void flush_out();
  ~Guest() { flush_out(); }

 private:
  wi::Store& store_;
  const WasmRunOptions& opts_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  wi::Thread* thread_ = nullptr;
  ModuleView* module_ = nullptr;
  ModuleView::MemoryFields fields_;
  Halt halt_ = Halt::none;
  int exit_code_ = 0;
  std::string halt_message_;
  std::string out_buf_;
};

template <typename T>
bool Guest::load(uint64_t off, T* out) {
  uint8_t* p = ptr(off, sizeof(T));
  if (!p) return false;
  std::memcpy(out, p, sizeof(T));
  return true;
}

template <typename T>
bool Guest::store(uint64_t off, T v) {
  uint8_t* p = ptr(off, sizeof(T));
  if (!p) return false;
  std::memcpy(p, &v, sizeof(T));
  return true;
}

// Host functions by module and name, built by each host module.
using HostFuncs = std::map<std::string, wi::HostFunc::Ptr, std::less<>>;

// Argument i of a host function call as a u32 (a guest address or length).
inline uint32_t arg_u32(const wi::Values& p, size_t i) { return p[i].Get<uint32_t>(); }

inline wi::FuncType func_type(std::initializer_list<Type> params, std::initializer_list<Type> results) {
  return wi::FuncType(wi::ValueTypes(params), wi::ValueTypes(results));
}

}  // namespace ecc::wasmhost
