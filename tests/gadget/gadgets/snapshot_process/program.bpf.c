// snapshot_process in Inspektor Gadget's style: a snapshotter whose task
// iterator writes one record per process; the runner prints them once.
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include <gadget/macros.h>
#include <gadget/types.h>

struct process_entry {
	gadget_comm comm[TASK_COMM_LEN];
	gadget_pid pid;
	gadget_pid ppid;
	gadget_uid uid;
	__u32 threads;
};

const volatile bool show_threads = false;

GADGET_PARAM(show_threads);

GADGET_SNAPSHOTTER(processes, process_entry, ig_snap_proc);

SEC("iter/task")
int ig_snap_proc(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct process_entry e = {};

	if (!task)
		return 0;
	if (!show_threads && task->tgid != task->pid)
		return 0;
	e.pid = task->tgid;
	e.ppid = BPF_CORE_READ(task, real_parent, tgid);
	e.uid = BPF_CORE_READ(task, cred, uid.val);
	e.threads = BPF_CORE_READ(task, signal, nr_threads);
	bpf_probe_read_kernel_str(e.comm, sizeof(e.comm), task->comm);
	bpf_seq_write(seq, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
