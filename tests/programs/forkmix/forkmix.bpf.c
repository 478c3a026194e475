// Raw tracepoints (BTF and plain), kconfig externs and bpf_printk format
// strings in one object.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "forkmix.h"

extern int LINUX_KERNEL_VERSION __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig __weak;

/// Print a trace line for every fork (visible in trace_pipe).
const volatile bool verbose = false;

unsigned long long forks, syscalls_seen;
int kernel_version;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} fork_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, u32);
	__type(value, u64);
} syscall_counts SEC(".maps");

static __always_inline void ids_of(struct task_struct *t, struct task_ids *ids)
{
	ids->pid = BPF_CORE_READ(t, pid);
	ids->tgid = BPF_CORE_READ(t, tgid);
	ids->uid = BPF_CORE_READ(t, cred, uid.val);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	struct fork_event e = {};

	__sync_fetch_and_add(&forks, 1);
	kernel_version = LINUX_KERNEL_VERSION;
	ids_of(parent, &e.parent);
	ids_of(child, &e.child);
	e.kind = e.child.pid == e.child.tgid ? FORK_PROCESS : FORK_THREAD;
	e.payload.clone_flags = CONFIG_BPF_SYSCALL ? 1 : 0;
	e.cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	if (verbose)
		bpf_printk("fork %d -> %d on cpu %d", e.parent.pid, e.child.pid, e.cpu);
	bpf_perf_event_output(ctx, &fork_events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int on_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	u32 nr = ctx->args[1];
	u64 *count;

	__sync_fetch_and_add(&syscalls_seen, 1);
	count = bpf_map_lookup_elem(&syscall_counts, &nr);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
