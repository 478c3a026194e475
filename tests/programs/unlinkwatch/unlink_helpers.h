/* Small helpers shared by the unlinkwatch programs. */
#ifndef ECC_TEST_UNLINK_HELPERS_H
#define ECC_TEST_UNLINK_HELPERS_H

#define TID_OF(id) ((__u32)(id))
#define TGID_OF(id) ((__u32)((id) >> 32))
#define CLAMP(v, hi) ((v) > (hi) ? (hi) : (v))

static __always_inline void fill_task(struct unlink_event *e)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->ts = bpf_ktime_get_ns();
	e->task.pid = TGID_OF(id);
	e->task.tid = TID_OF(id);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline void count_call(struct unlink_stats *s, int ret)
{
	s->calls++;
	if (ret < 0)
		s->failures++;
	s->last_phase = ret < 0 ? 0 : 1;
}

#endif
