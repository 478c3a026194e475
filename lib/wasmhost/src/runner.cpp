// run_wasm_app: read and validate the module, link its imports to our host
// modules, then run `_start` in the chosen engine (engine.h).
#include <wabt/binary-reader.h>
#include <wabt/error-formatter.h>
#include <wabt/interp/binary-reader-interp.h>

#include "aot_cache.h"
#include "bpf_host.h"
#include "ecc/btf_archive.h"
#include "ecc/error.h"
#include "ecc/tool_name.h"
#include "engine.h"
#include "guest.h"
#include "run_module.h"
#include "wasi_host.h"

namespace ecc {
namespace {

using namespace wasmhost;  // NOLINT

wi::ModuleDesc read_module(const uint8_t* data, size_t size, const std::string& name) {
  static const uint8_t kMagic[4] = {0, 'a', 's', 'm'};
  if (size < 8 || !std::equal(kMagic, kMagic + 4, data))
    throw Error(Exit::bad_input, "not a wasm module (no \\0asm header)", name);
  wabt::Features features;
  wabt::ReadBinaryOptions options(features, nullptr, false, true, false);
  wabt::Errors errors;
  wi::ModuleDesc desc;
  if (wabt::Failed(wi::ReadBinaryInterp(name, data, size, options, &errors, &desc))) {
    std::string why = errors.empty() ? "unreadable" : errors.front().message;
    throw Error(Exit::bad_input, "invalid wasm module: " + why, name);
  }
  return desc;
}

const wi::ExportType* find_export_type(const wi::Module::Ptr& mod, std::string_view name, wabt::ExternalKind kind) {
  for (const wi::ExportType& e : mod->export_types())
    if (e.name == name && e.type->kind == kind) return &e;
  return nullptr;
}

// A module that imports callback-wrapper.wasm_bpf_buffer_poll exports its
// record callback as the function go-callback of the callback type.
void check_go_callback(const wi::Module::Ptr& mod, const wi::FuncType& type, const std::string& name) {
  const std::string poll = std::string(EWASM_ABI_GO_MODULE) + ".wasm_bpf_buffer_poll";
  for (const wi::ExportType& e : mod->export_types()) {
    if (e.name != EWASM_ABI_GO_CALLBACK) continue;
    auto* f = wabt::dyn_cast<wi::FuncType>(e.type.get());
    if (!f)
      throw Error(Exit::bad_input, "the module imports " + poll + " and exports " EWASM_ABI_GO_CALLBACK ", but not as a function",
                  name);
    if (f->params != type.params || f->results != type.results)
      throw Error(Exit::bad_input,
                  EWASM_ABI_GO_CALLBACK " has type " + type_text(*f) + ", the event callback of " + poll + " must be " +
                      type_text(type),
                  name);
    return;
  }
  throw Error(Exit::bad_input, "the module imports " + poll + " but exports no " EWASM_ABI_GO_CALLBACK " function", name);
}

}  // namespace

namespace wasmhost {

std::string type_text(const wi::FuncType& t) {
  auto list = [](const wi::ValueTypes& v) {
    std::string s = "(";
    for (size_t i = 0; i < v.size(); i++) s += (i ? "," : "") + std::string(v[i].GetName());
    return s + ")";
  };
  return list(t.params) + "->" + list(t.results);
}

wi::Module::Ptr read_checked_module(wi::Store& store, const uint8_t* data, size_t size, const std::string& name) {
  return wi::Module::New(store, read_module(data, size, name));
}

CheckedModule check_module(wi::Module::Ptr mod, const uint8_t* data, size_t size, const std::string& name,
                           const HostFuncs& wasi_funcs, const HostFuncs& bpf_funcs, WasiHost& wasi, BpfHost& bpf) {
  CheckedModule m;
  m.data = data;
  m.size = size;
  m.name = name;
  // Imports: wasm_bpf exactly; WASI from the subset, unknown WASI functions
  // as ENOSYS stubs; callback-wrapper.wasm_bpf_buffer_poll of wasm-bpf's Go
  // SDK; nothing else.
  for (const wi::ImportType& imp : mod->import_types()) {
    std::string what = imp.module + "." + imp.name;
    auto* want = wabt::dyn_cast<wi::FuncType>(imp.type.get());
    if (!want) throw Error(Exit::bad_input, "unsupported import " + what + " (only functions are provided)", name);
    wi::HostFunc::Ptr f;
    std::string provides;
    if (imp.module == EWASM_ABI_MODULE || imp.module == "wasi_snapshot_preview1") {
      const HostFuncs& table = imp.module == EWASM_ABI_MODULE ? bpf_funcs : wasi_funcs;
      auto it = table.find(imp.name);
      if (it != table.end()) f = it->second;
      else if (imp.module == "wasi_snapshot_preview1") f = wasi.nosys(*want);
      if (f) provides = type_text(f->type());
    } else if (imp.module == EWASM_ABI_GO_MODULE && imp.name == "wasm_bpf_buffer_poll") {
      m.go_convention = true;
      f = bpf.go_poll(*want);
      for (const wi::FuncType& t : BpfHost::go_poll_types()) provides += (provides.empty() ? "" : " or ") + type_text(t);
      if (!f)
        throw Error(Exit::bad_input, "import " + what + " has type " + type_text(*want) + ", the host provides " + provides,
                    name);
    }
    if (!f) throw Error(Exit::bad_input, "unknown import " + what, name);
    if (f->type().params != want->params || f->type().results != want->results)
      throw Error(Exit::bad_input, "import " + what + " has type " + type_text(*want) + ", the host provides " + provides,
                  name);
    m.imports.push_back(f);
  }
  // The Go convention's records go to the exported go-callback: checked
  // before anything runs.
  if (m.go_convention) check_go_callback(mod, bpf.callback_type(), name);
  if (!find_export_type(mod, "memory", wabt::ExternalKind::Memory))
    throw Error(Exit::bad_input, "the module exports no memory", name);
  const wi::ExportType* start = find_export_type(mod, "_start", wabt::ExternalKind::Func);
  if (!start) throw Error(Exit::bad_input, "the module exports no _start function", name);
  const auto* start_type = wabt::cast<wi::FuncType>(start->type.get());
  if (!start_type->params.empty())
    throw Error(Exit::bad_input, "_start has type " + type_text(*start_type) + ", expected ()->()", name);
  m.module = std::move(mod);
  return m;
}

namespace {

// auto: aot when the toolchain is there, else the interpreter, said once
// with -v.
bool use_aot(const WasmRunOptions& opts, Guest& guest) {
  if (opts.engine == WasmEngine::interp) return false;
  if (opts.engine == WasmEngine::aot) return true;
  std::string why;
  if (find_aot_toolchain(&why)) return true;
  if (opts.verbose) guest.write_out(2, tool_name() + ": the AOT engine is not available (" + why + "): running in the interpreter\n");
  return false;
}

}  // namespace

int run_module(const uint8_t* data, size_t size, const std::string& name, const std::vector<std::string>& args,
               const WasmRunOptions& opts) {
  wi::Store store;
  wi::Module::Ptr mod = read_checked_module(store, data, size, name);
  std::vector<std::string> argv{name};
  argv.insert(argv.end(), args.begin(), args.end());
  Guest guest(store, opts);
  WasiHost wasi(guest, argv);
  BpfHost bpf(guest);
  bpf.set_btf_archive(wasm_custom_section(data, size, kBtfArchiveSection));
  const HostFuncs wasi_funcs = wasi.funcs(), bpf_funcs = bpf.funcs();
  CheckedModule m = check_module(std::move(mod), data, size, name, wasi_funcs, bpf_funcs, wasi, bpf);

  std::unique_ptr<Engine> engine =
      use_aot(opts, guest) ? make_aot_engine(store, m, opts) : make_interp_engine(store, m);
  guest.start_clock();
  Outcome r = engine->run_start(guest, bpf);
  if (r.kind == Outcome::returned) return 0;
  switch (guest.halted()) {
    case Halt::exit: return guest.exit_code();
    case Halt::stop: return 0;
    case Halt::trap: throw Error(Exit::bad_input, "wasm trap " + guest.halt_message(), name);
    case Halt::none: break;
  }
  if (r.kind == Outcome::exception) throw Error(Exit::bad_input, "uncaught wasm exception in _start", name);
  throw Error(Exit::bad_input, "wasm trap in _start: " + r.trap, name);
}

WasmCompileResult compile_module(const uint8_t* data, size_t size, const std::string& name, const WasmRunOptions& opts) {
  wi::Store store;
  wi::Module::Ptr mod = read_checked_module(store, data, size, name);
  Guest guest(store, opts);
  WasiHost wasi(guest, {name});
  BpfHost bpf(guest);
  const HostFuncs wasi_funcs = wasi.funcs(), bpf_funcs = bpf.funcs();
  CheckedModule m = check_module(std::move(mod), data, size, name, wasi_funcs, bpf_funcs, wasi, bpf);
  WasmCompileResult r;
  r.shared_object = aot_entry_for(m, opts, &r.compiled);
  return r;
}

}  // namespace wasmhost

}  // namespace ecc
