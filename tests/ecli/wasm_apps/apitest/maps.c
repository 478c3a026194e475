/* The map half of apitest: the same skeleton header in another translation
 * unit, the skeleton shared through its pointer. */
#include <errno.h>
#include <stdio.h>

#include "libbpf-wasm.h"
#include "apitest.skel.h"
#include "maps.h"

int maps_prepare(struct apitest_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.counts);
	__u32 key = 1000, missing = 4242;
	__u64 value = 7, got = 0;
	int err;

	/* a marker entry that stays, one that is deleted again */
	err = bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST);
	if (!err) {
		key = 1001;
		err = bpf_map_update_elem(fd, &key, &value, BPF_ANY);
	}
	if (!err)
		err = bpf_map_delete_elem(fd, &key);
	if (!err) {
		key = 1000;
		err = bpf_map_lookup_elem_flags(fd, &key, &got, 0);
	}
	printf("{\"noexist_again\":%d,\"delete_missing\":%d,\"delete_missing_flags\":%d,\"lookup_missing\":%d,"
	       "\"marker\":%llu}\n",
	       bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST), bpf_map_delete_elem(fd, &missing),
	       bpf_map_delete_elem_flags(fd, &missing, 0), bpf_map_lookup_elem(fd, &missing, &got),
	       (unsigned long long)got);
	if (err)
		fprintf(stderr, "maps_prepare: %d\n", err);
	return err;
}

int maps_dump(struct apitest_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.counts);
	__u32 key, next, zero = 0;
	__u64 value;
	void *prev = NULL;
	int err;

	while ((err = bpf_map_get_next_key(fd, prev, &next)) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &value))
			continue;
		printf("{\"map\":\"%s\",\"key\":%u,\"value\":%llu}\n", bpf_map__name(skel->maps.counts), key,
		       (unsigned long long)value);
	}
	if (err != -ENOENT)
		return err;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.packets), &zero, &value))
		return -errno;
	printf("{\"xdp_packets\":%llu}\n", (unsigned long long)value);
	fflush(stdout);
	return 0;
}
