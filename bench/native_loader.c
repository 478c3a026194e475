// The start-up floor (bench/ecli_startup.sh): a minimal libbpf loader doing
// what `ecli run PACKAGE.json` does up to its "attached" line, for the same
// BPF object, without a skeleton: open the object, write each .rodata's
// initial value back as ecli sets its program options (copy, patch, set),
// load, attach every program, open a reader on every ring buffer and perf
// event array (ecli opens its event streams before it says "attached"),
// then say "native: attached N programs" on stderr and wait for SIGINT or
// SIGTERM; with -x, exit at once instead.
// usage: native_loader [-x] OBJECT.bpf.o
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINKS 64
#define MAX_READERS 16

static int on_ring(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

static void on_perf(void *ctx, int cpu, void *data, __u32 size)
{
	(void)ctx;
	(void)cpu;
	(void)data;
	(void)size;
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* ecli copies a data section's initial value, patches an option into it and
 * sets it back; the values here are the compiled-in defaults. */
static int set_rodata(struct bpf_object *obj)
{
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) {
		size_t size = 0;
		const void *init;
		if (!ends_with(bpf_map__name(map), ".rodata"))
			continue;
		init = bpf_map__initial_value(map, &size);
		if (!init)
			continue;
		void *image = malloc(size);
		if (!image)
			return -1;
		memcpy(image, init, size);
		int err = bpf_map__set_initial_value(map, image, size);
		free(image);
		if (err)
			return err;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int exit_at_once = argc == 3 && strcmp(argv[1], "-x") == 0;
	if (argc != 2 + exit_at_once) {
		fprintf(stderr, "usage: %s [-x] OBJECT.bpf.o\n", argv[0]);
		return 2;
	}
	/* SIGINT and SIGTERM wait in sigwait() below */
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, NULL);
	struct bpf_object *obj = bpf_object__open_file(argv[1 + exit_at_once], NULL);
	if (!obj) {
		perror("native_loader: open");
		return 1;
	}
	if (set_rodata(obj) || bpf_object__load(obj)) {
		fprintf(stderr, "native_loader: load failed\n");
		return 1;
	}
	struct bpf_link *links[MAX_LINKS];
	int attached = 0;
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (attached == MAX_LINKS || !(links[attached] = bpf_program__attach(prog))) {
			fprintf(stderr, "native_loader: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
		attached++;
	}
	struct ring_buffer *rings[MAX_READERS];
	struct perf_buffer *perfs[MAX_READERS];
	int nring = 0, nperf = 0;
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) {
		enum bpf_map_type t = bpf_map__type(map);
		if (t == BPF_MAP_TYPE_RINGBUF && nring < MAX_READERS)
			rings[nring++] = ring_buffer__new(bpf_map__fd(map), on_ring, NULL, NULL);
		else if (t == BPF_MAP_TYPE_PERF_EVENT_ARRAY && nperf < MAX_READERS)
			perfs[nperf++] = perf_buffer__new(bpf_map__fd(map), 64, on_perf, NULL, NULL, NULL);
		else
			continue;
		if ((nring && !rings[nring - 1]) || (nperf && !perfs[nperf - 1])) {
			fprintf(stderr, "native_loader: cannot open a reader of %s\n", bpf_map__name(map));
			return 1;
		}
	}
	fprintf(stderr, "native: attached %d programs\n", attached);
	int sig;
	if (!exit_at_once)
		sigwait(&stops, &sig);
	for (int i = 0; i < nring; i++)
		ring_buffer__free(rings[i]);
	for (int i = 0; i < nperf; i++)
		perf_buffer__free(perfs[i]);
	for (int i = 0; i < attached; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return 0;
}
