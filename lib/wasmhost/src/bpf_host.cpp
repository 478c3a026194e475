#include "bpf_host.h"

#include <bpf/bpf.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "ecc/libbpf_log.h"
#include "ecc/btf_archive.h"
#include "ecc/kernel_support.h"
#include "ecc/error.h"
#include "ecc/open_guard.h"
#include "ecc/tc_attach.h"

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

// A target string for a program that attaches by section otherwise.
bpf_link* attach_to(bpf_program* prog, const std::string& target) {
  std::string_view sec = bpf_program__section_name(prog);
  switch (bpf_program__type(prog)) {
    case BPF_PROG_TYPE_KPROBE:
      return bpf_program__attach_kprobe(prog, sec.rfind("kretprobe", 0) == 0, target.c_str());
    case BPF_PROG_TYPE_TRACEPOINT: {
      // "category:name" or "category/name"
      size_t cut = target.find_first_of(":/");
      if (cut == std::string::npos) return errno = EINVAL, nullptr;
      return bpf_program__attach_tracepoint(prog, target.substr(0, cut).c_str(), target.substr(cut + 1).c_str());
    }
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
      return bpf_program__attach_raw_tracepoint(prog, target.c_str());
    case BPF_PROG_TYPE_XDP: {
      unsigned ifindex = if_nametoindex(target.c_str());
      if (!ifindex) return errno = ENODEV, nullptr;
      return bpf_program__attach_xdp(prog, static_cast<int>(ifindex));
    }
    default:
      return errno = EOPNOTSUPP, nullptr;
  }
}

int32_t arg_i32(const wi::Values& p, size_t i) { return p[i].Get<int32_t>(); }
uint32_t arg_u32(const wi::Values& p, size_t i) { return p[i].Get<uint32_t>(); }
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

BpfHost::Object* BpfHost::find(int64_t handle) {
  auto it = objects_.find(handle);
  return it == objects_.end() ? nullptr : it->second.get();
}

int64_t BpfHost::load(uint32_t ptr, uint32_t len) {
  const uint8_t* src = g_.ptr(ptr, len);
  if (!src || len == 0) return 0;
  auto o = std::make_unique<Object>();
  o->image.assign(src, src + len);

  const std::string& btf_path = g_.opts().btf_path;
  if (!btf_path.empty() && ::access(btf_path.c_str(), R_OK) != 0) {
    g_.write_out(2, "wasm_load_bpf_object: cannot read the kernel BTF " + btf_path + " (--btf): " +
                        std::strerror(errno) + "\n");
    return 0;
  }
  // The guest's bytes come from outside: a damaged ELF must not crash us in libbpf.
  try {
    check_libbpf_survives_open(o->image.data(), o->image.size(), "the guest's object");
  } catch (const Error& e) {
    g_.write_out(2, std::string("wasm_load_bpf_object: ") + e.what() + "\n");
    return 0;
  }
  bpf_object_open_opts oo{};
  oo.sz = sizeof oo;
  if (!btf_path.empty()) oo.btf_custom_path = btf_path.c_str();
  // ecc --btfgen (SPEC §14): this kernel's entry of the module's archive when the kernel has no BTF.
  EmbeddedBtf embedded;
  if (btf_path.empty() && !btf_archive_.empty()) {
    try {
      if (!kernel_has_btf()) embedded = choose_embedded_btf(btf_archive_, "the module's " + std::string(kBtfArchiveSection));
    } catch (const Error& e) {
      g_.write_out(2, "wasm_load_bpf_object: " + e.line() + "\n");
      return 0;
    }
    if (!embedded.empty()) oo.btf_custom_path = embedded.path().c_str();
    if (g_.opts().verbose)
      g_.write_out(2, std::string("ecli: btf_archive: ") +
                          (embedded.empty() ? "not used, the kernel has its own BTF"
                                            : "using the embedded BTF of " + embedded.entry()) +
                          "\n");
  }
  LibbpfLog log;
  o->obj = bpf_object__open_mem(o->image.data(), o->image.size(), &oo);
  int err = o->obj ? bpf_object__load(o->obj) : -errno;
  if (err) {
    // libbpf's own words first: the diagnosis below may call libbpf too.
    std::string tail = log.tail(20);
    std::string lacks = o->obj ? kernel_lacks_for_load(o->obj, log.text(), oo.btf_custom_path != nullptr) : std::string();
    std::string msg = "wasm_load_bpf_object: ";
    if (!lacks.empty()) msg += lacks + "\n";
    else msg += std::string(o->obj ? "load" : "open") + " failed: " + std::strerror(err < 0 ? -err : err) + "\n";
    if (!tail.empty()) msg += "libbpf output (last 20 lines):\n" + tail;
    g_.write_out(2, msg);
    bpf_object__close(o->obj);
    return 0;
  }

  bpf_map* m;
  bpf_object__for_each_map(m, o->obj) {
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

int32_t BpfHost::attach(int64_t handle, uint32_t name_ptr, uint32_t target_ptr) {
  Object* o = find(handle);
  if (!o) return -EBADF;
  auto name = g_.cstr(name_ptr);
  std::optional<std::string_view> target = std::string_view();
  if (target_ptr) target = g_.cstr(target_ptr);
  if (!name || !target) return -EFAULT;
  bpf_program* prog = bpf_object__find_program_by_name(o->obj, std::string(*name).c_str());
  if (!prog) return -ENOENT;
  if (bpf_program__type(prog) == BPF_PROG_TYPE_SCHED_CLS) return attach_tc(*o, prog, std::string(*target));
  bpf_link* link = target->empty() ? bpf_program__attach(prog) : attach_to(prog, std::string(*target));
  if (!link) {
    int err = errno ? errno : EINVAL;
    std::string lacks = kernel_lacks_for_program(prog);
    if (!lacks.empty()) g_.write_out(2, "wasm_attach_bpf_program: " + lacks + "\n");
    return -err;
  }
  o->links.push_back(link);
  return 0;
}

// A tc program's target is "IFNAME", "IFNAME:ingress" or "IFNAME:egress"
// (ingress when not said): the same attachment as ecli's loader makes (a
// tcx link when the kernel has them, gone with the process).
int32_t BpfHost::attach_tc(Object& o, bpf_program* prog, const std::string& target) {
  size_t colon = target.rfind(':');
  std::string ifname = target.substr(0, colon), dir = colon == std::string::npos ? "" : target.substr(colon + 1);
  TcTarget t;
  t.egress = dir == "egress";
  if (!dir.empty() && dir != "egress" && dir != "ingress") return -EINVAL;
  t.ifindex = ifname.empty() ? 0 : static_cast<int>(if_nametoindex(ifname.c_str()));
  if (t.ifindex <= 0) {
    g_.write_out(2, "wasm_attach_bpf_program: tc program '" + std::string(bpf_program__name(prog)) +
                        "' needs an interface as its target (IFNAME[:ingress|:egress]), not '" + target + "'\n");
    return -ENODEV;
  }
  std::string failed, how;
  TcAttachment a;
  if (int err = a.attach(bpf_program__fd(prog), t, &failed, &how)) {
    g_.write_out(2, "wasm_attach_bpf_program: cannot attach tc program '" + std::string(bpf_program__name(prog)) +
                        "' (" + failed + "): " + std::strerror(-err) + "\n");
    return err;
  }
  if (g_.opts().verbose)
    g_.write_out(2, "ecli: tc program '" + std::string(bpf_program__name(prog)) + "': " + how + "\n");
  o.tc.push_back(std::move(a));
  return 0;
}

int32_t BpfHost::map_fd_by_name(int64_t handle, uint32_t name_ptr) {
  Object* o = find(handle);
  if (!o) return -EBADF;
  auto name = g_.cstr(name_ptr);
  if (!name) return -EFAULT;
  bpf_map* m = bpf_object__find_map_by_name(o->obj, std::string(*name).c_str());
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
    // The callbacks get the reader itself: built in place (the map's nodes
    // do not move), dropped again when libbpf refuses.
    it = o.readers.emplace(map_fd, Reader{}).first;
    Reader& r = it->second;
    r.host = this;
    bpf_map *m, *found = nullptr;
    bpf_object__for_each_map(m, o.obj) {
      if (bpf_map__fd(m) == map_fd) found = m;
    }
    r.map = found ? bpf_map__name(found) : std::to_string(map_fd);
    if (type == BPF_MAP_TYPE_RINGBUF)
      r.ring = ring_buffer__new(map_fd, on_ring, &r, nullptr);
    else
      r.perf = perf_buffer__new(map_fd, 64, on_perf, on_perf_lost, &r, nullptr);
    if (!r.ring && !r.perf) {
      int err = -errno;
      o.readers.erase(it);
      return err;
    }
  }
  *out = &it->second;
  return 0;
}

int BpfHost::on_ring(void* reader, void* data, size_t size) {
  Reader& r = *static_cast<Reader*>(reader);
  if (r.host->counting_unread_) return ++r.unread, 0;
  return r.host->deliver(data, size);
}

void BpfHost::on_perf(void* reader, int, void* data, uint32_t size) {
  Reader& r = *static_cast<Reader*>(reader);
  if (r.host->counting_unread_) {
    ++r.unread;
    return;
  }
  r.host->deliver(data, size);
}

void BpfHost::on_perf_lost(void* reader, int cpu, __u64 count) {
  Reader& r = *static_cast<Reader*>(reader);
  r.lost += count;
  r.host->g_.write_out(2, "ecli: lost " + std::to_string(count) + " events of '" + r.map + "' on CPU " +
                              std::to_string(cpu) + "\n");
}

// One record: copied straight into the guest's buffer, then the guest's
// callback runs. No allocation on this path.
int BpfHost::deliver(const void* data, size_t size) {
  Round& r = round_;
  // libbpf has consumed this record: when it is not handed over, it counts.
  if (r.halted) return ++r.reader->unread, -1;
  // A slow guest may have a long backlog in one round: -d and SIGINT must not
  // wait for all of it.
  if (g_.should_stop()) {
    r.halted = true;
    g_.halt(Halt::stop, &r.trap);
    return ++r.reader->unread, -1;
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
  if (ret != 0) return -1;
  using namespace std::chrono;
  if (r.reader->ring && (++r.count & 255) == 0 && steady_clock::now() - r.started > milliseconds(50)) {
    r.yielded = true;
    return -1;
  }
  return 0;
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
  int32_t result = 0;
  for (;;) {
    // Short waits, so that stop and the deadline are seen while blocked.
    auto left = until == steady_clock::time_point::max() ? milliseconds(50)
                                                         : duration_cast<milliseconds>(until - steady_clock::now());
    int wait = static_cast<int>(g_.wait_budget(std::clamp(left, milliseconds(0), milliseconds(50))).count());
    round_.yielded = false;
    round_.count = 0;
    round_.started = steady_clock::now();
    int n = reader->ring ? ring_buffer__poll(reader->ring, wait) : perf_buffer__poll(reader->perf, wait);
    g_.flush_out();
    if (round_.halted) {
      *halt = true;
      *trap = round_.trap;
      break;
    }
    if (round_.stopped) {
      result = round_.stopped_with < 0 ? round_.stopped_with : 0;
      break;
    }
    if (round_.yielded) break;  // records were handed over
    if (n < 0 && n != -EINTR) {
      result = n;
      break;
    }
    if (n > 0) break;
    if (g_.should_stop()) {
      *halt = true;
      g_.halt(Halt::stop, trap);
      break;
    }
    if (steady_clock::now() >= until) break;
  }
  polling_ = nullptr;
  round_.func.reset();
  round_.trap.reset();
  return result;
}

void BpfHost::destroy(Object& o, bool count_unread) {
  // Detached first, so that what is left in the buffers can be counted. (A
  // guest that closes its object leaves the rest unread by its own choice.)
  o.tc.clear();
  for (bpf_link* l : o.links) bpf_link__destroy(l);
  o.links.clear();
  for (auto& [fd, r] : o.readers) {
    if (count_unread) {
      counting_unread_ = true;
      if (r.ring) ring_buffer__consume(r.ring);
      if (r.perf) perf_buffer__consume(r.perf);
      counting_unread_ = false;
    }
    if (r.lost)
      g_.write_out(2, "ecli: " + std::to_string(r.lost) + " events of '" + r.map +
                          "' were lost (the perf buffer overflowed)\n");
    if (r.unread)
      g_.write_out(2, "ecli: " + std::to_string(r.unread) + " events of '" + r.map +
                          "' were not read before the object closed\n");
    ring_buffer__free(r.ring);
    perf_buffer__free(r.perf);
  }
  o.readers.clear();
  for (int fd : o.map_fds) maps_.erase(fd);
  o.map_fds.clear();
  bpf_object__close(o.obj);
  o.obj = nullptr;
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
