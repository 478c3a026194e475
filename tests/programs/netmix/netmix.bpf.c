// Several networking program types sharing maps: XDP, tc, a socket filter
// and a cgroup skb hook.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "netmix.h"

#define ETH_P_IP 0x0800
#define TC_ACT_OK 0

/// Sample one packet out of this many into `samples`.
/// @cmdarg {"long": "sample-every", "default": 64, "help": "sampling period"}
const volatile unsigned int sample_every = 64;

unsigned long long xdp_packets, tc_packets, sock_packets, cgroup_packets;
unsigned int drops[4];

/// Per-flow counters.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct nm_flow_key);
	__type(value, struct nm_flow_stats);
} flows SEC(".maps");

/// Bytes per protocol number.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, u32);
	__type(value, u64);
} proto_bytes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 128 * 1024);
} samples SEC(".maps");

static __always_inline int parse_ipv4(void *data, void *data_end, struct nm_flow_key *key)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	key->saddr = ip->saddr;
	key->daddr = ip->daddr;
	key->proto = ip->protocol;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > data_end)
			return 0;
		key->sport = bpf_ntohs(tcp->source);
		key->dport = bpf_ntohs(tcp->dest);
	}
	return 0;
}

static __always_inline void account(struct nm_flow_key *key, u64 len)
{
	struct nm_flow_stats *st, init = {};
	u32 proto = key->proto;
	u64 *bytes;

	st = bpf_map_lookup_elem(&flows, key);
	if (!st) {
		init.ttl_min = 255;
		bpf_map_update_elem(&flows, key, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&flows, key);
		if (!st)
			return;
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, len);
	bytes = bpf_map_lookup_elem(&proto_bytes, &proto);
	if (bytes)
		*bytes += len;
}

/// @ifindex 1
/// @flags 0
SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct nm_flow_key key = {};
	u64 n = __sync_fetch_and_add(&xdp_packets, 1);

	if (parse_ipv4(data, data_end, &key) < 0)
		return XDP_PASS;
	account(&key, data_end - data);
	if (sample_every && n % sample_every == 0) {
		struct pkt_sample *s = bpf_ringbuf_reserve(&samples, sizeof(*s), 0);

		if (s) {
			s->key = key;
			s->len = data_end - data;
			s->ifindex = ctx->ingress_ifindex;
			bpf_xdp_load_bytes(ctx, 0, s->head, sizeof(s->head));
			bpf_ringbuf_submit(s, 0);
		}
	}
	return XDP_PASS;
}

/// @tchook {"ifindex": 1, "attach_point": "BPF_TC_INGRESS"}
SEC("tc")
int tc_count(struct __sk_buff *skb)
{
	struct nm_flow_key key = {};

	__sync_fetch_and_add(&tc_packets, 1);
	if (parse_ipv4((void *)(long)skb->data, (void *)(long)skb->data_end, &key) == 0)
		account(&key, skb->len);
	return TC_ACT_OK;
}

SEC("socket")
int sock_count(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&sock_packets, 1);
	return skb->len;
}

SEC("cgroup_skb/egress")
int cgroup_count(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&cgroup_packets, 1);
	if (skb->len > 65535)
		drops[skb->protocol & 3]++;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
