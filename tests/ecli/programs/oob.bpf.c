// Reads past the end of a map value: the verifier must reject it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} vals SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int read_past_end(void *ctx)
{
	u32 key = 0;
	u64 *v = bpf_map_lookup_elem(&vals, &key);

	if (!v)
		return 0;
	return (int)v[16]; /* 128 bytes into an 8-byte value */
}

char LICENSE[] SEC("license") = "GPL";
