/* runqlat: log2 histograms of run-queue latency. */
#ifndef ECC_EXAMPLE_RUNQLAT_H
#define ECC_EXAMPLE_RUNQLAT_H

#define RUNQLAT_MAX_SLOTS 26
#define RUNQLAT_COMM_LEN 16

/* slots[i] counts latencies in [2^(i-1), 2^i) units; slots[0] counts 0. */
struct hist {
	unsigned int slots[RUNQLAT_MAX_SLOTS];
	char comm[RUNQLAT_COMM_LEN];
};

#endif
