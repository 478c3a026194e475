// The wasm-bpf-style API test of ecc's guest SDK (tests/ecli/wasm_app_test.cpp):
// kill(2) events from one sender (rodata filter) into two ring buffers and
// two perf event arrays, a per-signal counter hash for map iteration, a
// program the app does not autoload, and an xdp counter attached to `lo`.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "apitest.h"

/// Sender to trace; set by the app before load.
const volatile int target_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} rb2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} pb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} pb2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} packets SEC(".maps");

static __always_inline int fill(struct event *e, struct trace_event_raw_sys_enter *ctx, int kind)
{
	int pid = bpf_get_current_pid_tgid() >> 32;

	if (pid != target_pid)
		return 0;
	e->pid = pid;
	e->tpid = (int)ctx->args[0];
	e->sig = (int)ctx->args[1];
	e->kind = kind;
	return 1;
}

SEC("tracepoint/syscalls/sys_enter_kill")
int on_kill_ring(struct trace_event_raw_sys_enter *ctx)
{
	struct event e = {};
	u32 sig;
	u64 one = 1, *n;

	if (!fill(&e, ctx, 1))
		return 0;
	bpf_ringbuf_output(&rb, &e, sizeof(e), 0);
	bpf_ringbuf_output(&rb2, &e, sizeof(e), 0);
	sig = (u32)e.sig;
	n = bpf_map_lookup_elem(&counts, &sig);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&counts, &sig, &one, BPF_NOEXIST);
	return 0;
}

SEC("tp/syscalls/sys_enter_kill")
int on_kill_perf(struct trace_event_raw_sys_enter *ctx)
{
	struct event e = {};

	if (!fill(&e, ctx, 2))
		return 0;
	bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &e, sizeof(e));
	bpf_perf_event_output(ctx, &pb2, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

/* The app turns autoload off: its events must never arrive. */
SEC("tracepoint/syscalls/sys_exit_kill")
int never_loaded(struct trace_event_raw_sys_exit *ctx)
{
	struct event e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.kind = 3;
	bpf_ringbuf_output(&rb, &e, sizeof(e), 0);
	return 0;
}

SEC("xdp")
int count_lo(struct xdp_md *ctx)
{
	u32 key = 0;
	u64 *n = bpf_map_lookup_elem(&packets, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
