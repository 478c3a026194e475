// Traces signals as the kernel generates them, with the sender, receiver,
// signal number and result.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sigsnoop.h"

/// Process ID to trace (the sender); 0 traces every process.
/// @cmdarg {"short": "p", "long": "pid", "default": 0, "help": "trace only signals sent by this PID"}
const volatile pid_t filtered_pid = 0;

/// Signal number to trace; 0 traces every signal.
/// @cmdarg {"short": "s", "long": "signal", "default": 0, "help": "trace only this signal"}
const volatile int target_signal = 0;

/// Report only signals whose generation failed.
/// @cmdarg {"short": "x", "long": "failed", "default": false, "help": "failed signals only"}
const volatile bool failed_only = false;

/// Signal events, one per generated signal.
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

/// Fires on every signal the kernel generates.
SEC("tracepoint/signal/signal_generate")
int sig_trace(struct trace_event_raw_signal_generate *ctx)
{
	u32 sender = bpf_get_current_pid_tgid() >> 32;
	int sig = ctx->sig;
	int ret = ctx->result;
	struct event e = {};

	if (filtered_pid && sender != (u32)filtered_pid)
		return 0;
	if (target_signal && sig != target_signal)
		return 0;
	if (failed_only && ret == 0)
		return 0;

	e.pid = sender;
	e.tpid = ctx->pid;
	e.sig = sig;
	e.ret = ret;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

/// @brief Trace standard and real-time signals.
/// @version 1.0
/// @details Prints the sending process, the target, the signal and whether it was delivered.
char LICENSE[] SEC("license") = "Dual BSD/GPL";
