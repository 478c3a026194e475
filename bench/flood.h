/* flood: 64-byte events with a sequence number, for throughput benches. */
#ifndef ECC_BENCH_FLOOD_H
#define ECC_BENCH_FLOOD_H

struct event {
	unsigned long long seq;   /* 0, 1, 2, ... per attempted event */
	unsigned long long ts;    /* ns since boot */
	unsigned int pid;
	char comm[16];
	unsigned char pad[20];
};

#endif
