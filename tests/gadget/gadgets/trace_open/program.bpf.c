// trace_open in Inspektor Gadget's style: an IG tracer (ring buffer of
// struct event), params with IG's keys, the mount-namespace filter, and
// IG's special types (timestamp_raw, error_raw, flags_raw, mode_raw).
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include <gadget/buffer.h>
#include <gadget/common.h>
#include <gadget/macros.h>
#include <gadget/mntns_filter.h>
#include <gadget/types.h>

#define NAME_MAX 255
#define INVALID_UID ((uid_t)-1)

struct args_t {
	const char *fname;
	int flags;
	__u16 mode;
};

struct event {
	gadget_timestamp timestamp_raw;
	struct gadget_process proc;
	gadget_errno error_raw;
	__u32 fd;
	gadget_file_flags flags_raw;
	gadget_file_mode mode_raw;
	char fname[NAME_MAX];
};

const volatile pid_t targ_tgid = 0;
const volatile uid_t targ_uid = INVALID_UID;
const volatile bool targ_failed = false;

GADGET_PARAM(targ_tgid);
GADGET_PARAM(targ_uid);
GADGET_PARAM(targ_failed);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct args_t);
} start SEC(".maps");

GADGET_TRACER_MAP(events, 1024 * 256);

GADGET_TRACER(open, events, event);

static __always_inline bool trace_allowed(u32 tgid)
{
	if (targ_tgid && targ_tgid != tgid)
		return false;
	if (targ_uid != INVALID_UID && targ_uid != (u32)bpf_get_current_uid_gid())
		return false;
	return !gadget_should_discard_mntns_id(gadget_get_mntns_id());
}

SEC("tracepoint/syscalls/sys_enter_openat")
int ig_openat_e(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = id;
	struct args_t args = {};

	if (!trace_allowed(id >> 32))
		return 0;
	args.fname = (const char *)ctx->args[1];
	args.flags = (int)ctx->args[2];
	args.mode = (__u16)ctx->args[3];
	bpf_map_update_elem(&start, &tid, &args, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int ig_openat_x(struct trace_event_raw_sys_exit *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct args_t *ap = bpf_map_lookup_elem(&start, &tid);
	struct event *event;
	long ret;

	if (!ap)
		return 0;
	ret = ctx->ret;
	if (targ_failed && ret >= 0)
		goto cleanup;
	event = gadget_reserve_buf(&events, sizeof(*event));
	if (!event)
		goto cleanup;
	gadget_process_populate(&event->proc);
	bpf_probe_read_user_str(&event->fname, sizeof(event->fname), ap->fname);
	event->flags_raw = ap->flags;
	event->mode_raw = ap->mode;
	event->error_raw = ret < 0 ? -ret : 0;
	event->fd = ret >= 0 ? ret : 0;
	event->timestamp_raw = bpf_ktime_get_boot_ns();
	gadget_submit_buf(ctx, &events, event, sizeof(*event));
cleanup:
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
