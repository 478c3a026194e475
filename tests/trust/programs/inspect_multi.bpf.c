// tests/trust inspect_test: several tracepoint programs, a static and a
// global subprogram, loaded on the kernel and compared with bpftool's dump.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 128);
  __type(key, u32);
  __type(value, u64);
} counts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, u32);
  __type(value, u64);
} slots SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

static __noinline int count(u32 pid) {
  u64 one = 1;
  bpf_map_update_elem(&counts, &pid, &one, BPF_ANY);
  return 0;
}

__noinline int stamp(int x) { return x + (int)bpf_ktime_get_ns(); }

SEC("tracepoint/syscalls/sys_enter_openat")
int on_open(void *ctx) {
  u32 pid = bpf_get_current_pid_tgid() >> 32;
  count(pid);
  return stamp(pid) & 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int on_close(void *ctx) {
  u32 cpu = bpf_get_smp_processor_id() & 3;
  u64 *slot = bpf_map_lookup_elem(&slots, &cpu);
  if (slot) *slot += 1;
  u64 *e = bpf_ringbuf_reserve(&events, sizeof(u64), 0);
  if (!e) return 0;
  *e = bpf_ktime_get_ns();
  bpf_ringbuf_submit(e, 0);
  return 0;
}

SEC("tp/sched/sched_process_exit")
int on_exit(void *ctx) {
  u32 pid = bpf_get_current_pid_tgid() >> 32;
  u64 *n = bpf_map_lookup_elem(&counts, &pid);
  if (n) bpf_map_delete_elem(&counts, &pid);
  char comm[16];
  bpf_get_current_comm(comm, sizeof comm);
  return count(pid);
}
