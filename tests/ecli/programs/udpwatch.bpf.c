// UDP packets to one port on lo, seen by an XDP program and a tc classifier
// that ecli attaches from their annotations (interfaces given by name).
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "udpwatch.h"

/// @cmdarg {"long": "port", "default": 0, "help": "UDP destination port to watch"}
const volatile u16 watch_port = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} events SEC(".maps");

static __always_inline int report(void *data, void *end, enum hook hook)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;
	struct udp_event *e;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(0x0800) || ip->protocol != 17 || ip->ihl != 5)
		return 0;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end || bpf_ntohs(udp->dest) != watch_port)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->hook = hook;
	e->len = bpf_ntohs(udp->len) - sizeof(*udp);
	e->sport = bpf_ntohs(udp->source);
	e->dport = bpf_ntohs(udp->dest);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/// @ifindex "lo"
SEC("xdp")
int xdp_udp(struct xdp_md *ctx)
{
	report((void *)(long)ctx->data, (void *)(long)ctx->data_end, HOOK_XDP);
	return XDP_PASS;
}

/// @tchook {"ifindex": "lo", "attach_point": "BPF_TC_EGRESS"}
/// @tcopts {"handle": 7, "priority": 3}
SEC("tc")
int tc_udp(struct __sk_buff *skb)
{
	report((void *)(long)skb->data, (void *)(long)skb->data_end, HOOK_TC);
	return 0; /* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "GPL";
