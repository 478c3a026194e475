// trace_bind in Inspektor Gadget's style: bind(2) with the address as a
// gadget_l4endpoint_t, the result as a gadget_errno.
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include <gadget/buffer.h>
#include <gadget/common.h>
#include <gadget/macros.h>
#include <gadget/types.h>

#define AF_INET 2
#define AF_INET6 10

struct event {
	gadget_timestamp timestamp_raw;
	struct gadget_process proc;
	struct gadget_l4endpoint_t addr;
	gadget_errno error_raw;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct event);
} pending SEC(".maps");

const volatile pid_t targ_pid = 0;
const volatile bool ignore_errors = false;

GADGET_PARAM(targ_pid);
GADGET_PARAM(ignore_errors);

GADGET_TRACER_MAP(events, 1024 * 256);

GADGET_TRACER(bind, events, event);

static const struct event zero = {};

SEC("tracepoint/syscalls/sys_enter_bind")
int ig_bind_e(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id;
	struct sockaddr_in6 sa = {};
	struct event *e;

	if (targ_pid && targ_pid != (id >> 32))
		return 0;
	if (bpf_map_update_elem(&pending, &tid, &zero, BPF_ANY))
		return 0;
	e = bpf_map_lookup_elem(&pending, &tid);
	if (!e)
		return 0;
	bpf_probe_read_user(&sa, sizeof(sa), (const void *)ctx->args[1]);
	e->addr.port = bpf_ntohs(sa.sin6_port);
	e->addr.proto_raw = 6;
	if (sa.sin6_family == AF_INET6) {
		e->addr.version = 6;
		__builtin_memcpy(e->addr.addr_raw.v6, &sa.sin6_addr, 16);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;
		e->addr.version = 4;
		e->addr.addr_raw.v4 = in->sin_addr.s_addr;
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int ig_bind_x(struct trace_event_raw_sys_exit *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	struct event *e = bpf_map_lookup_elem(&pending, &tid);

	if (!e)
		return 0;
	if (!(ignore_errors && ctx->ret < 0)) {
		gadget_process_populate(&e->proc);
		e->timestamp_raw = bpf_ktime_get_boot_ns();
		e->error_raw = ctx->ret < 0 ? -ctx->ret : 0;
		gadget_output_buf(ctx, &events, e, sizeof(*e));
	}
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
