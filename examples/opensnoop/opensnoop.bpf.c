// Traces openat(2): the entry tracepoint remembers the arguments per thread,
// the exit tracepoint reports them together with the result.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "opensnoop.h"

/// Process ID to trace; 0 traces every process.
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "trace only this PID"}
const volatile pid_t targ_pid = 0;

/// User ID to trace; -1 traces every user.
/// @cmdarg {"short": "u", "long": "uid", "default": -1, "help": "trace only this UID"}
const volatile int targ_uid = -1;

/// Report only failed opens.
/// @cmdarg {"short": "x", "long": "failed", "default": false, "help": "only show failed opens"}
const volatile bool targ_failed = false;

struct open_args {
	const char *fname;
	int flags;
};

/// Arguments of the openat calls in flight, by thread id.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct open_args);
} start SEC(".maps");

/// Completed opens.
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline bool wanted(u32 pid, u32 uid)
{
	if (targ_pid && pid != (u32)targ_pid)
		return false;
	if (targ_uid != -1 && uid != (u32)targ_uid)
		return false;
	return true;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id;
	struct open_args args = {};

	if (!wanted(id >> 32, (u32)bpf_get_current_uid_gid()))
		return 0;
	args.fname = (const char *)ctx->args[1];
	args.flags = (int)ctx->args[2];
	bpf_map_update_elem(&start, &tid, &args, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id;
	struct open_args *args;
	struct event *e;
	int ret = (int)ctx->ret;

	args = bpf_map_lookup_elem(&start, &tid);
	if (!args)
		return 0;
	if (targ_failed && ret >= 0)
		goto cleanup;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto cleanup;
	e->ts = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->uid = (u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->flags = args->flags;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->fname, sizeof(e->fname), args->fname);
	bpf_ringbuf_submit(e, 0);
cleanup:
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

/// @brief Trace open(2) family syscalls.
/// @version 1.0
char LICENSE[] SEC("license") = "GPL";
