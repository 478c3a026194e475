#include "bpf_host.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "ecc/error.h"

namespace ecc::wasmhost {
namespace {

// The map commands of wasm_bpf_abi.h are libbpf's bpf_cmd numbers.
static_assert(int{EWASM_MAP_LOOKUP} == int{BPF_MAP_LOOKUP_ELEM} && int{EWASM_MAP_UPDATE} == int{BPF_MAP_UPDATE_ELEM} &&
              int{EWASM_MAP_DELETE} == int{BPF_MAP_DELETE_ELEM} && int{EWASM_MAP_NEXT_KEY} == int{BPF_MAP_GET_NEXT_KEY});

// The wasm type names of wasm_bpf_abi.h, and its (result, (params)) pairs
// as function types.
namespace abi_types {
const Type i32 = Type::I32, i64 = Type::I64;
}  // namespace abi_types
#define ECC_ABI_FUNC_TYPE(result, params) func_type({EWASM_ABI_UNPAREN params}, {result})

wi::FuncType sample_type() {
  using namespace abi_types;  // NOLINT
  return ECC_ABI_FUNC_TYPE(EWASM_ABI_SAMPLE_RESULT, EWASM_ABI_SAMPLE_PARAMS);
}

bool is_percpu(uint32_t type) {
  return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

int32_t arg_i32(const wi::Values& p, size_t i) { return p[i].Get<int32_t>(); }
int64_t arg_i64(const wi::Values& p, size_t i) { return p[i].Get<int64_t>(); }

Result ret_i32(wi::Values& r, int32_t v) {
  r[0] = wi::Value::Make(v);
  return Result::Ok;
}

}  // namespace

BpfHost::BpfHost(Guest& guest) : g_(guest), callback_type_(sample_type()) {}

BpfHost::~BpfHost() {
  // Objects still open when the run ends: if it was stopped, what they
  // still hold was never offered to the guest, and counts.
  bool stopped = g_.should_stop() || g_.halted() == Halt::stop;
  for (auto& [h, o] : objects_) destroy(*o, stopped);
}

runtime::Say BpfHost::say() {
  return [this](const std::string& line) { g_.write_out(2, line); };
}

BpfHost::Object* BpfHost::find(int64_t handle) {
  auto it = objects_.find(handle);
  return it == objects_.end() ? nullptr : it->second.get();
}

int64_t BpfHost::load(uint32_t ptr, uint32_t len) {
  const uint8_t* src = g_.ptr(ptr, len);
  if (!src || len == 0) return 0;
  auto o = std::make_unique<Object>(say());
  o->image.assign(src, src + len);
  if (!open_and_load(*o)) return 0;
  bpf_map* m;
  bpf_object__for_each_map(m, o->bpf.get()) {
    int fd = bpf_map__fd(m);
    if (fd < 0) continue;
    bpf_map_info info{};
    uint32_t info_len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd, &info, &info_len)) continue;
    uint32_t value_size = info.value_size;
    if (is_percpu(info.type))
      value_size = ((info.value_size + 7) / 8 * 8) * static_cast<uint32_t>(std::max(libbpf_num_possible_cpus(), 1));
    maps_[fd] = MapRef{o.get(), info.key_size, value_size, info.type};
    o->map_fds.push_back(fd);
  }
  int64_t handle = next_handle_++;
  objects_[handle] = std::move(o);
  return handle;
}

// The guest's object through the runtime: its bytes come from outside
// (guarded), ecc --btfgen's archive of the module when the kernel has no BTF.
bool BpfHost::open_and_load(Object& o) {
  runtime::OpenOptions oo;
  oo.btf_path = g_.opts().btf_path;
  oo.btf_archive = btf_archive_;
  oo.archive_file = "the module's " + std::string(kBtfArchiveSection);
  oo.guard_as = "the guest's object";
  oo.verbose = g_.opts().verbose;
  oo.check = g_.opts().load_check;
  LibbpfLog log;
  std::optional<runtime::LoadFailure> f;
  try {
    f = o.bpf.open(o.image.data(), o.image.size(), oo, log);
  } catch (const Error& e) {
    g_.write_out(2, "wasm_load_bpf_object: " + e.line() + "\n");
    return false;
  }
  if (!f) f = o.bpf.load(log);
  if (!f) return true;
  std::string msg = "wasm_load_bpf_object: ";
  if (!f->reason.empty()) msg += f->reason + "\n";
  else msg += std::string(f->opened ? "load" : "open") + " failed: " + runtime::errno_text(f->err) + "\n";
  if (!f->tail.empty()) msg += "libbpf output (last 20 lines):\n" + f->tail;
  g_.write_out(2, msg);
  return false;
}

// A tc program's target is "IFNAME", "IFNAME:ingress" or "IFNAME:egress"
// (ingress when not said): the same attachment as ecli's loader makes (a
// tcx link when the kernel has them, gone with the process).
int32_t BpfHost::attach(int64_t handle, uint32_t name_ptr, uint32_t target_ptr) {
  Object* o = find(handle);
  if (!o) return -EBADF;
  auto name = g_.cstr(name_ptr);
  std::optional<std::string_view> target = std::string_view();
  if (target_ptr) target = g_.cstr(target_ptr);
  if (!name || !target) return -EFAULT;
  bpf_program* prog = bpf_object__find_program_by_name(o->bpf.get(), std::string(*name).c_str());
  if (!prog) return -ENOENT;
  runtime::AttachFailure f;
  int32_t err = o->bpf.attach_to(prog, std::string(*target), g_.opts().verbose, &f);
  if (err && !f.lacks.empty())
    g_.write_out(2, "wasm_attach_bpf_program: " + f.lacks + "\n");
  else if (err && bpf_program__type(prog) == BPF_PROG_TYPE_SCHED_CLS && !f.message.empty())
    g_.write_out(2, "wasm_attach_bpf_program: " + f.message + "\n");
  return err;
}

int32_t BpfHost::map_fd_by_name(int64_t handle, uint32_t name_ptr) {
  Object* o = find(handle);
  if (!o) return -EBADF;
  auto name = g_.cstr(name_ptr);
  if (!name) return -EFAULT;
  bpf_map* m = bpf_object__find_map_by_name(o->bpf.get(), std::string(*name).c_str());
  if (!m) return -ENOENT;
  return bpf_map__fd(m);
}

int32_t BpfHost::map_operate(int32_t fd, int32_t cmd, uint32_t key_ptr, uint32_t value_ptr, uint32_t next_key_ptr,
                             uint64_t flags) {
  auto it = maps_.find(fd);
  if (it == maps_.end()) return -EBADF;
  const MapRef& m = it->second;
  // A zero pointer is "none" only where the kernel allows none: no key for
  // key-less maps (queue, stack), no current key for the first next-key.
  auto need = [&](uint32_t ptr, uint32_t size, bool optional, void** out) {
    *out = nullptr;
    if (size == 0 || (optional && ptr == 0)) return true;
    *out = g_.ptr(ptr, size);
    return ptr != 0 && *out != nullptr;
  };
  void *key, *value, *next;
  switch (cmd) {
    case EWASM_MAP_LOOKUP:
      if (!need(key_ptr, m.key_size, false, &key) || !need(value_ptr, m.value_size, false, &value)) return -EFAULT;
      return bpf_map_lookup_elem_flags(fd, key, value, flags);
    case EWASM_MAP_UPDATE:
      if (!need(key_ptr, m.key_size, false, &key) || !need(value_ptr, m.value_size, false, &value)) return -EFAULT;
      return bpf_map_update_elem(fd, key, value, flags);
    case EWASM_MAP_DELETE:
      if (!need(key_ptr, m.key_size, false, &key)) return -EFAULT;
      return bpf_map_delete_elem(fd, key);
    case EWASM_MAP_NEXT_KEY:
      if (!need(key_ptr, m.key_size, true, &key) || !need(next_key_ptr, m.key_size, false, &next)) return -EFAULT;
      return bpf_map_get_next_key(fd, key, next);
    default:
      return -EINVAL;
  }
}

int BpfHost::reader_for(Object& o, int map_fd, Reader** out) {
  auto it = o.readers.find(map_fd);
  if (it == o.readers.end()) {
    uint32_t type = maps_.at(map_fd).type;
    if (type != BPF_MAP_TYPE_RINGBUF && type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) return -EINVAL;
    bpf_map *m, *found = nullptr;
    bpf_object__for_each_map(m, o.bpf.get()) {
      if (bpf_map__fd(m) == map_fd) found = m;
    }
    auto r = std::make_unique<Reader>(this, found ? bpf_map__name(found) : std::to_string(map_fd), say());
    if (int err = r->events.open(map_fd, type == BPF_MAP_TYPE_RINGBUF, on_record, r.get())) return err;
    it = o.readers.emplace(map_fd, std::move(r)).first;
  }
  *out = it->second.get();
  return 0;
}

int BpfHost::on_record(void* reader, const void* data, size_t size) {
  return static_cast<Reader*>(reader)->host->deliver(data, size);
}

// One record: copied straight into the guest's buffer, then the guest's
// callback runs. No allocation on this path.
int BpfHost::deliver(const void* data, size_t size) {
  Round& r = round_;
  // libbpf has consumed this record: when it is not handed over, it counts.
  if (r.halted) return r.reader->events.count_unread(), -1;
  // A slow guest may have a long backlog in one round: -d and SIGINT must not
  // wait for all of it. Looked at every 16th record: the clock took a few
  // percent of a fast AOT guest's time asked per record, and a guest slow
  // enough for 16 records to matter is stopped inside its callback anyway
  // (the interpreter's slices, the AOT engine's watchdog).
  if ((++r.delivered & 15) == 0 && g_.should_stop()) {
    r.halted = true;
    g_.halt(Halt::stop, &r.trap);
    return r.reader->events.count_unread(), -1;
  }
  uint32_t n = static_cast<uint32_t>(std::min<size_t>(size, r.max_size));
  std::memcpy(g_.ptr(r.data_ptr, r.max_size), data, n);
  r.params[0] = wi::Value::Make(r.ctx);
  r.params[1] = wi::Value::Make(r.data_ptr);
  r.params[2] = wi::Value::Make(n);
  if (g_.call(r.func, r.params, r.results, &r.trap) != wi::RunResult::Return) {
    r.halted = true;
    return -1;
  }
  int32_t ret = r.results[0].Get<int32_t>();
  if (ret != 0 && !r.stopped) {
    r.stopped = true;
    r.stopped_with = ret;
  }
  // The ring buffer stops its round on a negative return; a perf buffer's
  // callback cannot stop it, so the remaining records of that round still
  // reach the guest (none is lost).
  return ret != 0 ? -1 : 0;
}

int32_t BpfHost::poll(int64_t handle, int32_t map_fd, const wi::Func::Ptr& callback, uint32_t ctx, uint32_t data,
                      uint32_t max, int32_t timeout_ms, wi::Trap::Ptr* trap, bool* halt) {
  *halt = false;
  Object* o = find(handle);
  if (!o) return -EBADF;
  auto m = maps_.find(map_fd);
  if (m == maps_.end() || m->second.owner != o) return -EBADF;
  if (max == 0 || !g_.ptr(data, max)) return -EFAULT;
  if (!callback) return -EINVAL;
  if (polling_) return -EBUSY;  // a callback polling again
  Reader* reader;
  if (int err = reader_for(*o, map_fd, &reader)) return err;

  round_.func = callback;
  round_.ctx = ctx;
  round_.data_ptr = data;
  round_.max_size = max;
  round_.reader = reader;
  round_.stopped = round_.halted = false;
  round_.stopped_with = 0;
  polling_ = o;
  using namespace std::chrono;
  auto until = timeout_ms < 0 ? steady_clock::time_point::max() : steady_clock::now() + milliseconds(timeout_ms);
  int32_t result = poll_rounds(*reader, until, trap, halt);
  polling_ = nullptr;
  round_.func.reset();
  round_.trap.reset();
  return result;
}

int32_t BpfHost::poll_rounds(Reader& reader, std::chrono::steady_clock::time_point until, wi::Trap::Ptr* trap,
                             bool* halt) {
  using namespace std::chrono;
  for (;;) {
    // Short waits, so that stop and the deadline are seen while blocked.
    auto left = until == steady_clock::time_point::max() ? milliseconds(50)
                                                         : duration_cast<milliseconds>(until - steady_clock::now());
    int wait = static_cast<int>(g_.wait_budget(std::clamp(left, milliseconds(0), milliseconds(50))).count());
    int n = reader.events.poll(wait, runtime::EventReader::budget());
    // One write a batch of rounds while records keep coming (runtime.h).
    if (out_pace_.due(!reader.events.busy())) g_.flush_out();
    if (round_.halted) {
      *halt = true;
      *trap = round_.trap;
      return 0;
    }
    if (round_.stopped) return round_.stopped_with < 0 ? round_.stopped_with : 0;
    if (reader.events.yielded()) return 0;  // records were handed over
    if (n < 0 && n != -EINTR) return n;
    if (n > 0) return 0;
    if (g_.should_stop()) {
      *halt = true;
      g_.halt(Halt::stop, trap);
      return 0;
    }
    if (steady_clock::now() >= until) return 0;
  }
}

void BpfHost::destroy(Object& o, bool count_unread) {
  // Detached first, so that what is left in the buffers can be counted. (A
  // guest that closes its object leaves the rest unread by its own choice.)
  o.bpf.detach();
  for (auto& [fd, r] : o.readers) {
    if (count_unread) r->events.discard_rest();
    r->events.report();
  }
  o.readers.clear();
  for (int fd : o.map_fds) maps_.erase(fd);
  o.map_fds.clear();
  o.bpf.close();
}

int32_t BpfHost::close(int64_t handle) {
  Object* o = find(handle);
  if (!o) return -EBADF;
  if (polling_ == o) return -EBUSY;  // closed from inside its own callback
  destroy(*o, false);
  objects_.erase(handle);
  return 0;
}

// The imports of wasm_bpf_abi.h, one member function each.

Result BpfHost::wasm_load_bpf_object(const wi::Values& p, wi::Values& r, wi::Trap::Ptr*) {
  r[0] = wi::Value::Make(load(arg_u32(p, 0), arg_u32(p, 1)));
  return Result::Ok;
}

Result BpfHost::wasm_attach_bpf_program(const wi::Values& p, wi::Values& r, wi::Trap::Ptr*) {
  return ret_i32(r, attach(arg_i64(p, 0), arg_u32(p, 1), arg_u32(p, 2)));
}

Result BpfHost::wasm_bpf_buffer_poll(const wi::Values& p, wi::Values& r, wi::Trap::Ptr* trap) {
  return poll_call(g_.table_func(arg_u32(p, 2), callback_type_), "", p, 3, r, trap);
}

Result BpfHost::wasm_bpf_map_fd_by_name(const wi::Values& p, wi::Values& r, wi::Trap::Ptr*) {
  return ret_i32(r, map_fd_by_name(arg_i64(p, 0), arg_u32(p, 1)));
}

Result BpfHost::wasm_bpf_map_operate(const wi::Values& p, wi::Values& r, wi::Trap::Ptr*) {
  return ret_i32(r, map_operate(arg_i32(p, 0), arg_i32(p, 1), arg_u32(p, 2), arg_u32(p, 3), arg_u32(p, 4),
                                p[5].Get<uint64_t>()));
}

Result BpfHost::wasm_close_bpf_object(const wi::Values& p, wi::Values& r, wi::Trap::Ptr*) {
  return ret_i32(r, close(arg_i64(p, 0)));
}

// p = (handle, map_fd, [sample_func,] ctx, data, max_size, timeout_ms) with
// ctx at p[ctx_at].
Result BpfHost::poll_call(const wi::Func::Ptr& callback, const char* where, const wi::Values& p, size_t ctx_at,
                          wi::Values& r, wi::Trap::Ptr* trap) {
  bool halt = false;
  round_.where = where;
  int32_t v = poll(arg_i64(p, 0), arg_i32(p, 1), callback, arg_u32(p, ctx_at), arg_u32(p, ctx_at + 1),
                   arg_u32(p, ctx_at + 2), arg_i32(p, ctx_at + 3), trap, &halt);
  if (halt) {
    // A trap in the callback or a stop: end the run with that reason.
    if (g_.halted() == Halt::none)
      return g_.halt(Halt::trap, trap,
                     std::string("in the event callback") + where + ": " + (*trap ? (*trap)->message() : std::string()));
    return g_.halt(g_.halted(), trap);
  }
  return ret_i32(r, v);
}

HostFuncs BpfHost::funcs() {
  using namespace abi_types;  // NOLINT
  wi::Store& s = g_.store();
  HostFuncs f;
#define ECC_BPF_HOST_BIND(name, wasm_result, wasm_params, c_result, c_params)                       \
  f[#name] = wi::HostFunc::New(s, ECC_ABI_FUNC_TYPE(wasm_result, wasm_params),                         \
                               [this](wi::Thread&, const wi::Values& p, wi::Values& r, wi::Trap::Ptr* t) { \
                                 return name(p, r, t);                                                \
                               });
  EWASM_ABI_IMPORTS(ECC_BPF_HOST_BIND)
#undef ECC_BPF_HOST_BIND
  return f;
}

std::vector<wi::FuncType> BpfHost::go_poll_types() {
  using namespace abi_types;  // NOLINT
  std::vector<wi::FuncType> types{ECC_ABI_FUNC_TYPE(EWASM_ABI_GO_POLL_RESULT, EWASM_ABI_GO_POLL_PARAMS)};
#define ECC_BPF_HOST_POLL_TYPE(name, wasm_result, wasm_params, c_result, c_params) \
  if (std::string_view(#name) == "wasm_bpf_buffer_poll") types.push_back(ECC_ABI_FUNC_TYPE(wasm_result, wasm_params));
  EWASM_ABI_IMPORTS(ECC_BPF_HOST_POLL_TYPE)
#undef ECC_BPF_HOST_POLL_TYPE
  return types;
}

wi::HostFunc::Ptr BpfHost::go_poll(const wi::FuncType& want) {
  std::vector<wi::FuncType> types = go_poll_types();
  for (size_t form = 0; form < types.size(); form++) {
    if (types[form].params != want.params || types[form].results != want.results) continue;
    size_t ctx_at = form == 0 ? 2 : 3;  // the wasm_bpf form has sample_func before ctx
    return wi::HostFunc::New(g_.store(), types[form],
                             [this, ctx_at](wi::Thread&, const wi::Values& p, wi::Values& r, wi::Trap::Ptr* t) {
                               return poll_call(go_callback_, " " EWASM_ABI_GO_CALLBACK, p, ctx_at, r, t);
                             });
  }
  return {};
}

}  // namespace ecc::wasmhost
