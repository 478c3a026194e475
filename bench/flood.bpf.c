// Emits one 64-byte event per getppid() of `target_pid`, with a sequence
// number taken before the output: a consumer that falls behind shows up as
// gaps in the sequence. Events go to a ring buffer of FLOOD_RING_BYTES, or
// built with FLOOD_PERF defined (bench/ecli_load.sh), to a perf event array.
// Reserve (output) failures are counted in `drops`, a sampled map that ecli
// and the generated app print, so that every event is delivered or counted.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "flood.h"

/// Process whose getppid() calls produce events; 0 takes every process.
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "flooding process"}
const volatile int target_pid = 0;

u64 next_seq;

#ifndef FLOOD_RING_BYTES
#define FLOOD_RING_BYTES (16 * 1024 * 1024)
#endif

/// @sample {"interval": 500, "type": "default_kv"}
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct drops);
} drops SEC(".maps");

/// The flood.
#ifdef FLOOD_PERF
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");
#else
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FLOOD_RING_BYTES);
} events SEC(".maps");
#endif

static void count_drop(int err)
{
	u32 zero = 0;
	struct drops *d = bpf_map_lookup_elem(&drops, &zero);

	if (d && err == -28 /* ENOSPC */)
		__sync_fetch_and_add(&d->full, 1);
	else if (d)
		__sync_fetch_and_add(&d->no_reader, 1);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int flood(void *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct event *e;
	u64 seq;

	if (target_pid && pid != (u32)target_pid)
		return 0;
	seq = __sync_fetch_and_add(&next_seq, 1);
#ifdef FLOOD_PERF
	struct event ev = {};

	e = &ev;
#else
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(-28);
		return 0;
	}
#endif
	e->seq = seq;
	e->ts = bpf_ktime_get_ns();
	e->pid = pid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
#ifdef FLOOD_PERF
	/* The kernel counts what does not fit (-ENOSPC) and reports it in a
	 * lost record (ecli's "lost" lines); `drops` is the program's own count
	 * of it. -ENOENT: no reader has opened this CPU's buffer yet. */
	long err = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, sizeof(*e));

	if (err)
		count_drop(err);
#else
	bpf_ringbuf_submit(e, 0);
#endif
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
