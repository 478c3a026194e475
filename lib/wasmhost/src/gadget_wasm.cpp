// A gadget's Wasm layer: checked against WASI and IgHost, instantiated in
// the interpreter (its functions run a handful of times per run, so the AOT
// engine would only add a compile), its lifecycle functions called by name.
#include "ecc/gadget_wasm.h"

#include "ecc/error.h"
#include "engine.h"
#include "ig_host.h"
#include "wasi_host.h"

namespace ecc {

using namespace wasmhost;  // NOLINT

namespace {

constexpr double kCallSeconds = 5;  // as IG gives gadgetStop
const char* const kIgModules[] = {"ig", "env"};

bool is_ig_module(const std::string& m) { return m == kIgModules[0] || m == kIgModules[1]; }

// Every import resolved to WASI (a missing WASI function answers ENOSYS) or
// IgHost; the first other one is the error.
CheckedModule check_gadget_module(wi::Module::Ptr mod, const std::string& name, const HostFuncs& wasi_funcs,
                                  const HostFuncs& ig_funcs, WasiHost& wasi) {
  CheckedModule m;
  m.name = name;
  for (const wi::ImportType& imp : mod->import_types()) {
    std::string what = imp.module + "." + imp.name;
    auto* want = wabt::dyn_cast<wi::FuncType>(imp.type.get());
    const HostFuncs* table = imp.module == "wasi_snapshot_preview1" ? &wasi_funcs
                             : is_ig_module(imp.module)            ? &ig_funcs
                                                                   : nullptr;
    auto it = table ? table->find(imp.name) : ig_funcs.end();
    wi::HostFunc::Ptr f = table && it != table->end() ? it->second : wi::HostFunc::Ptr();
    if (!f && want && table == &wasi_funcs) f = wasi.nosys(*want);
    if (!f || !want)
      throw Error(Exit::bad_input,
                  "the gadget's Wasm layer imports " + what + ", which ecli does not implement (Inspektor Gadget's Wasm API)",
                  name);
    if (f->type().params != want->params || f->type().results != want->results)
      throw Error(Exit::bad_input,
                  "import " + what + " has type " + type_text(*want) + ", the host provides " + type_text(f->type()), name);
    m.imports.push_back(f);
  }
  bool memory = false;
  for (const wi::ExportType& e : mod->export_types()) memory |= e.name == "memory" && e.type->kind == wabt::ExternalKind::Memory;
  if (!memory) throw Error(Exit::bad_input, "the gadget's Wasm layer exports no memory", name);
  m.module = std::move(mod);
  return m;
}

}  // namespace

struct GadgetWasm::Impl {
  Impl(const uint8_t* data, size_t size, const std::string& name, GadgetWasmEnv e)
      : env(std::move(e)), guest(store, opts), wasi(guest, {name}), ig(guest, env, name) {
    opts.duration = kCallSeconds;
    wasi_funcs = wasi.funcs();
    ig_funcs = ig.funcs();
    module = check_gadget_module(read_checked_module(store, data, size, name), name, wasi_funcs, ig_funcs, wasi);
    instance.emplace(store, module, guest);
  }
  // Calls `fn`: its results, or an Error naming it.
  wi::Values run(const std::string& fn, const wi::Func::Ptr& f);
  void check_version();

  GadgetWasmEnv env;
  WasmRunOptions opts;
  wi::Store store;
  Guest guest;
  WasiHost wasi;
  IgHost ig;
  HostFuncs wasi_funcs, ig_funcs;
  CheckedModule module;
  std::optional<InterpInstance> instance;
};

wi::Values GadgetWasm::Impl::run(const std::string& fn, const wi::Func::Ptr& f) {
  const std::string& name = module.name;
  guest.start_clock();
  wi::Values results;
  Outcome r = instance->call(guest, f, results);
  if (r.kind == Outcome::returned) return results;
  switch (guest.halted()) {
    case Halt::exit:
      throw Error(Exit::bad_input, fn + " called proc_exit(" + std::to_string(guest.exit_code()) + ")", name);
    case Halt::stop:
      throw Error(Exit::bad_input, fn + " did not return within " + std::to_string(int(kCallSeconds)) + " s", name);
    case Halt::trap: throw Error(Exit::bad_input, "wasm trap in " + fn + ": " + guest.halt_message(), name);
    case Halt::none: break;
  }
  if (r.kind == Outcome::exception) throw Error(Exit::bad_input, "uncaught wasm exception in " + fn, name);
  throw Error(Exit::bad_input, "wasm trap in " + fn + ": " + r.trap, name);
}

void GadgetWasm::Impl::check_version() {
  const std::string& name = module.name;
  wi::Func::Ptr f = instance->func("gadgetAPIVersion");
  if (!f) throw Error(Exit::bad_input, "the gadget's Wasm layer exports no gadgetAPIVersion function", name);
  const wi::FuncType& t = f->type();
  if (!t.params.empty() || t.results.size() != 1 || t.results[0] != Type::I64)
    throw Error(Exit::bad_input, "gadgetAPIVersion has type " + type_text(t) + ", expected ()->(i64)", name);
  uint64_t v = run("gadgetAPIVersion", f)[0].Get<uint64_t>();
  if (v != 1)
    throw Error(Exit::bad_input, "the gadget's Wasm layer uses API version " + std::to_string(v) + "; ecli implements version 1",
                name);
}

GadgetWasm::GadgetWasm(const uint8_t* data, size_t size, const std::string& name, GadgetWasmEnv env)
    : impl_(std::make_unique<Impl>(data, size, name, std::move(env))) {
  // A reactor's _initialize, or a command's _start (TinyGo's main), first.
  for (const char* init : {"_initialize", "_start"})
    if (wi::Func::Ptr f = impl_->instance->func(init)) {
      impl_->run(init, f);
      break;
    }
  impl_->check_version();
}

GadgetWasm::~GadgetWasm() = default;

void GadgetWasm::call(const std::string& fn) {
  wi::Func::Ptr f = impl_->instance->func(fn);
  if (!f) return;
  const wi::FuncType& t = f->type();
  bool status = t.results.size() == 1 && t.results[0] == Type::I32;
  if (!t.params.empty() || !(status || t.results.empty()))
    throw Error(Exit::bad_input, fn + " has type " + type_text(t) + ", expected ()->(i32)", impl_->module.name);
  wi::Values r = impl_->run(fn, f);
  if (status && r[0].Get<uint32_t>() != 0)
    throw Error(Exit::bad_input, fn + " failed (returned " + std::to_string(static_cast<int32_t>(r[0].Get<uint32_t>())) + ")",
                impl_->module.name);
}

}  // namespace ecc
