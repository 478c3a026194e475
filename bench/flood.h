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

/* The value of flood.bpf.c's sampled map `drops` (one entry): events the
 * program could not output. The event type comes first: it is the type of
 * the events buffer. */
struct drops {
	unsigned long long full;      /* the buffer had no room (ring, perf) */
	unsigned long long no_reader; /* perf: no reader had opened the CPU's buffer */
};

#endif
