/* Export types of netmix: a packed-looking key, bitfields, an enum. */
#ifndef ECC_TEST_NETMIX_H
#define ECC_TEST_NETMIX_H

enum nm_verdict {
	VERDICT_PASS = 0,
	VERDICT_DROP = 1,
	VERDICT_SAMPLED = 2,
};

struct nm_flow_key {
	unsigned int saddr;
	unsigned int daddr;
	unsigned short sport;
	unsigned short dport;
	unsigned char proto;
};

struct nm_flow_stats {
	unsigned long long packets;
	unsigned long long bytes;
	unsigned int is_ipv6 : 1;
	unsigned int seen_syn : 1;
	unsigned int seen_fin : 1;
	unsigned int ttl_min : 8;
	enum nm_verdict last;
};

struct pkt_sample {
	struct nm_flow_key key;
	unsigned int len;
	union {
		unsigned int ifindex;
		int cgroup_verdict;
	};
	unsigned char head[32];
};

#endif
