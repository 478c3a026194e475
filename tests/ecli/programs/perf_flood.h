/* Large records, so that a stopped reader overflows the perf buffer. */
#ifndef ECLI_TEST_PERF_FLOOD_H
#define ECLI_TEST_PERF_FLOOD_H

struct flood_event {
	unsigned int pid;
	unsigned int seq;
	unsigned char pad[2040];
};

#endif
