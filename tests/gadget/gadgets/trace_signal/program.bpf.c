// trace_signal in Inspektor Gadget's style: kill(2) as IG's trace_signal
// reports it, sig_raw a gadget_signal, error_raw a gadget_errno.
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include <gadget/buffer.h>
#include <gadget/common.h>
#include <gadget/macros.h>
#include <gadget/types.h>

struct event {
	gadget_timestamp timestamp_raw;
	struct gadget_process proc;
	__u32 tpid;
	gadget_signal sig_raw;
	gadget_errno error_raw;
};

struct start_t {
	__u32 tpid;
	__u32 sig;
};

const volatile pid_t filtered_pid = 0;
const volatile int target_signal = 0;
const volatile bool failed_only = false;

GADGET_PARAM(filtered_pid);
GADGET_PARAM(target_signal);
GADGET_PARAM(failed_only);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct start_t);
} values SEC(".maps");

GADGET_TRACER_MAP(events, 1024 * 256);

GADGET_TRACER(signal, events, event);

SEC("tracepoint/syscalls/sys_enter_kill")
int ig_sig_kill_e(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id;
	struct start_t v = {.tpid = (u32)ctx->args[0], .sig = (u32)ctx->args[1]};

	if (filtered_pid && filtered_pid != (id >> 32))
		return 0;
	if (target_signal && target_signal != (int)v.sig)
		return 0;
	if (gadget_should_discard_mntns_id(gadget_get_mntns_id()))
		return 0;
	bpf_map_update_elem(&values, &tid, &v, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_kill")
int ig_sig_kill_x(struct trace_event_raw_sys_exit *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct start_t *v = bpf_map_lookup_elem(&values, &tid);
	struct event *event;

	if (!v)
		return 0;
	if (failed_only && ctx->ret >= 0)
		goto cleanup;
	event = gadget_reserve_buf(&events, sizeof(*event));
	if (!event)
		goto cleanup;
	gadget_process_populate(&event->proc);
	event->timestamp_raw = bpf_ktime_get_boot_ns();
	event->tpid = v->tpid;
	event->sig_raw = v->sig;
	event->error_raw = ctx->ret < 0 ? -ctx->ret : 0;
	gadget_submit_buf(ctx, &events, event, sizeof(*event));
cleanup:
	bpf_map_delete_elem(&values, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
