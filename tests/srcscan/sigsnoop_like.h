// A sigsnoop-like program with doc comments on every kind of declaration
// docs/annotations.md covers, shared by the docs and PCH tests.
#pragma once

namespace ecc::test {

inline const char* kSigsnoopH = R"(#ifndef SIGSNOOP_H
#define SIGSNOOP_H
#define TASK_COMM_LEN 16
struct event {
  unsigned int pid;
  unsigned int tpid;
  int sig;
  int ret;
  char comm[TASK_COMM_LEN];
};
#endif
)";

inline const char* kSigsnoopC = R"(#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "sigsnoop.h"

#define MAX_ENTRIES 10240

/// Process ID to trace
/// @cmdarg {"short":"p","long":"pid","default":0}
const volatile pid_t filtered_pid = 0;

/** Target signal to trace,
 *  0 for all
 * @cmdarg {"short":"s","long":"signal"}
 */
const volatile int target_signal = 0;

// A plain comment is not documentation.
const volatile bool failed_only = false;

/* Nor is a plain block comment. */
int plain_counter = 0;

/// @unit not json at all
int counter = 0;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, MAX_ENTRIES);
  __type(key, __u32);
  __type(value, struct event);
} values SEC(".maps");

/// Signals sent, as events
/// @sample {"interval": 1000, "type": "log2_hist"}
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static int probe_entry(pid_t tpid, int sig)
{
  struct event event = {};
  __u64 pid_tgid;
  __u32 tid;

  if (target_signal && sig != target_signal)
    return 0;
  pid_tgid = bpf_get_current_pid_tgid();
  tid = (__u32)pid_tgid;
  if (filtered_pid && (pid_tgid >> 32) != filtered_pid)
    return 0;
  event.pid = pid_tgid >> 32;
  event.tpid = tpid;
  event.sig = sig;
  bpf_get_current_comm(event.comm, sizeof(event.comm));
  bpf_map_update_elem(&values, &tid, &event, BPF_ANY);
  return 0;
}

static int probe_exit(void *ctx, int ret)
{
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  struct event *eventp = bpf_map_lookup_elem(&values, &tid);
  if (!eventp)
    return 0;
  if (failed_only && ret >= 0)
    goto cleanup;
  eventp->ret = ret;
  bpf_ringbuf_output(&events, eventp, sizeof(*eventp), 0);
cleanup:
  bpf_map_delete_elem(&values, &tid);
  counter++;
  return 0;
}

/// Entry of kill(2)
SEC("tracepoint/syscalls/sys_enter_kill")
int kill_entry(struct trace_event_raw_sys_enter *ctx)
{
  return probe_entry((pid_t)ctx->args[0], (int)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_exit_kill")
int kill_exit(struct trace_event_raw_sys_exit *ctx)
{
  return probe_exit(ctx, ctx->ret);
}

/// Pass every packet
/// @ifindex 1
/// @flags 0
/// @xdpopts {"old_prog_fd": 0}
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
  return XDP_PASS;
}

/// @tchook {"ifindex": 1, "attach_point": "BPF_TC_INGRESS"}
/// @tcopts {"handle": 1, "priority": 1}
SEC("tc")
int tc_ingress(struct __sk_buff *skb)
{
  return 0;
}

/// Entry of unlinkat, through the BPF_PROG macro
SEC("fentry/do_unlinkat")
int BPF_PROG(do_unlinkat, int dfd, struct filename *name)
{
  return 0;
}

/// @brief Trace signals sent by kill
/// @version 0.1.0
/// @details Reports the pid, target,
///   signal and result.
char LICENSE[] SEC("license") = "Dual BSD/GPL";
)";

}  // namespace ecc::test
