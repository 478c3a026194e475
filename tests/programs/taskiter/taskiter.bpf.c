// A BPF iterator over tasks plus a perf_event sampler, with struct and
// array globals and string literals (.rodata.str1.1).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "taskiter.h"

/// Rows printed per read.
const volatile unsigned int max_rows = 100;
/// Prefix of every printed line.
const volatile char line_prefix[8] = "task";

struct task_table table;            /* .bss, a struct global */
unsigned short heat[4][8];          /* .bss, 2D array */
task_row_t last_row = { .pid = 0, .nr_threads = 1 };  /* .data */
unsigned long long samples_taken;

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	task_row_t row = {};

	if (!task)
		return 0;
	if (ctx->meta->seq_num >= max_rows)
		return 1;
	row.pid = task->tgid;
	row.nr_threads = task->signal->nr_threads;
	row.start_ns = task->start_time;
	last_row = row;
	table.rows[ctx->meta->seq_num & 3] = row;
	table.grid[1][2]++;
	if (ctx->meta->seq_num == 0)
		BPF_SEQ_PRINTF(seq, "%s %7s %8s\n", "kind", "pid", "threads");
	BPF_SEQ_PRINTF(seq, "%s %7d %8d\n", line_prefix, row.pid, row.nr_threads);
	return 0;
}

SEC("perf_event")
int sample_cpu(struct bpf_perf_event_data *ctx)
{
	u32 cpu = bpf_get_smp_processor_id();

	samples_taken++;
	heat[cpu & 3][(ctx->sample_period >> 10) & 7]++;
	table.sums[cpu & 1] += ctx->sample_period;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
