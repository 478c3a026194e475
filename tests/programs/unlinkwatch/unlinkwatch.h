/* Export types of unlinkwatch: nested, anonymous, bitfield and enum members. */
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
		unsigned int pid;
		unsigned int tid;
	} task;                 /* named member of an anonymous struct type */
	union {                 /* anonymous union member */
		int ret;
		unsigned int raw_ret;
	};
	unsigned int is_dir : 1;
	unsigned int depth : 3;
	unsigned int dfd_low : 12;
	enum unlink_phase phase;
	char comm[16];
	char name[UNLINK_NAME_LEN];
};

struct unlink_stats {
	unsigned long long calls;
	unsigned long long failures;
	unsigned char last_phase;
	unsigned short flags : 4;
};

#endif
