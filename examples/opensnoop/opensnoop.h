/* opensnoop: one record per openat(2) that returned. */
#ifndef ECC_EXAMPLE_OPENSNOOP_H
#define ECC_EXAMPLE_OPENSNOOP_H

#define OPENSNOOP_COMM_LEN 16
#define OPENSNOOP_NAME_LEN 255

struct event {
	unsigned long long ts;  /* ns since boot, at return */
	unsigned int pid;
	unsigned int uid;
	int ret;                /* fd, or -errno */
	int flags;              /* open flags */
	char comm[OPENSNOOP_COMM_LEN];
	char fname[OPENSNOOP_NAME_LEN];
};

#endif
