/* Inspektor Gadget's process helper for ecc's tests. */
#ifndef ECC_TEST_GADGET_COMMON_H
#define ECC_TEST_GADGET_COMMON_H

#include <bpf/bpf_helpers.h>
#include <gadget/mntns_filter.h>
#include <gadget/types.h>

static __always_inline void gadget_process_populate(struct gadget_process *p)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	bpf_get_current_comm(p->comm, sizeof(p->comm));
	p->pid = pid_tgid >> 32;
	p->tid = (__u32)pid_tgid;
	p->mntns_id = gadget_get_mntns_id();
	p->uid = (__u32)uid_gid;
	p->gid = uid_gid >> 32;
}

#endif
