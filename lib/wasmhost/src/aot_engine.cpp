// The AOT engine: the module as a shared object built from wasm2c's C and
// the glue of templates/aot/glue.c.in, loaded with dlopen. Imports reach
// the same host functions as the interpreter's through one dispatch
// function; callbacks run in their own trap scope (the glue's), so a trap
// inside one unwinds only to the host call that ran it and is re-raised
// after libbpf's frames are gone.
//
// Signals: while a run is active this engine owns SIGSEGV/SIGBUS, giving a
// fault to the wasm runtime's guard-page handler only while module code
// runs (a crash in host code keeps its default action), and SIGURG, which a
// watchdog thread sends when stop or the deadline comes while the module
// never calls the host; the handler then traps the module. One AOT run at a
// time per process: the runtime's trap target is a global of the object.
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "aot_cache.h"
#include "ecc/error.h"
#include "engine.h"
#include "wasm-rt.h"

namespace ecc::wasmhost {
namespace {

// The glue's struct ecc_aot_host and struct ecc_aot_entry.
struct AotHost {
  void* ctx;
  int (*call)(void* ctx, uint32_t index, const uint64_t* args, uint64_t* results);
  volatile int* in_guest;
};
struct AotEntry {
  uint32_t version;
  void (*init)();
  int (*check_table)(uint32_t index);
  int (*instantiate)(const AotHost* host);
  int (*start)();
  int (*call_table)(uint32_t index, uint32_t a, uint32_t b, uint32_t c, int32_t* result);
  int (*call_go_callback)(uint32_t a, uint32_t b, uint32_t c, int32_t* result);
  wasm_rt_memory_t* (*memory)();
  void (*trap)();
  void (*release)();
};

// A loaded cache entry and its runtime's own fault handlers. Never
// unloaded: a handler may still point into it.
struct Library {
  const AotEntry* entry = nullptr;
  struct sigaction runtime_segv {}, runtime_bus {};
};

std::mutex g_run_mutex;  // one AOT run at a time
std::map<std::string, Library> g_libraries;

const Library& load_library(const std::string& path, const std::string& name) {
  auto it = g_libraries.find(path);
  if (it != g_libraries.end()) return it->second;
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw Error(Exit::tool_failed, std::string("AOT: cannot load the compiled module: ") + ::dlerror(), name);
  auto get = reinterpret_cast<const AotEntry* (*)()>(::dlsym(handle, "ecc_aot_entry"));
  const AotEntry* entry = get ? get() : nullptr;
  if (!entry || entry->version != kAotGlueVersion)
    throw Error(Exit::tool_failed, "AOT: " + path + " is not a compiled module of this ecli", name);
  Library lib;
  lib.entry = entry;
  // The runtime installs its handlers once; keep them, put ours back.
  struct sigaction segv {}, bus {};
  sigaction(SIGSEGV, nullptr, &segv);
  sigaction(SIGBUS, nullptr, &bus);
  entry->init();
  sigaction(SIGSEGV, &segv, &lib.runtime_segv);
  sigaction(SIGBUS, &bus, &lib.runtime_bus);
  return g_libraries.emplace(path, lib).first->second;
}

// The interpreter's words for wasm2c's traps.
std::string trap_text(int code) {
  switch (code) {
    case WASM_RT_TRAP_OOB: return "out of bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "indirect call signature mismatch";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
    default: return "trap " + std::to_string(code);
  }
}

class AotEngine;
thread_local AotEngine* t_active = nullptr;

// One import as the dispatch function calls it.
struct Slot {
  wi::HostFunc::Ptr func;
  wi::Values params, results;
};

class AotEngine final : public Engine, public ModuleView {
 public:
  AotEngine(wi::Store& store, const CheckedModule& m, std::string path)
      : store_(store), m_(m), path_(std::move(path)), thread_(store) {}
  ~AotEngine() override;

  Outcome run_start(Guest& guest, BpfHost& bpf) override;

  // The instance's memory record lives as long as the loaded module (only
  // its data and size change, on memory.grow): looked up once, it costs no
  // call into the module per guest pointer.
  uint8_t* memory_data() override { return memory_->data; }
  uint64_t memory_size() override { return memory_->size; }
  MemoryFields memory_fields() override { return {&memory_->data, &memory_->size}; }
  wi::Func::Ptr table_func(uint32_t index, const wi::FuncType& type) override;

 private:
  static int dispatch(void* ctx, uint32_t index, const uint64_t* args, uint64_t* results);
  static void on_fault(int sig, siginfo_t* si, void* uc);
  static void on_stop_signal(int sig);
  Result finish_callback(int code, int32_t result, wi::Values& r, wi::Trap::Ptr* trap);
  void install_signals();
  void restore_signals();
  void watch();

  wi::Store& store_;
  const CheckedModule& m_;
  std::string path_;
  wi::Thread thread_;
  std::unique_lock<std::mutex> lock_;
  const Library* lib_ = nullptr;
  wasm_rt_memory_t* memory_ = nullptr;
  Guest* guest_ = nullptr;
  std::vector<Slot> slots_;
  std::unordered_map<uint32_t, wi::HostFunc::Ptr> callbacks_;
  volatile int in_guest_ = 0;
  volatile sig_atomic_t stop_signalled_ = 0;
  bool instantiated_ = false, signals_installed_ = false;
  AotEngine* outer_active_ = nullptr;
  struct sigaction prev_segv_ {}, prev_bus_ {}, prev_urg_ {};
  stack_t own_alt_stack_{};
  std::vector<char> alt_stack_;
  pthread_t runner_{};
  std::thread watchdog_;
  std::mutex watch_mutex_;
  std::condition_variable watch_cv_;
  bool watch_done_ = false;
};

AotEngine::~AotEngine() {
  if (watchdog_.joinable()) {
    {
      std::lock_guard<std::mutex> l(watch_mutex_);
      watch_done_ = true;
    }
    watch_cv_.notify_all();
    watchdog_.join();
  }
  if (instantiated_) lib_->entry->release();
  if (signals_installed_) restore_signals();
}

void AotEngine::on_fault(int sig, siginfo_t* si, void* uc) {
  AotEngine* e = t_active;
  if (e && e->in_guest_) {
    const struct sigaction& rt = sig == SIGSEGV ? e->lib_->runtime_segv : e->lib_->runtime_bus;
    if (rt.sa_flags & SA_SIGINFO) return rt.sa_sigaction(sig, si, uc);
  }
  // A fault in host code: the default action when the instruction runs again.
  signal(sig, SIG_DFL);
}

void AotEngine::on_stop_signal(int) {
  AotEngine* e = t_active;
  if (!e || !e->in_guest_) return;
  e->stop_signalled_ = 1;
  e->lib_->entry->trap();
}

void AotEngine::install_signals() {
  struct sigaction sa {};
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &prev_segv_);
  sigaction(SIGBUS, &sa, &prev_bus_);
  struct sigaction stop {};
  stop.sa_handler = on_stop_signal;
  stop.sa_flags = SA_RESTART | SA_NODEFER;
  sigemptyset(&stop.sa_mask);
  sigaction(SIGURG, &stop, &prev_urg_);
  // A stack overflow in the module faults on the stack: the handler needs
  // an alternate one on this thread.
  stack_t cur{};
  if (sigaltstack(nullptr, &cur) == 0 && (cur.ss_flags & SS_DISABLE)) {
    alt_stack_.resize(1 << 16);
    own_alt_stack_.ss_sp = alt_stack_.data();
    own_alt_stack_.ss_size = alt_stack_.size();
    sigaltstack(&own_alt_stack_, nullptr);
  }
  outer_active_ = t_active;
  t_active = this;
  signals_installed_ = true;
}

void AotEngine::restore_signals() {
  t_active = outer_active_;
  sigaction(SIGSEGV, &prev_segv_, nullptr);
  sigaction(SIGBUS, &prev_bus_, nullptr);
  sigaction(SIGURG, &prev_urg_, nullptr);
  if (!alt_stack_.empty()) {
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
  }
  signals_installed_ = false;
}

// Between host calls nothing else looks at stop and the deadline: when
// they come while the module runs, trap it (again every 20 ms, until the
// run is over).
void AotEngine::watch() {
  std::unique_lock<std::mutex> l(watch_mutex_);
  while (!watch_cv_.wait_for(l, std::chrono::milliseconds(20), [this] { return watch_done_; }))
    if (in_guest_ && guest_->should_stop()) pthread_kill(runner_, SIGURG);
}

int AotEngine::dispatch(void* ctx, uint32_t index, const uint64_t* args, uint64_t* results) {
  auto* e = static_cast<AotEngine*>(ctx);
  Slot& s = e->slots_[index];
  const wi::FuncType& type = s.func->type();
  for (size_t i = 0; i < type.params.size(); i++) {
    switch (type.params[i]) {
      case Type::I64: s.params[i] = wi::Value::Make(args[i]); break;
      case Type::F32: s.params[i] = wi::Value::Make(wabt::Bitcast<float>(static_cast<uint32_t>(args[i]))); break;
      case Type::F64: s.params[i] = wi::Value::Make(wabt::Bitcast<double>(args[i])); break;
      default: s.params[i] = wi::Value::Make(static_cast<uint32_t>(args[i])); break;
    }
  }
  wi::Trap::Ptr trap;
  if (wabt::Failed(s.func->Call(e->thread_, s.params, s.results, &trap))) {
    if (e->guest_->halted() == Halt::none)
      e->guest_->halt(Halt::trap, &trap, std::string("in a host call: ") + (trap ? trap->message() : "unknown"));
    return 1;
  }
  for (size_t i = 0; i < type.results.size(); i++) {
    switch (type.results[i]) {
      case Type::I64: results[i] = s.results[i].Get<uint64_t>(); break;
      case Type::F32: results[i] = wabt::Bitcast<uint32_t>(s.results[i].Get<float>()); break;
      case Type::F64: results[i] = wabt::Bitcast<uint64_t>(s.results[i].Get<double>()); break;
      default: results[i] = s.results[i].Get<uint32_t>(); break;
    }
  }
  return 0;
}

// A callback's end as a host function's: its result, or the end of the run
// (a host call inside it ended the run, a stop, a trap).
Result AotEngine::finish_callback(int code, int32_t result, wi::Values& r, wi::Trap::Ptr* trap) {
  if (code == 0) {
    r[0] = wi::Value::Make(result);
    return Result::Ok;
  }
  if (guest_->halted() != Halt::none) return guest_->halt(guest_->halted(), trap);
  if (stop_signalled_) return guest_->halt(Halt::stop, trap);
  *trap = wi::Trap::New(store_, trap_text(code));
  return Result::Error;
}

wi::Func::Ptr AotEngine::table_func(uint32_t index, const wi::FuncType& type) {
  auto it = callbacks_.find(index);
  if (it != callbacks_.end()) return it->second;
  // The record callback is the only function the host calls by index.
  const wi::FuncType& cb = type;
  if (cb.params.size() != 3 || cb.results.size() != 1 || !lib_->entry->check_table(index)) return {};
  auto f = wi::HostFunc::New(store_, type, [this, index](wi::Thread&, const wi::Values& p, wi::Values& r, wi::Trap::Ptr* t) {
    int32_t result = 0;
    int code = lib_->entry->call_table(index, p[0].Get<uint32_t>(), p[1].Get<uint32_t>(), p[2].Get<uint32_t>(), &result);
    return finish_callback(code, result, r, t);
  });
  callbacks_.emplace(index, f);
  return f;
}

Outcome AotEngine::run_start(Guest& guest, BpfHost& bpf) {
  lock_ = std::unique_lock<std::mutex>(g_run_mutex);
  lib_ = &load_library(path_, m_.name);
  memory_ = lib_->entry->memory();
  guest_ = &guest;
  for (const wi::HostFunc::Ptr& f : m_.imports)
    slots_.push_back(Slot{f, wi::Values(f->type().params.size()), wi::Values(f->type().results.size())});
  guest.attach(&thread_, this);
  install_signals();
  runner_ = pthread_self();
  AotHost host{this, dispatch, &in_guest_};
  if (int code = lib_->entry->instantiate(&host)) {
    if (guest.halted() == Halt::none)
      throw Error(Exit::bad_input, "cannot instantiate: " + trap_text(code), m_.name);
    return {Outcome::trapped, {}};
  }
  instantiated_ = true;
  if (m_.go_convention)
    bpf.set_go_callback(wi::HostFunc::New(store_, bpf.callback_type(),
                                          [this](wi::Thread&, const wi::Values& p, wi::Values& r, wi::Trap::Ptr* t) {
                                            int32_t result = 0;
                                            int code = lib_->entry->call_go_callback(
                                                p[0].Get<uint32_t>(), p[1].Get<uint32_t>(), p[2].Get<uint32_t>(), &result);
                                            return finish_callback(code, result, r, t);
                                          }));
  if (guest.opts().stop || guest.opts().duration > 0) watchdog_ = std::thread([this] { watch(); });
  int code = lib_->entry->start();
  if (code == 0) return {};
  if (guest.halted() == Halt::none && stop_signalled_) {
    wi::Trap::Ptr trap;
    guest.halt(Halt::stop, &trap);
  }
  if (code == WASM_RT_TRAP_UNCAUGHT_EXCEPTION) return {Outcome::exception, {}};
  return {Outcome::trapped, trap_text(code)};
}

char type_letter(Type t) {
  switch (t) {
    case Type::I32: return 'i';
    case Type::I64: return 'l';
    case Type::F32: return 'f';
    case Type::F64: return 'd';
    default: return '?';
  }
}

}  // namespace

std::string aot_entry_for(const CheckedModule& m, const WasmRunOptions& opts, bool* compiled) {
  AotModule a;
  a.data = m.data;
  a.size = m.size;
  a.name = m.name;
  a.go_callback = m.go_convention;
  for (const wi::ImportType& imp : m.module->import_types()) {
    AotImport i{imp.module, imp.name, {}, {}};
    const auto& type = *wabt::cast<wi::FuncType>(imp.type.get());
    for (Type t : type.params) i.params += type_letter(t);
    for (Type t : type.results) i.results += type_letter(t);
    a.imports.push_back(std::move(i));
  }
  return aot_shared_object(a, opts, compiled);
}

std::unique_ptr<Engine> make_aot_engine(wi::Store& store, const CheckedModule& m, const WasmRunOptions& opts) {
  bool compiled = false;
  std::string path = aot_entry_for(m, opts, &compiled);
  return std::make_unique<AotEngine>(store, m, std::move(path));
}

}  // namespace ecc::wasmhost
