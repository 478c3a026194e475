// One XDP program on lo that counts packets: attached through a BPF link.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 packets = 0;

/// @ifindex "lo"
SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&packets, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
