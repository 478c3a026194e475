/* bootstrap: process start and exit records. */
#ifndef ECC_EXAMPLE_BOOTSTRAP_H
#define ECC_EXAMPLE_BOOTSTRAP_H

#define BOOTSTRAP_COMM_LEN 16
#define BOOTSTRAP_FILENAME_LEN 127

struct event {
	int pid;
	int ppid;
	unsigned int exit_code;
	unsigned long long duration_ns;  /* exit events: lifetime of the process */
	char comm[BOOTSTRAP_COMM_LEN];
	char filename[BOOTSTRAP_FILENAME_LEN];  /* exec events: the binary run */
	bool exit_event;
};

#endif
