// One kprobe: the kernel needs CONFIG_KPROBES to attach it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 calls = 0;

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(count_unlink)
{
	__sync_fetch_and_add(&calls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
