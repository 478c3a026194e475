/* apitest: one record per kill(2) seen by a program of the test app. */
#ifndef ECC_TEST_APITEST_H
#define ECC_TEST_APITEST_H

struct event {
	int pid;   /* sender (thread group id) */
	int tpid;  /* kill's pid argument */
	int sig;
	int kind;  /* which program wrote it: 1 ring, 2 perf, 3 the one never loaded */
};

#endif
