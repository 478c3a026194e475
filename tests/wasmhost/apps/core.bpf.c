// A CO-RE object for the Wasm host tests: reading task_struct through
// BPF_CORE_READ needs the kernel's BTF at load time.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

u32 last_tgid;

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void *ctx) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  last_tgid = BPF_CORE_READ(task, tgid);
  return 0;
}
