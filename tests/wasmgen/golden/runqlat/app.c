/* app.c: the user-space side of runqlat, built into app.wasm by
 * `ecc build-wasm` and run with `ecli run app.wasm [options]`.
 * Generated once by `ecc gen-wasm-skel` (kept unless --force): edit freely.
 *
 * It parses options for the BPF globals, sets them, loads and attaches the
 * programs through the skeleton (runqlat.skel.h, libbpf's API from
 * libbpf-wasm.h), and prints every event as one JSON line (the keys of
 * `ecli -j`). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libbpf-wasm.h"
#include "runqlat.wasm.h"
#include "runqlat.skel.h"
#include "ewasm_util.h"

static const char app_name[] = "runqlat";

static const char usage[] =
	"usage: runqlat [options]\n"
	"\nSummarize run queue (scheduler) latency as a histogram.\n"
	"\noptions:\n  -P, --pids                print a histogram per process ID\n"
	"  -m, --milliseconds        millisecond histogram\n"
	"  -p, --pid=VALUE           trace only this PID (default: 0)\n"
	"  -h, --help                print this help and exit\n";

static void bad_value(const char *opt, const char *value)
{
	ewasm_write(2, app_name);
	ewasm_write(2, ": error: invalid value for --");
	ewasm_write(2, opt);
	ewasm_write(2, ": '");
	ewasm_write(2, value);
	ewasm_write(2, "'\n");
	exit(2);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* hists every 1000 ms (@sample): one JSON line per entry, as `ecli -j`. */
static void dump_hists(struct runqlat_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.hists);
	uint8_t key[4], next[4];
	static uint8_t value[120] __attribute__((aligned(8)));
	int have = 0;

	while (bpf_map_get_next_key(fd, have ? key : NULL, next) == 0) {
		memcpy(key, next, sizeof(key));
		have = 1;
		if (bpf_map_lookup_elem(fd, key, value))
			continue;
		ewasm_json_raw("{\"map\":\"hists\",\"key\":");
		{
			uint32_t v;

			memcpy(&v, key, sizeof(v));
			ewasm_json_u64(v);
		}
		ewasm_json_raw(",\"value\":");
		ewasm_json_hist((const struct hist *)value);
		ewasm_json_raw("}");
		ewasm_json_line();
	}
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"pids", no_argument, NULL, 'P'},
		{"milliseconds", no_argument, NULL, 'm'},
		{"pid", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct runqlat_bpf *skel = runqlat_bpf__open();
	int opt, err = 0;

	(void)bad_value;
	if (!skel) {
		ewasm_error(app_name, "cannot open the BPF object", -errno);
		return 1;
	}
	while ((opt = getopt_long(argc, argv, "Pmp:h", long_options, NULL)) != -1) {
		switch (opt) {
		case 'P': /* rodata.targ_per_process */
			skel->rodata->targ_per_process = 1;
			break;
		case 'm': /* rodata.targ_ms */
			skel->rodata->targ_ms = 1;
			break;
		case 'p': /* rodata.targ_tgid */
			{
				int64_t v;

				if (ewasm_parse_int(optarg, INT32_MIN, INT32_MAX, &v))
					bad_value("pid", optarg);
				skel->rodata->targ_tgid = (int32_t)v;
			}
			break;
		case 'h':
			ewasm_write(1, usage);
			runqlat_bpf__destroy(skel);
			return 0;
		default:
			ewasm_write(2, usage);
			runqlat_bpf__destroy(skel);
			return 2;
		}
	}
	if (optind < argc) {
		ewasm_write(2, usage);
		runqlat_bpf__destroy(skel);
		return 2;
	}

	err = runqlat_bpf__load(skel);
	if (err) {
		/* the host said why on stderr */
		ewasm_error(app_name, "cannot load the BPF object", 0);
		runqlat_bpf__destroy(skel);
		return 1;
	}
	err = runqlat_bpf__attach(skel);
	if (err) {
		ewasm_error(app_name, "cannot attach the BPF programs", err);
		runqlat_bpf__destroy(skel);
		return 1;
	}
	int64_t start = now_ms();

	for (;;) {
		usleep(50000);
		{
			static int64_t next_hists;

			if (!next_hists)
				next_hists = start + 1000;
			if (now_ms() >= next_hists) {
				dump_hists(skel);
				next_hists += 1000;
			}
		}
	}
	if (err < 0)
		ewasm_error(app_name, "polling events failed", err);
	goto cleanup; /* (keeps the label used when there is no buffer) */
cleanup:
	runqlat_bpf__destroy(skel);
	return err < 0 ? 1 : 0;
}
