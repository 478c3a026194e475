/* Export types of forkmix: named nested records, a union type, enums, and
 * @metric members (docs/annotations.md#metric) reached through them. */
#ifndef ECC_TEST_FORKMIX_H
#define ECC_TEST_FORKMIX_H

enum fork_kind {
	FORK_PROCESS = 0,
	FORK_THREAD = 1,
	FORK_KIND_MAX = 0x7fffffff,
};

struct task_ids {
	int pid;
	int tgid;
	/// User ID of the task.
	/// @metric label
	unsigned int uid;
};

union fork_payload {
	unsigned long long clone_flags;
	unsigned char bytes[8];
};

struct fork_event {
	struct task_ids parent;
	struct task_ids child;
	/// @metric label
	enum fork_kind kind;
	union fork_payload payload;
	unsigned short cpu;
	/// @metric label
	char comm[16];
	/**
	 * Nanoseconds since the previous fork.
	 * @metric histogram {"buckets": [1000, 10000, 100000, 1000000]}
	 */
	long long delta_ns;
};

#endif
