// An fentry program on a kernel function that no kernel has.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("fentry/ecc_no_such_kernel_function")
int BPF_PROG(on_nothing)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
