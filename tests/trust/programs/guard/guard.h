/* guard.bpf.c's export type (never sent: target_pid stays 0 in the tests). */
#ifndef GUARD_H
#define GUARD_H

struct guard_event {
	int pid;
	int sig;
};

#endif
