// trace_exec in Inspektor Gadget's older style: a flat event struct, the
// older gadget.yaml (tracers/structs/ebpfParams) and a perf-free ring buffer.
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include <gadget/buffer.h>
#include <gadget/macros.h>
#include <gadget/mntns_filter.h>
#include <gadget/types.h>

#define ARGSIZE 64

struct event {
	gadget_timestamp timestamp_raw;
	gadget_mntns_id mntns_id;
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	int retval;
	char comm[TASK_COMM_LEN];
	char filename[ARGSIZE];
};

const volatile pid_t targ_tgid = 0;
const volatile bool ignore_failed = true;

GADGET_PARAM(targ_tgid);
GADGET_PARAM(ignore_failed);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct event);
} execs SEC(".maps");

GADGET_TRACER_MAP(events, 1024 * 256);

GADGET_TRACER(exec, events, event);

static const struct event empty_event = {};

SEC("tracepoint/syscalls/sys_enter_execve")
int ig_execve_e(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, tid = (u32)id;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct event *event;
	u64 mntns = gadget_get_mntns_id();

	if (targ_tgid && targ_tgid != tgid)
		return 0;
	if (gadget_should_discard_mntns_id(mntns))
		return 0;
	if (bpf_map_update_elem(&execs, &tid, &empty_event, BPF_NOEXIST))
		return 0;
	event = bpf_map_lookup_elem(&execs, &tid);
	if (!event)
		return 0;
	event->timestamp_raw = bpf_ktime_get_boot_ns();
	event->mntns_id = mntns;
	event->pid = tgid;
	event->uid = (u32)bpf_get_current_uid_gid();
	event->ppid = BPF_CORE_READ(task, real_parent, tgid);
	bpf_probe_read_user_str(event->filename, sizeof(event->filename), (const char *)ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int ig_execve_x(struct trace_event_raw_sys_exit *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct event *event = bpf_map_lookup_elem(&execs, &tid);

	if (!event)
		return 0;
	if (ignore_failed && ctx->ret < 0)
		goto cleanup;
	event->retval = ctx->ret;
	bpf_get_current_comm(&event->comm, sizeof(event->comm));
	gadget_output_buf(ctx, &events, event, sizeof(*event));
cleanup:
	bpf_map_delete_elem(&execs, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
