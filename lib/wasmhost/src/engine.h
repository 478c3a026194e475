// The engines in docs/wasm-host-abi.md: one interface that wabt's interpreter and the
// wasm2c AOT engine implement. The host ABI (bpf_host) and WASI (wasi_host)
// stay one implementation; an engine only decides how the module is called
// into and out of, and how its memory and table are reached (ModuleView).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bpf_host.h"
#include "guest.h"

namespace ecc::wasmhost {

// A module read and checked by the host before any engine sees it: every
// import resolved to a host function of the same type, in import order,
// `memory` and `_start` exported, the Go convention's go-callback typed.
struct CheckedModule {
  const uint8_t* data = nullptr;
  size_t size = 0;
  std::string name;
  wi::Module::Ptr module;  // wabt's reading: types, imports, exports
  std::vector<wi::HostFunc::Ptr> imports;
  bool go_convention = false;
};

// How _start ended when no host call ended the run.
struct Outcome {
  enum Kind { returned, trapped, exception } kind = returned;
  std::string trap;  // the trap's message, in the interpreter's words
};

class Engine {
 public:
  virtual ~Engine() = default;
  // Instantiates the module (throws Error "cannot instantiate: ..."), gives
  // `guest` its memory and table and `bpf` its go-callback, runs _start.
  virtual Outcome run_start(Guest& guest, BpfHost& bpf) = 0;
};

// A module instantiated in wabt's interpreter, `guest` given its memory and
// table; its exported functions are called by name (the interpreter engine's
// _start, a gadget's lifecycle functions).
class InterpView;
class InterpInstance {
 public:
  InterpInstance(wi::Store& store, const CheckedModule& m, Guest& guest);  // throws Error
  ~InterpInstance();
  InterpInstance(const InterpInstance&) = delete;
  InterpInstance& operator=(const InterpInstance&) = delete;
  // The exported function `name`, or empty.
  wi::Func::Ptr func(std::string_view name);
  // Calls `f` without parameters (Guest::call: in slices, halts seen).
  Outcome call(Guest& guest, const wi::Func::Ptr& f, wi::Values& results);

 private:
  wi::Ref find_export(std::string_view name, wabt::ExternalKind kind);
  wi::Store& store_;
  const CheckedModule& m_;
  wi::Thread thread_;
  wi::Instance::Ptr inst_;
  std::unique_ptr<InterpView> view_;
};

std::unique_ptr<Engine> make_interp_engine(wi::Store& store, const CheckedModule& m);
// Compiles the module into the AOT cache first unless it is there.
std::unique_ptr<Engine> make_aot_engine(wi::Store& store, const CheckedModule& m, const WasmRunOptions& opts);

// The AOT cache entry of `m` (aot_cache.h), compiled first unless it is there.
std::string aot_entry_for(const CheckedModule& m, const WasmRunOptions& opts, bool* compiled);

// Reads `data` (throws Error for a file that is not a valid module) and
// checks it against the host's functions.
wi::Module::Ptr read_checked_module(wi::Store& store, const uint8_t* data, size_t size, const std::string& name);
CheckedModule check_module(wi::Module::Ptr mod, const uint8_t* data, size_t size, const std::string& name,
                           const HostFuncs& wasi_funcs, const HostFuncs& bpf_funcs, class WasiHost& wasi, BpfHost& bpf);

// "(i32,i64)->(i32)": a function type in error messages.
std::string type_text(const wi::FuncType& t);

}  // namespace ecc::wasmhost
