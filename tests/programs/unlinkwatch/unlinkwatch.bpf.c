// kprobe/kretprobe and fentry/fexit on do_unlinkat, with globals in every
// kind of section. (Packaging test: kernels without kprobes or BPF
// trampolines cannot attach it.)
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "unlinkwatch.h"
#include "unlink_helpers.h"

/// Maximum directory depth to record.
const volatile int max_depth = 4;
/// Only this many leading characters of each name are kept.
const volatile unsigned int name_limit = UNLINK_NAME_LEN;

/* .bss */
unsigned long long total_calls;
unsigned int cpu_hits[8];
/* .data */
int sample_every = 1;
char tag[8] = "unlink";
/* .data.custom: a user-named data section */
int custom_level SEC(".data.custom") = 3;
unsigned long long custom_hits SEC(".data.custom");

/* Static variables are not part of the skeleton. */
static unsigned long long seen_static;
static int debug_static = 1;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct unlink_event);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unlink_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, int);
	__type(value, u64);
} unlink_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(unlink_entry, int dfd, struct filename *name)
{
	__u32 tid = TID_OF(bpf_get_current_pid_tgid());
	struct unlink_event e = {};
	const char *s;

	__sync_fetch_and_add(&total_calls, 1);
	__sync_fetch_and_add(&custom_hits, custom_level);
	seen_static++;
	cpu_hits[CLAMP(bpf_get_smp_processor_id(), 7)]++;
	if (sample_every > 1 && total_calls % sample_every)
		return 0;

	fill_task(&e);
	e.phase = PHASE_ENTER;
	e.dfd_low = dfd & 0xfff;
	e.depth = CLAMP(max_depth, 7);
	s = BPF_CORE_READ(name, name);
	bpf_probe_read_kernel_str(e.name, CLAMP(name_limit, sizeof(e.name)) & (UNLINK_NAME_LEN - 1), s);
	if (debug_static)
		e.is_dir = tag[0] == 'd';
	bpf_map_update_elem(&inflight, &tid, &e, BPF_ANY);
	return 0;
}

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(unlink_exit, long ret)
{
	__u32 tid = TID_OF(bpf_get_current_pid_tgid());
	__u32 zero = 0;
	struct unlink_event *e, *out;
	struct unlink_stats *st;

	e = bpf_map_lookup_elem(&inflight, &tid);
	if (!e)
		return 0;
	st = bpf_map_lookup_elem(&stats, &zero);
	if (st)
		count_call(st, ret);
	out = bpf_ringbuf_reserve(&events, sizeof(*out), 0);
	if (out) {
		__builtin_memcpy(out, e, sizeof(*out));
		out->ret = ret;
		out->phase = ret < 0 ? PHASE_FAILED : PHASE_EXIT;
		bpf_ringbuf_submit(out, 0);
	}
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(fentry_unlink, int dfd, struct filename *name)
{
	int pid = bpf_get_current_pid_tgid() >> 32;
	u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&unlink_start, &pid, &ts, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(fexit_unlink, int dfd, struct filename *name, long ret)
{
	int pid = bpf_get_current_pid_tgid() >> 32;
	u64 *start = bpf_map_lookup_elem(&unlink_start, &pid);

	if (start && ret < 0)
		__sync_fetch_and_add(&custom_hits, bpf_ktime_get_ns() - *start);
	bpf_map_delete_elem(&unlink_start, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
