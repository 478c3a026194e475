// The fake BPF backend of wasm_fuzz: the libbpf functions that lib/runtime
// and lib/wasmhost's BpfHost call (ecc/libbpf_calls.h), defined here so that the fuzz binary's definitions win over
// libbpf.so's (the host library is linked statically into the target). No
// kernel object is ever created: every opened "object" has the same few maps
// (hash, per-CPU array, ring buffer, perf event array) kept in memory, every
// program name exists and attaches, and a poll delivers two records. Sizes
// are what a real map would have, so a host bounds mistake is an ASan report.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ecc/libbpf_calls.h"

// Each fake is marked: the list at the end checks that every libbpf call of
// the runtime and the Wasm host (ecc/libbpf_calls.h) has one.
#define FAKED(name) \
  namespace faked { \
  [[maybe_unused]] constexpr bool name = true; \
  }

namespace {

struct FakeMap {
  const char* name;
  bpf_map_type type;
  uint32_t key_size, value_size, max_entries;
  int fd;
  std::map<std::vector<uint8_t>, std::vector<uint8_t>> entries;
};

// The per-CPU maps' values as the syscall copies them: one 8-byte aligned slot per CPU.
uint32_t copied_value_size(const FakeMap& m) {
  if (m.type != BPF_MAP_TYPE_PERCPU_ARRAY) return m.value_size;
  return (m.value_size + 7) / 8 * 8 * static_cast<uint32_t>(std::max(libbpf_num_possible_cpus(), 1));
}

}  // namespace

struct bpf_map : FakeMap {};
struct bpf_program {
  std::string name;
};
struct bpf_object {
  std::vector<std::unique_ptr<bpf_map>> maps;
  std::vector<std::unique_ptr<bpf_program>> progs;
};
struct bpf_link {
  int unused;
};
struct ring_buffer {
  ring_buffer_sample_fn fn;
  void* ctx;
};
struct perf_buffer {
  perf_buffer_sample_fn fn;
  void* ctx;
};

namespace {

int g_next_fd = 100000;  // never one of the process's descriptors
std::map<int, bpf_map*> g_maps;

bpf_map* map_of(int fd) {
  auto it = g_maps.find(fd);
  return it == g_maps.end() ? nullptr : it->second;
}

int fail(int e) {
  errno = e;
  return -e;
}

}  // namespace

extern "C" {

bpf_object* bpf_object__open_mem(const void*, size_t size, const bpf_object_open_opts*) {
  if (size < 4) return errno = EINVAL, nullptr;
  auto* o = new bpf_object;
  const FakeMap shapes[] = {
      {"counts", BPF_MAP_TYPE_HASH, 4, 8, 64, 0, {}},
      {"percpu", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 4, 0, {}},
      {"events", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, {}},
      {"rb", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, {}},
      {"pb", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0, 0, {}},
  };
  for (const FakeMap& s : shapes) {
    auto m = std::make_unique<bpf_map>();
    static_cast<FakeMap&>(*m) = s;
    o->maps.push_back(std::move(m));
  }
  return o;
}
FAKED(bpf_object__open_mem)

int bpf_object__load(bpf_object* o) {
  for (auto& m : o->maps) {
    m->fd = g_next_fd++;
    g_maps[m->fd] = m.get();
  }
  return 0;
}
FAKED(bpf_object__load)

void bpf_object__close(bpf_object* o) {
  if (!o) return;
  for (auto& m : o->maps) g_maps.erase(m->fd);
  delete o;
}
FAKED(bpf_object__close)

bpf_map* bpf_object__next_map(const bpf_object* o, const bpf_map* m) {
  if (o->maps.empty()) return nullptr;
  if (!m) return o->maps.front().get();
  for (size_t i = 0; i + 1 < o->maps.size(); i++)
    if (o->maps[i].get() == m) return o->maps[i + 1].get();
  return nullptr;
}
FAKED(bpf_object__next_map)

bpf_map* bpf_object__find_map_by_name(const bpf_object* o, const char* name) {
  for (auto& m : o->maps)
    if (std::strcmp(m->name, name) == 0) return m.get();
  return errno = ENOENT, nullptr;
}
FAKED(bpf_object__find_map_by_name)

int bpf_map__fd(const bpf_map* m) { return m ? m->fd : -EINVAL; }
FAKED(bpf_map__fd)
const char* bpf_map__name(const bpf_map* m) { return m ? m->name : nullptr; }
FAKED(bpf_map__name)

int bpf_obj_get_info_by_fd(int fd, void* info, __u32* len) {
  bpf_map* m = map_of(fd);
  if (!m || *len < sizeof(bpf_map_info)) return fail(EINVAL);
  auto* i = static_cast<bpf_map_info*>(info);
  std::memset(i, 0, sizeof *i);
  i->type = m->type;
  i->key_size = m->key_size;
  i->value_size = m->value_size;
  i->max_entries = m->max_entries;
  std::strncpy(i->name, m->name, sizeof i->name - 1);
  return 0;
}
FAKED(bpf_obj_get_info_by_fd)

bpf_program* bpf_object__find_program_by_name(const bpf_object* o, const char* name) {
  auto* self = const_cast<bpf_object*>(o);
  for (auto& p : self->progs)
    if (p->name == name) return p.get();
  self->progs.push_back(std::make_unique<bpf_program>(bpf_program{name}));
  return self->progs.back().get();
}
FAKED(bpf_object__find_program_by_name)

// The program's type from its name, so that every attach path is taken.
bpf_prog_type bpf_program__type(const bpf_program* p) {
  switch (p->name.size() % 5) {
    case 0: return BPF_PROG_TYPE_KPROBE;
    case 1: return BPF_PROG_TYPE_TRACEPOINT;
    case 2: return BPF_PROG_TYPE_RAW_TRACEPOINT;
    case 3: return BPF_PROG_TYPE_XDP;
    default: return BPF_PROG_TYPE_SCHED_CLS;
  }
}
FAKED(bpf_program__type)

const char* bpf_program__name(const bpf_program* p) { return p->name.c_str(); }
FAKED(bpf_program__name)
// No program has a descriptor: a tc attach fails with EBADF in the tcx
// syscall, and the netlink fallback below is refused, so nothing reaches a
// real interface.
int bpf_program__fd(const bpf_program*) { return -EBADF; }
FAKED(bpf_program__fd)
int bpf_tc_hook_create(bpf_tc_hook*) { return -EOPNOTSUPP; }
FAKED(bpf_tc_hook_create)
int bpf_tc_hook_destroy(bpf_tc_hook*) { return -EOPNOTSUPP; }
FAKED(bpf_tc_hook_destroy)
int bpf_tc_attach(const bpf_tc_hook*, bpf_tc_opts*) { return -EOPNOTSUPP; }
FAKED(bpf_tc_attach)
int bpf_tc_detach(const bpf_tc_hook*, const bpf_tc_opts*) { return -EOPNOTSUPP; }
FAKED(bpf_tc_detach)

const char* bpf_program__section_name(const bpf_program* p) { return p->name.size() % 2 ? "kretprobe/x" : "tp/x/y"; }
FAKED(bpf_program__section_name)

bpf_link* bpf_program__attach(const bpf_program*) { return new bpf_link{}; }
FAKED(bpf_program__attach)
bpf_link* bpf_program__attach_kprobe(const bpf_program*, bool, const char* fn) {
  return std::strlen(fn) ? new bpf_link{} : (errno = EINVAL, nullptr);
}
FAKED(bpf_program__attach_kprobe)
bpf_link* bpf_program__attach_tracepoint(const bpf_program*, const char* cat, const char* name) {
  return std::strlen(cat) && std::strlen(name) ? new bpf_link{} : (errno = EINVAL, nullptr);
}
FAKED(bpf_program__attach_tracepoint)
bpf_link* bpf_program__attach_raw_tracepoint(const bpf_program*, const char* name) {
  return std::strlen(name) ? new bpf_link{} : (errno = EINVAL, nullptr);
}
FAKED(bpf_program__attach_raw_tracepoint)
bpf_link* bpf_program__attach_xdp(const bpf_program*, int ifindex) {
  return ifindex > 0 ? new bpf_link{} : (errno = EINVAL, nullptr);
}
FAKED(bpf_program__attach_xdp)
int bpf_link__destroy(bpf_link* l) {
  delete l;
  return 0;
}
FAKED(bpf_link__destroy)
// Iterators: no program of a fuzzed module is one; refused as the kernel would.
bpf_link* bpf_program__attach_iter(const bpf_program*, const bpf_iter_attach_opts*) { return errno = EINVAL, nullptr; }
FAKED(bpf_program__attach_iter)
int bpf_link__fd(const bpf_link*) { return -1; }
FAKED(bpf_link__fd)
int bpf_iter_create(int) { return errno = EBADF, -1; }
FAKED(bpf_iter_create)

int bpf_map_lookup_elem_flags(int fd, const void* key, void* value, __u64) {
  bpf_map* m = map_of(fd);
  if (!m) return fail(EBADF);
  std::vector<uint8_t> k(static_cast<const uint8_t*>(key), static_cast<const uint8_t*>(key) + m->key_size);
  auto it = m->entries.find(k);
  if (it == m->entries.end()) {
    if (m->type != BPF_MAP_TYPE_PERCPU_ARRAY) return fail(ENOENT);
    std::memset(value, 0, copied_value_size(*m));
    return 0;
  }
  std::memcpy(value, it->second.data(), it->second.size());
  return 0;
}
FAKED(bpf_map_lookup_elem_flags)

int bpf_map_update_elem(int fd, const void* key, const void* value, __u64) {
  bpf_map* m = map_of(fd);
  if (!m) return fail(EBADF);
  if (m->type == BPF_MAP_TYPE_RINGBUF || m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) return fail(EINVAL);
  std::vector<uint8_t> k(static_cast<const uint8_t*>(key), static_cast<const uint8_t*>(key) + m->key_size);
  if (!m->entries.count(k) && m->entries.size() >= m->max_entries) return fail(E2BIG);
  const auto* v = static_cast<const uint8_t*>(value);
  m->entries[k].assign(v, v + copied_value_size(*m));
  return 0;
}
FAKED(bpf_map_update_elem)

int bpf_map_delete_elem(int fd, const void* key) {
  bpf_map* m = map_of(fd);
  if (!m) return fail(EBADF);
  std::vector<uint8_t> k(static_cast<const uint8_t*>(key), static_cast<const uint8_t*>(key) + m->key_size);
  return m->entries.erase(k) ? 0 : fail(ENOENT);
}
FAKED(bpf_map_delete_elem)

int bpf_map_get_next_key(int fd, const void* key, void* next) {
  bpf_map* m = map_of(fd);
  if (!m) return fail(EBADF);
  auto it = m->entries.begin();
  if (key) {
    std::vector<uint8_t> k(static_cast<const uint8_t*>(key), static_cast<const uint8_t*>(key) + m->key_size);
    it = m->entries.upper_bound(k);
  }
  if (it == m->entries.end()) return fail(ENOENT);
  std::memcpy(next, it->first.data(), m->key_size);
  return 0;
}
FAKED(bpf_map_get_next_key)

ring_buffer* ring_buffer__new(int fd, ring_buffer_sample_fn fn, void* ctx, const ring_buffer_opts*) {
  bpf_map* m = map_of(fd);
  if (!m || m->type != BPF_MAP_TYPE_RINGBUF) return errno = EINVAL, nullptr;
  return new ring_buffer{fn, ctx};
}
FAKED(ring_buffer__new)
void ring_buffer__free(ring_buffer* rb) { delete rb; }
FAKED(ring_buffer__free)
int ring_buffer__consume(ring_buffer*) { return 0; }  // nothing is ever left over
FAKED(ring_buffer__consume)

// Two records: a short one and one of 200 bytes, whatever the guest's buffer.
const uint8_t* fake_record() {
  static uint8_t rec[200];
  for (size_t i = 0; i < sizeof rec; i++) rec[i] = static_cast<uint8_t>(i * 7 + 1);
  return rec;
}

int ring_buffer__poll(ring_buffer* rb, int) {
  int r = rb->fn(rb->ctx, const_cast<uint8_t*>(fake_record()), 16);
  if (r) return r;
  r = rb->fn(rb->ctx, const_cast<uint8_t*>(fake_record()), 200);
  return r ? r : 2;
}
FAKED(ring_buffer__poll)

perf_buffer* perf_buffer__new(int fd, size_t, perf_buffer_sample_fn fn, perf_buffer_lost_fn, void* ctx,
                              const perf_buffer_opts*) {
  bpf_map* m = map_of(fd);
  if (!m || m->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) return errno = EINVAL, nullptr;
  return new perf_buffer{fn, ctx};
}
FAKED(perf_buffer__new)
void perf_buffer__free(perf_buffer* pb) { delete pb; }
FAKED(perf_buffer__free)
int perf_buffer__consume(perf_buffer*) { return 0; }
FAKED(perf_buffer__consume)
int perf_buffer__poll(perf_buffer* pb, int) {
  pb->fn(pb->ctx, 0, const_cast<uint8_t*>(fake_record()), 16);
  pb->fn(pb->ctx, 1, const_cast<uint8_t*>(fake_record()), 200);
  return 2;
}
FAKED(perf_buffer__poll)


// What the kernel diagnosis, the xdp netlink attach, the epoll of the
// package loader and libbpf's log capture call: never reached with a fake
// object in a fuzz run (a fake load never fails), faked all the same.
bpf_program* bpf_object__next_program(const bpf_object*, bpf_program*) { return nullptr; }
FAKED(bpf_object__next_program)
bool bpf_program__autoload(const bpf_program*) { return true; }
FAKED(bpf_program__autoload)
bpf_attach_type bpf_program__expected_attach_type(const bpf_program*) { return BPF_CGROUP_INET_INGRESS; }
FAKED(bpf_program__expected_attach_type)
btf* btf__load_vmlinux_btf() { return errno = ENOENT, nullptr; }
FAKED(btf__load_vmlinux_btf)
__s32 btf__find_by_name_kind(const btf*, const char*, __u32) { return -ENOENT; }
FAKED(btf__find_by_name_kind)
void btf__free(btf*) {}
FAKED(btf__free)
int bpf_prog_load(bpf_prog_type, const char*, const char*, const bpf_insn*, size_t, const bpf_prog_load_opts*) {
  return fail(EPERM);
}
FAKED(bpf_prog_load)
int bpf_link_create(int, int, bpf_attach_type, const bpf_link_create_opts*) { return fail(EPERM); }
FAKED(bpf_link_create)
int bpf_xdp_attach(int, int, __u32, const bpf_xdp_attach_opts*) { return -EOPNOTSUPP; }
FAKED(bpf_xdp_attach)
int bpf_xdp_detach(int, __u32, const bpf_xdp_attach_opts*) { return -EOPNOTSUPP; }
FAKED(bpf_xdp_detach)
int ring_buffer__epoll_fd(const ring_buffer*) { return -EBADF; }
FAKED(ring_buffer__epoll_fd)
int perf_buffer__epoll_fd(const perf_buffer*) { return -EBADF; }
FAKED(perf_buffer__epoll_fd)
int libbpf_num_possible_cpus() { return 4; }
FAKED(libbpf_num_possible_cpus)
libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t) { return nullptr; }
FAKED(libbpf_set_print)
}  // extern "C"

#define ECC_CHECK_FAKED(name) static_assert(faked::name, "no fake of " #name);
ECC_LIBBPF_CALLS(ECC_CHECK_FAKED)
#undef ECC_CHECK_FAKED
