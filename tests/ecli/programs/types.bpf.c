// Echoes its globals (set by ecli's program options) in one event per
// getppid() call of the process `target_pid`.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "types.h"

/// Only this process triggers events.
const volatile int target_pid = 0;
const volatile signed char v_s8 = 0;
const volatile unsigned char v_u8 = 0;
const volatile short v_s16 = 0;
const volatile unsigned short v_u16 = 0;
const volatile int v_s32 = 0;
const volatile unsigned int v_u32 = 0;
const volatile long long v_s64 = 0;
const volatile unsigned long long v_u64 = 0;
/// A switch.
/// @cmdarg {"long": "flag", "short": "f"}
const volatile bool v_flag = false;
const volatile char v_name[8] = "";
const volatile enum color v_color = RED;
const volatile float v_f = 0;
const volatile double v_d = 0;

/* Puts struct event into the BTF, so the export type has a type_id. */
struct event last_event;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int echo(void *ctx)
{
	struct event *e;

	if ((int)(bpf_get_current_pid_tgid() >> 32) != target_pid)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->s8 = v_s8;
	e->u8 = v_u8;
	e->s16 = v_s16;
	e->u16 = v_u16;
	e->s32 = v_s32;
	e->u32 = v_u32;
	e->s64 = v_s64;
	e->u64 = v_u64;
	e->flag = v_flag;
	/* Element by element: volatile reads the compiler cannot fold. */
	for (int i = 0; i < sizeof(e->name); i++)
		e->name[i] = v_name[i];
	e->color = v_color;
	*(unsigned int *)&e->f = *(const volatile unsigned int *)&v_f;
	*(unsigned long long *)&e->d = *(const volatile unsigned long long *)&v_d;
	e->in.a = -7;
	e->in.b[0] = 1;
	e->in.b[1] = 2;
	e->in.b[2] = 65535;
	e->arr[0] = -1;
	e->arr[1] = 0;
	e->arr[2] = 1;
	e->bf_lo = 5;
	e->bf_neg = -9;
	e->bf_hi = 0xabcdef;
	e->as_int = -2;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
