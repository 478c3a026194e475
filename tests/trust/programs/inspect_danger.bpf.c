// tests/trust inspect_test: the dangerous helpers, a kfunc, subprograms and
// an XDP program, only inspected (never loaded).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 64);
  __type(key, u64);
  __type(value, u32);
} seen SEC(".maps");

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

// A static subprogram (called through a .text relocation) and a global
// one (through its own symbol), each calling a helper of its own.
static __noinline int remember(u64 id) {
  u32 mark = bpf_get_prandom_u32();
  return bpf_map_update_elem(&seen, &id, &mark, BPF_NOEXIST);
}

__noinline int owner(int x) { return x ^ (int)bpf_get_current_uid_gid(); }

SEC("tracepoint/syscalls/sys_enter_openat")
int trace_open(void *ctx) {
  u64 id = bpf_get_current_pid_tgid();
  remember(id);
  return owner((int)id) & 0;
}

SEC("tp/syscalls/sys_enter_kill")
int writer(void *ctx) {
  char buf[8] = "pwned";
  bpf_probe_write_user((void *)0x1000, buf, sizeof buf);
  bpf_send_signal(9);
  return 0;
}

SEC("tp_btf/task_newtask")
int grab(u64 *ctx) {
  struct task_struct *t = bpf_task_acquire((struct task_struct *)ctx[0]);
  if (t) bpf_task_release(t);
  return 0;
}

SEC("xdp")
int drop_all(struct xdp_md *ctx) { return XDP_DROP; }

SEC("kprobe/do_unlinkat")
int deny_unlink(struct pt_regs *ctx) {
  bpf_override_return(ctx, -1);
  return 0;
}

SEC("uprobe//bin/true:main")
int on_main(void *ctx) { return 0; }
