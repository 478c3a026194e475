/* Export types of unlinkwatch: nested, anonymous, bitfield and enum members,
 * @metric on them (docs/annotations.md#metric). */
#ifndef ECC_TEST_UNLINKWATCH_H
#define ECC_TEST_UNLINKWATCH_H

#define UNLINK_NAME_LEN 64

enum unlink_phase {
	PHASE_FAILED = -1,
	PHASE_ENTER = 1,
	PHASE_EXIT = 2,
};

struct unlink_event {
	unsigned long long ts;
	struct {
		/// @metric label
		unsigned int pid;
		unsigned int tid;
	} task;                 /* named member of an anonymous struct type */
	union {                 /* anonymous union member */
		/// The return value; errors are negative.
		/// @metric histogram {"buckets": [-2, -1, 0]}
		int ret;
		unsigned int raw_ret;
	};
	/// @metric label
	unsigned int is_dir : 1;
	/// Path components below the directory.
	/// @metric histogram
	unsigned int depth : 3;
	unsigned int dfd_low : 12;
	/** @metric label */
	enum unlink_phase phase;
	/// @metric label
	char comm[16];
	char name[UNLINK_NAME_LEN];
};

struct unlink_stats {
	/// @metric counter
	unsigned long long calls;
	/// @metric counter
	unsigned long long failures;
	unsigned char last_phase;
	unsigned short flags : 4;
};

#endif
