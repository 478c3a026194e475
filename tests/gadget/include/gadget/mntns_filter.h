/* Inspektor Gadget's mount-namespace filter for ecc's tests: off unless the
 * runner sets gadget_filter_by_mntns and fills gadget_mntns_filter_map
 * (`ecli run --mntns ID`). */
#ifndef ECC_TEST_GADGET_MNTNS_FILTER_H
#define ECC_TEST_GADGET_MNTNS_FILTER_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <gadget/types.h>

const volatile bool gadget_filter_by_mntns = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, gadget_mntns_id);
	__type(value, __u32);
	__uint(max_entries, 1024);
} gadget_mntns_filter_map SEC(".maps");

static __always_inline gadget_mntns_id gadget_get_mntns_id(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
}

static __always_inline bool gadget_should_discard_mntns_id(gadget_mntns_id id)
{
	return gadget_filter_by_mntns && !bpf_map_lookup_elem(&gadget_mntns_filter_map, &id);
}

#endif
