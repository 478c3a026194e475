// run_wasm_app: read and validate the module, link its imports to our host
// modules, then run `_start` in interruptible slices.
#include <wabt/binary-reader.h>
#include <wabt/error-formatter.h>
#include <wabt/interp/binary-reader-interp.h>

#include "bpf_host.h"
#include "ecc/error.h"
#include "guest.h"
#include "run_module.h"
#include "wasi_host.h"

namespace ecc {
namespace {

using namespace wasmhost;  // NOLINT

std::string type_text(const wi::FuncType& t) {
  auto list = [](const wi::ValueTypes& v) {
    std::string s = "(";
    for (size_t i = 0; i < v.size(); i++) s += (i ? "," : "") + std::string(v[i].GetName());
    return s + ")";
  };
  return list(t.params) + "->" + list(t.results);
}

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

wi::Ref find_export(const wi::Module::Ptr& mod, const wi::Instance::Ptr& inst, std::string_view name,
                    wabt::ExternalKind kind) {
  const auto& types = mod->export_types();
  for (size_t i = 0; i < types.size(); i++)
    if (types[i].name == name && types[i].type->kind == kind) return inst->exports()[i];
  return wi::Ref::Null;
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

int run_module(const uint8_t* data, size_t size, const std::string& name, const std::vector<std::string>& args,
               const WasmRunOptions& opts) {
  wi::ModuleDesc desc = read_module(data, size, name);
  wi::Store store;
  wi::Module::Ptr mod = wi::Module::New(store, std::move(desc));

  std::vector<std::string> argv{name};
  argv.insert(argv.end(), args.begin(), args.end());
  Guest guest(store, opts);
  WasiHost wasi(guest, argv);
  BpfHost bpf(guest);
  const HostFuncs wasi_funcs = wasi.funcs(), bpf_funcs = bpf.funcs();

  // Imports: wasm_bpf exactly; WASI from the subset, unknown WASI functions
  // as ENOSYS stubs; callback-wrapper.wasm_bpf_buffer_poll of wasm-bpf's Go
  // SDK; nothing else.
  wi::RefVec imports;
  std::vector<wi::HostFunc::Ptr> keep;
  bool go_convention = false;
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
      go_convention = true;
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
    imports.push_back(f.ref());
    keep.push_back(f);
  }
  // The Go convention's records go to the exported go-callback: checked
  // before anything runs.
  if (go_convention) check_go_callback(mod, bpf.callback_type(), name);

  wi::Trap::Ptr trap;
  wi::Instance::Ptr inst = wi::Instance::Instantiate(store, mod.ref(), imports, &trap);
  if (!inst) throw Error(Exit::bad_input, "cannot instantiate: " + (trap ? trap->message() : "unknown"), name);

  wi::Ref mem_ref = find_export(mod, inst, "memory", wabt::ExternalKind::Memory);
  if (mem_ref == wi::Ref::Null) throw Error(Exit::bad_input, "the module exports no memory", name);
  wi::Ref start_ref = find_export(mod, inst, "_start", wabt::ExternalKind::Func);
  if (start_ref == wi::Ref::Null) throw Error(Exit::bad_input, "the module exports no _start function", name);
  wi::Ref table_ref = find_export(mod, inst, "__indirect_function_table", wabt::ExternalKind::Table);
  if (table_ref == wi::Ref::Null && !inst->tables().empty()) table_ref = inst->tables()[0];
  wi::Func::Ptr start = store.UnsafeGet<wi::Func>(start_ref);
  if (go_convention)
    bpf.set_go_callback(
        store.UnsafeGet<wi::Func>(find_export(mod, inst, EWASM_ABI_GO_CALLBACK, wabt::ExternalKind::Func)));
  if (!start->type().params.empty())
    throw Error(Exit::bad_input, "_start has type " + type_text(start->type()) + ", expected ()->()", name);

  wi::Thread thread(store);
  guest.attach(&thread, store.UnsafeGet<wi::Memory>(mem_ref),
               table_ref == wi::Ref::Null ? wi::Table::Ptr() : store.UnsafeGet<wi::Table>(table_ref));
  wi::Values results;
  wi::RunResult r = guest.call(start, {}, results, &trap);
  if (r == wi::RunResult::Return) return 0;
  switch (guest.halted()) {
    case Halt::exit: return guest.exit_code();
    case Halt::stop: return 0;
    case Halt::trap: throw Error(Exit::bad_input, "wasm trap " + guest.halt_message(), name);
    case Halt::none: break;
  }
  if (r == wi::RunResult::Exception) throw Error(Exit::bad_input, "uncaught wasm exception in _start", name);
  throw Error(Exit::bad_input, "wasm trap in _start: " + (trap ? trap->message() : std::string("unknown")), name);
}

}  // namespace wasmhost

}  // namespace ecc
