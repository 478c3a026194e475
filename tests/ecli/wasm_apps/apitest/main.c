/* The user-space side of apitest, written the way wasm-bpf's examples are
 * (skeleton, libbpf-wasm.h, printf) and split over two files: main.c polls,
 * maps.c iterates and edits the maps. Prints one JSON line per event and
 * per map entry; runs for argv[2] seconds. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libbpf-wasm.h"
#include "apitest.h"
#include "apitest.skel.h"
#include "maps.h"

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void print_event(const char *via, const struct event *e, size_t size)
{
	printf("{\"via\":\"%s\",\"size\":%zu,\"pid\":%d,\"tpid\":%d,\"sig\":%d,\"kind\":%d}\n", via, size, e->pid,
	       e->tpid, e->sig, e->kind);
	fflush(stdout);
}

/* wasm-bpf's callback type: the ctx names the buffer. */
static int handle_event(void *ctx, void *data, size_t size)
{
	print_event((const char *)ctx, data, size);
	return 0;
}

static int handle_ring(void *ctx, void *data, size_t size)
{
	(void)ctx;
	print_event("ring_buffer", data, size);
	return 0;
}

static void handle_perf(void *ctx, int cpu, void *data, __u32 size)
{
	(void)ctx;
	(void)cpu;
	print_event("perf_buffer", data, size);
}

int main(int argc, char **argv)
{
	struct bpf_buffer *rb = NULL, *pb2 = NULL, *unused;
	struct ring_buffer *ring = NULL;
	struct perf_buffer *perf = NULL;
	struct apitest_bpf *skel;
	unsigned long long end, next_dump;
	int err, n_ring = 0, n_perf = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: apitest PID SECONDS\n");
		return 2;
	}
	skel = apitest_bpf__open();
	if (!skel) {
		fprintf(stderr, "open failed: %d\n", -errno);
		return 1;
	}
	skel->rodata->target_pid = atoi(argv[1]);
	err = bpf_program__set_autoload(skel->progs.never_loaded, false);
	if (!err)
		err = bpf_set_prog_attach_target(skel->progs.count_lo, "lo");
	if (err) {
		fprintf(stderr, "setup failed: %d\n", err);
		goto cleanup;
	}
	/* Before load, a map has no fd; libbpf says -EINVAL. */
	printf("{\"fd_before_load\":%d,\"name\":\"%s\",\"type\":%d}\n", bpf_map__fd(skel->maps.counts),
	       bpf_map__name(skel->maps.counts), bpf_map__type(skel->maps.counts));
	err = apitest_bpf__load(skel);
	if (err) {
		fprintf(stderr, "load failed: %d\n", err);
		goto cleanup;
	}
	/* Too late for autoload now. */
	printf("{\"autoload_after_load\":%d}\n", bpf_program__set_autoload(skel->progs.on_kill_ring, false));
	err = apitest_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "attach failed: %d\n", err);
		goto cleanup;
	}
	err = maps_prepare(skel);
	if (err)
		goto cleanup;

	rb = bpf_buffer__open(skel->maps.rb, handle_event, "bpf_buffer");
	unused = bpf_buffer__new(skel->maps.pb2);
	bpf_buffer__free(unused);
	pb2 = bpf_buffer__new(skel->maps.pb2, NULL);
	if (pb2 && bpf_buffer__open(pb2, handle_event, NULL, "bpf_buffer_perf"))
		err = -errno;
	ring = ring_buffer__new(bpf_map__fd(skel->maps.rb2), handle_ring, NULL, NULL);
	perf = perf_buffer__new(bpf_map__fd(skel->maps.pb), 8, handle_perf, NULL, NULL, NULL);
	if (!rb || !unused || !pb2 || !ring || !perf || err) {
		err = err ? err : -errno;
		fprintf(stderr, "buffers failed: %d\n", err);
		goto cleanup;
	}
	printf("{\"attached\":true}\n");
	fflush(stdout);

	end = now_ms() + 1000ULL * (unsigned)atoi(argv[2]);
	next_dump = now_ms() + 500;
	while (now_ms() < end) {
		int r;

		err = bpf_buffer__poll(rb, 50);
		if (!err)
			err = bpf_buffer__poll(pb2, 20);
		if (err == -EINTR)
			break;
		if (err < 0) {
			fprintf(stderr, "bpf_buffer__poll: %d\n", err);
			goto cleanup;
		}
		r = ring_buffer__poll(ring, 20);
		if (r >= 0) {
			n_ring += r;
			r = ring_buffer__consume(ring);
		}
		if (r >= 0)
			n_ring += r;
		if (r >= 0) {
			r = perf_buffer__poll(perf, 20);
			n_perf += r > 0 ? r : 0;
		}
		if (r < 0 && r != -EINTR) {
			err = r;
			fprintf(stderr, "ring/perf poll: %d\n", r);
			goto cleanup;
		}
		if (now_ms() >= next_dump) {
			err = maps_dump(skel);
			if (err)
				goto cleanup;
			next_dump += 500;
		}
	}
	printf("{\"ring_count\":%d,\"perf_count\":%d}\n", n_ring, n_perf);
	apitest_bpf__detach(skel);
	err = 0;
	{
		/* A second object of the same skeleton, in one call. */
		struct apitest_bpf *again = apitest_bpf__open_and_load();

		printf("{\"open_and_load\":%s,\"fd\":%d}\n", again ? "true" : "false",
		       again ? bpf_map__fd(again->maps.counts) : -errno);
		apitest_bpf__destroy(again);
	}

cleanup:
	fflush(stdout);
	bpf_buffer__free(rb);
	bpf_buffer__free(pb2);
	ring_buffer__free(ring);
	perf_buffer__free(perf);
	apitest_bpf__destroy(skel);
	return err < 0 ? 1 : 0;
}
