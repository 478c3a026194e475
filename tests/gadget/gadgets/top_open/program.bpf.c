// A "top" gadget in Inspektor Gadget's style: opens counted per process in
// a hash map that GADGET_MAPITER exposes; the runner prints and clears it
// every interval.
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

#include <gadget/macros.h>
#include <gadget/mntns_filter.h>
#include <gadget/types.h>

struct file_key {
	gadget_pid pid;
	gadget_comm comm[TASK_COMM_LEN];
};

struct file_stats {
	gadget_counter__u64 opens;
	gadget_counter__u64 failed;
};

const volatile pid_t target_pid = 0;

GADGET_PARAM(target_pid);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct file_key);
	__type(value, struct file_stats);
} stats SEC(".maps");

GADGET_MAPITER(opens, stats);

SEC("tracepoint/syscalls/sys_exit_openat")
int ig_topopen_x(struct trace_event_raw_sys_exit *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct file_key key = {.pid = pid};
	struct file_stats zero = {}, *s;

	if (target_pid && target_pid != pid)
		return 0;
	if (gadget_should_discard_mntns_id(gadget_get_mntns_id()))
		return 0;
	bpf_get_current_comm(&key.comm, sizeof(key.comm));
	bpf_map_update_elem(&stats, &key, &zero, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&stats, &key);
	if (!s)
		return 0;
	__sync_fetch_and_add(&s->opens, 1);
	if (ctx->ret < 0)
		__sync_fetch_and_add(&s->failed, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
