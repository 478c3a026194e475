// open_wasm: an Inspektor Gadget tracer whose Wasm layer (open_wasm.wat)
// decides where its program attaches, as IG's fsnotify and trace_open do on
// kernels that renamed a function: the section names a tracepoint no kernel
// has, and gadgetPreStart sets programs.ig_open_e.attach_to when kallsyms
// shows openat2 is there.
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

#include <gadget/buffer.h>
#include <gadget/common.h>
#include <gadget/macros.h>
#include <gadget/types.h>

struct event {
	gadget_timestamp timestamp_raw;
	struct gadget_process proc;
	char fname[128];
};

const volatile pid_t targ_tgid = 0;

GADGET_PARAM(targ_tgid);

GADGET_TRACER_MAP(events, 1024 * 256);

GADGET_TRACER(open, events, event);

SEC("tracepoint/syscalls/sys_enter_openat_as_the_wasm_layer_says")
int ig_open_e(struct trace_event_raw_sys_enter *ctx)
{
	struct event *event;

	if (targ_tgid && targ_tgid != bpf_get_current_pid_tgid() >> 32)
		return 0;
	event = gadget_reserve_buf(&events, sizeof(*event));
	if (!event)
		return 0;
	gadget_process_populate(&event->proc);
	bpf_probe_read_user_str(&event->fname, sizeof(event->fname), (const char *)ctx->args[1]);
	event->timestamp_raw = bpf_ktime_get_boot_ns();
	gadget_submit_buf(ctx, &events, event, sizeof(*event));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
