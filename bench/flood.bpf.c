// Emits one 64-byte ring-buffer event per getppid() of `target_pid`, with a
// sequence number taken before the reservation: a consumer that falls
// behind shows up as gaps in the sequence.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "flood.h"

/// Process whose getppid() calls produce events; 0 takes every process.
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "flooding process"}
const volatile int target_pid = 0;

u64 next_seq;

/// The flood.
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int flood(void *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct event *e;
	u64 seq;

	if (target_pid && pid != (u32)target_pid)
		return 0;
	seq = __sync_fetch_and_add(&next_seq, 1);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->seq = seq;
	e->ts = bpf_ktime_get_ns();
	e->pid = pid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
