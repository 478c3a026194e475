// tests/trust load_policy_test: a program that may send signals and one that
// may write user memory, each only when target_pid is set (never, in the
// tests): what a load policy's denyHelpers refuses, as a package and as an
// app.wasm.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "guard.h"

char LICENSE[] SEC("license") = "GPL";

const volatile int target_pid = 0;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");

const struct guard_event *unused_guard_event __attribute__((unused));

static int is_target(void) { return target_pid && (int)(bpf_get_current_pid_tgid() >> 32) == target_pid; }

SEC("tracepoint/syscalls/sys_enter_kill")
int guard_kill(void *ctx) {
  if (is_target()) {
    struct guard_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (e) {
      e->pid = target_pid;
      e->sig = 19;
      bpf_ringbuf_submit(e, 0);
    }
    bpf_send_signal(19);
  }
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int scribble(void *ctx) {
  char mark[4] = "ecc";
  if (is_target()) bpf_probe_write_user((void *)0, mark, sizeof mark);
  return 0;
}
