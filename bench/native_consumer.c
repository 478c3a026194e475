// The baseline: a minimal libbpf consumer of bench/flood.bpf.o, without a
// skeleton (open_file, set target_pid, load, attach, ring_buffer__poll or,
// for FLOOD_PERF's perf event array, perf_buffer__poll with a lost callback).
// Counts events and sequence gaps; prints "events N lost GAPS reported R
// drops D no_reader U" at the end: R the losses reported to it (the perf
// buffer's lost records; for the ring buffer the program's count of reserve
// failures), D and U the program's own counts in the `drops` map.
// MODE "count" (the default) only counts, and prints that line on stdout;
// MODE "json" also prints each event on stdout as the JSON line that
// `ecli run -j` prints for it (printf, stdio's buffering), and the count
// line on stderr: the floors of bench/ecli_throughput.sh.
// usage: native_consumer FLOOD.bpf.o PID SECONDS [count|json]
//        (SIGINT stops it earlier)
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flood.h"

static unsigned long long received, first_seq = ~0ull, last_seq, perf_lost;
static int json;

/* A char array as ecli prints it: up to the first NUL, JSON-escaped, bytes
 * >= 0x80 as '?'. */
static void print_string(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c >= 0x80 ? '?' : c);
	}
	putchar('"');
}

static void print_event(const struct event *e)
{
	printf("{\"seq\":%llu,\"ts\":%llu,\"pid\":%u,\"comm\":", e->seq, e->ts, e->pid);
	print_string(e->comm, sizeof(e->comm));
	fputs(",\"pad\":", stdout);
	print_string((const char *)e->pad, sizeof(e->pad));
	fputs("}\n", stdout);
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct event *e = data;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	received++;
	if (json)
		print_event(e);
	if (e->seq < first_seq)
		first_seq = e->seq;
	if (e->seq > last_seq)
		last_seq = e->seq;
	return 0;
}

static void on_perf_event(void *ctx, int cpu, void *data, __u32 size)
{
	(void)cpu;
	on_event(ctx, data, size);
}

static void on_perf_lost(void *ctx, int cpu, __u64 n)
{
	(void)ctx;
	(void)cpu;
	perf_lost += n;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "count") && strcmp(argv[4], "json"))) {
		fprintf(stderr, "usage: %s FLOOD.bpf.o PID SECONDS [count|json]\n", argv[0]);
		return 2;
	}
	json = argc == 5 && strcmp(argv[4], "json") == 0;
	int pid = atoi(argv[2]);
	double end = now() + atof(argv[3]);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror("open");
		return 1;
	}
	struct bpf_map *map, *rodata = NULL;
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);
		if (len >= 7 && strcmp(name + len - 7, ".rodata") == 0)
			rodata = map;
	}
	size_t size = 0;
	const void *init = rodata ? bpf_map__initial_value(rodata, &size) : NULL;
	if (!init || size < sizeof(int)) {
		fprintf(stderr, "no .rodata\n");
		return 1;
	}
	char *image = malloc(size);
	memcpy(image, init, size);
	memcpy(image, &pid, sizeof(pid)); /* target_pid is the first variable */
	bpf_map__set_initial_value(rodata, image, size);
	free(image);
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load failed\n");
		return 1;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "flood");
	struct bpf_link *link = bpf_program__attach(prog);
	if (!link) {
		fprintf(stderr, "attach failed\n");
		return 1;
	}
	struct bpf_map *events = bpf_object__find_map_by_name(obj, "events");
	int perf = bpf_map__type(events) == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
	struct ring_buffer *rb = NULL;
	struct perf_buffer *pb = NULL;
	if (perf)
		pb = perf_buffer__new(bpf_map__fd(events), 64, on_perf_event, on_perf_lost, NULL, NULL);
	else
		rb = ring_buffer__new(bpf_map__fd(events), on_event, NULL, NULL);
	if (!rb && !pb)
		return 1;
	fprintf(stderr, "native: attached 1 programs\n");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop && now() < end)
		perf ? perf_buffer__poll(pb, 100) : ring_buffer__poll(rb, 100);
	perf ? perf_buffer__consume(pb) : ring_buffer__consume(rb);
	/* flood.h's struct drops at key 0, when the object has the map */
	struct drops d = { 0 };
	struct bpf_map *dm = bpf_object__find_map_by_name(obj, "drops");
	unsigned int zero = 0;
	if (dm && bpf_map_lookup_elem(bpf_map__fd(dm), &zero, &d))
		memset(&d, 0, sizeof(d));
	unsigned long long drops = d.full;
	unsigned long long span = received ? last_seq - first_seq + 1 : 0;
	fflush(stdout);
	fprintf(json ? stderr : stdout, "events %llu lost %llu reported %llu drops %llu no_reader %llu\n", received, span - received,
	       perf ? perf_lost : drops, drops, d.no_reader);
	ring_buffer__free(rb);
	perf_buffer__free(pb);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
