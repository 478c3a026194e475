// A tc classifier for the Wasm host's tc attach: counts the packets lo
// sends (egress); the app names the interface and direction as its target.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tcapp.h"

struct tc_counter counter = {0};

SEC("tc")
int tc_count_lo(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&counter.packets, 1);
	return 0; /* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "GPL";
