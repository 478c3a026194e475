/* sigsnoop: one record per signal the kernel generates. */
#ifndef ECC_EXAMPLE_SIGSNOOP_H
#define ECC_EXAMPLE_SIGSNOOP_H

#define SIGSNOOP_COMM_LEN 16

struct event {
	unsigned int pid;   /* sender (thread group id) */
	unsigned int tpid;  /* receiver */
	int sig;
	int ret;            /* result of the generation; non-zero when it failed */
	char comm[SIGSNOOP_COMM_LEN];
};

#endif
