// Two export types sharing an enum (see enumshare.h). Only first_event is
// used here, so the object's BTF has it and the enum, while second_event
// (and with it the enum, a second time) comes from the header's AST: the
// case bcc's statsnoop and friends hit.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "enumshare.h"

/// Report only this type (0: all); a global of the shared enum type.
const volatile enum sys_type only_type = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_close")
int on_close(void *ctx)
{
	struct first_event *f;

	if (only_type && only_type != SYS_CLOSE)
		return 0;
	f = bpf_ringbuf_reserve(&events, sizeof(*f), 0);
	if (!f)
		return 0;
	f->type = SYS_CLOSE;
	f->m = ONLY_B;
	f->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_ringbuf_submit(f, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
