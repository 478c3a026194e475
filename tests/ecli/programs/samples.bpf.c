// Sampled maps of every kind: each getppid() of `target_pid` counts into a
// linear histogram (cleared after each print) and a key/value map.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile int target_pid = 0;

struct lin {
	u32 slots[8];
};

struct kv {
	u64 calls;
	char tag[8];
};

/// @sample {"interval": 300, "type": "linear_hist", "unit": "calls", "clear_map": true}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, struct lin);
} lins SEC(".maps");

/// @sample {"interval": 300, "type": "default_kv"}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, struct kv);
} kvs SEC(".maps");

u64 calls;

SEC("tracepoint/syscalls/sys_enter_getppid")
int count(void *ctx)
{
	static const struct lin zero_lin;
	static const struct kv zero_kv;
	u32 key = 7;
	u64 n;
	struct lin *l;
	struct kv *v;

	if ((int)(bpf_get_current_pid_tgid() >> 32) != target_pid)
		return 0;
	n = __sync_fetch_and_add(&calls, 1);
	bpf_map_update_elem(&lins, &key, &zero_lin, BPF_NOEXIST);
	l = bpf_map_lookup_elem(&lins, &key);
	if (l)
		__sync_fetch_and_add(&l->slots[n & 3], 1);
	bpf_map_update_elem(&kvs, &key, &zero_kv, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&kvs, &key);
	if (v) {
		__sync_fetch_and_add(&v->calls, 1);
		v->tag[0] = 'k';
		v->tag[1] = 'v';
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
