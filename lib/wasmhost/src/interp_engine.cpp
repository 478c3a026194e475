// The interpreter engine: wabt's interpreter, _start and the callbacks run in
// slices (Guest::call) so that stop and the deadline are seen between them.
#include "ecc/error.h"
#include "engine.h"

namespace ecc::wasmhost {

// The module's memory and table as wabt holds them.
class InterpView final : public ModuleView {
 public:
  InterpView(wi::Store& store, wi::Memory::Ptr memory, wi::Table::Ptr table)
      : store_(store), memory_(std::move(memory)), table_(std::move(table)) {}
  uint8_t* memory_data() override { return memory_->UnsafeData(); }
  uint64_t memory_size() override { return memory_->ByteSize(); }
  wi::Func::Ptr table_func(uint32_t index, const wi::FuncType& type) override {
    if (!table_ || index >= table_->size()) return {};
    wi::Ref ref = table_->UnsafeGet(index);
    if (ref == wi::Ref::Null || !store_.Is<wi::Func>(ref)) return {};
    wi::Func::Ptr f = store_.UnsafeGet<wi::Func>(ref);
    if (f->type().params != type.params || f->type().results != type.results) return {};
    return f;
  }

 private:
  wi::Store& store_;
  wi::Memory::Ptr memory_;
  wi::Table::Ptr table_;
};

InterpInstance::InterpInstance(wi::Store& store, const CheckedModule& m, Guest& guest)
    : store_(store), m_(m), thread_(store) {
  wi::RefVec imports;
  for (const wi::HostFunc::Ptr& f : m_.imports) imports.push_back(f.ref());
  wi::Trap::Ptr trap;
  inst_ = wi::Instance::Instantiate(store_, m_.module.ref(), imports, &trap);
  if (!inst_) throw Error(Exit::bad_input, "cannot instantiate: " + (trap ? trap->message() : "unknown"), m_.name);
  wi::Ref table_ref = find_export("__indirect_function_table", wabt::ExternalKind::Table);
  if (table_ref == wi::Ref::Null && !inst_->tables().empty()) table_ref = inst_->tables()[0];
  view_ = std::make_unique<InterpView>(
      store_, store_.UnsafeGet<wi::Memory>(find_export("memory", wabt::ExternalKind::Memory)),
      table_ref == wi::Ref::Null ? wi::Table::Ptr() : store_.UnsafeGet<wi::Table>(table_ref));
  guest.attach(&thread_, view_.get());
}

InterpInstance::~InterpInstance() = default;

wi::Func::Ptr InterpInstance::func(std::string_view name) {
  wi::Ref ref = find_export(name, wabt::ExternalKind::Func);
  return ref == wi::Ref::Null ? wi::Func::Ptr() : store_.UnsafeGet<wi::Func>(ref);
}

Outcome InterpInstance::call(Guest& guest, const wi::Func::Ptr& f, wi::Values& results) {
  wi::Trap::Ptr trap;
  wi::RunResult r = guest.call(f, {}, results, &trap);
  if (r == wi::RunResult::Return) return {};
  if (r == wi::RunResult::Exception) return {Outcome::exception, {}};
  return {Outcome::trapped, trap ? trap->message() : std::string("unknown")};
}

wi::Ref InterpInstance::find_export(std::string_view name, wabt::ExternalKind kind) {
  const auto& types = m_.module->export_types();
  for (size_t i = 0; i < types.size(); i++)
    if (types[i].name == name && types[i].type->kind == kind) return inst_->exports()[i];
  return wi::Ref::Null;
}

namespace {

class InterpEngine final : public Engine {
 public:
  InterpEngine(wi::Store& store, const CheckedModule& m) : store_(store), m_(m) {}

  Outcome run_start(Guest& guest, BpfHost& bpf) override {
    inst_.emplace(store_, m_, guest);
    if (m_.go_convention) bpf.set_go_callback(inst_->func(EWASM_ABI_GO_CALLBACK));
    wi::Values results;
    return inst_->call(guest, inst_->func("_start"), results);
  }

 private:
  wi::Store& store_;
  const CheckedModule& m_;
  std::optional<InterpInstance> inst_;
};

}  // namespace

std::unique_ptr<Engine> make_interp_engine(wi::Store& store, const CheckedModule& m) {
  return std::make_unique<InterpEngine>(store, m);
}

}  // namespace ecc::wasmhost
