// metricgen: getpgid(v) calls of one process as events with @metric members,
// a log2 histogram of v (in usecs, so in seconds for Prometheus) and a
// count per v % 3 (docs/metrics.md).
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include "metricgen.h"

#define MAX_SLOTS 16

struct hist {
	__u32 slots[MAX_SLOTS];
};

/// Process to trace.
/// @cmdarg {"long": "pid"}
const volatile int targ_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/// @sample {"interval": 500, "type": "log2_hist", "unit": "usecs"}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct hist);
} values SEC(".maps");

/// @sample {"interval": 500, "type": "default_kv"}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} kinds SEC(".maps");

static __always_inline __u32 slot_of(__u64 v)
{
	__u32 s = 0;
	for (int i = 0; i < 63 && v; i++) {
		v >>= 1;
		s++;
	}
	return s < MAX_SLOTS ? s : MAX_SLOTS - 1;
}

SEC("tracepoint/syscalls/sys_enter_getpgid")
int on_getpgid(struct trace_event_raw_sys_enter *ctx)
{
	static const struct hist zero;
	__u32 key = 0, kind;
	__u64 v = ctx->args[0], one = 1, *n;
	struct hist *h;
	struct event *e;

	if ((bpf_get_current_pid_tgid() >> 32) != targ_pid)
		return 0;
	kind = v % 3;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		e->kind = kind;
		e->value = v;
		e->observed = v;
		bpf_ringbuf_submit(e, 0);
	}
	h = bpf_map_lookup_elem(&values, &key);
	if (!h) {
		bpf_map_update_elem(&values, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&values, &key);
	}
	if (h) {
		__u32 s = slot_of(v);
		if (s < MAX_SLOTS)
			__sync_fetch_and_add(&h->slots[s], 1);
	}
	n = bpf_map_lookup_elem(&kinds, &kind);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&kinds, &kind, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
