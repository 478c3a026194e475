// One fentry program: it needs BPF trampolines, which some kernels lack.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 calls = 0;

SEC("fentry/do_unlinkat")
int BPF_PROG(count_unlink, int dfd)
{
	__sync_fetch_and_add(&calls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
