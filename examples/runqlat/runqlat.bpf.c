// Run-queue latency: the time from a task being woken (or preempted while
// runnable) to it running on a CPU, summarised as log2 histograms.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "runqlat.h"

#define TASK_RUNNING 0
#define ALL_KEY ((u32)-1)

/// Keep one histogram per process (keyed by pid) instead of one in total.
/// @cmdarg {"short": "P", "long": "pids", "default": false, "help": "print a histogram per process ID"}
const volatile bool targ_per_process = false;

/// Report milliseconds instead of microseconds.
/// @cmdarg {"short": "m", "long": "milliseconds", "default": false, "help": "millisecond histogram"}
const volatile bool targ_ms = false;

/// Process ID to trace; 0 traces every process.
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "trace only this PID"}
const volatile pid_t targ_tgid = 0;

/// When each task was put on a run queue, by thread id.
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, u64);
} start SEC(".maps");

/// Run-queue latency histograms.
/// @sample {"interval": 1000, "type": "log2_hist", "unit": "usecs", "clear_map": false}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct hist);
} hists SEC(".maps");

/* Index of the highest set bit plus one: 0 -> 0, 1 -> 1, 2..3 -> 2, ... */
static __always_inline u32 log2_slot(u64 v)
{
	u32 slot = 0;

	if (v >> 32) { v >>= 32; slot += 32; }
	if (v >> 16) { v >>= 16; slot += 16; }
	if (v >> 8) { v >>= 8; slot += 8; }
	if (v >> 4) { v >>= 4; slot += 4; }
	if (v >> 2) { v >>= 2; slot += 2; }
	if (v >> 1) { v >>= 1; slot += 1; }
	return slot + (u32)v;
}

static __always_inline int enqueue(u32 tgid, u32 pid)
{
	u64 ts;

	if (!pid)
		return 0;
	if (targ_tgid && (u32)targ_tgid != tgid)
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct *p)
{
	return enqueue(p->tgid, p->pid);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_wakeup_new, struct task_struct *p)
{
	return enqueue(p->tgid, p->pid);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	static const struct hist zero;
	struct hist *h;
	u64 *tsp, delta;
	u32 pid = next->pid, key, slot;

	/* A task preempted while runnable goes straight back on a queue. */
	if (BPF_CORE_READ(prev, __state) == TASK_RUNNING)
		enqueue(prev->tgid, prev->pid);

	tsp = bpf_map_lookup_elem(&start, &pid);
	if (!tsp)
		return 0;
	delta = bpf_ktime_get_ns() - *tsp;
	bpf_map_delete_elem(&start, &pid);
	if ((s64)delta < 0)
		return 0;

	key = targ_per_process ? (u32)next->tgid : ALL_KEY;
	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			return 0;
		if (targ_per_process)
			bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), next->comm);
	}

	delta /= targ_ms ? 1000000U : 1000U;
	slot = log2_slot(delta);
	if (slot >= RUNQLAT_MAX_SLOTS)
		slot = RUNQLAT_MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	return 0;
}

/// @brief Summarize run queue (scheduler) latency as a histogram.
/// @version 1.0
char LICENSE[] SEC("license") = "GPL";
