/* app.c: the user-space side of taskiter, built into app.wasm by
 * `ecc build-wasm` and run with `ecli run app.wasm [options]`.
 * Generated once by `ecc gen-wasm-skel` (kept unless --force): edit freely.
 *
 * It parses options for the BPF globals, sets them, loads and attaches the
 * programs through the skeleton (taskiter.skel.h, libbpf's API from
 * libbpf-wasm.h), and prints every event as one JSON line (the keys of
 * `ecli -j`). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libbpf-wasm.h"
#include "taskiter.wasm.h"
#include "taskiter.skel.h"
#include "ewasm_util.h"

static const char app_name[] = "taskiter";

static const char usage[] =
	"usage: taskiter [options]\n"
	"\noptions:\n      --max_rows=VALUE      Rows printed per read.\n"
	"      --line_prefix=VALUE   Prefix of every printed line.\n"
	"      --samples_taken=VALUE set samples_taken\n"
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

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"max_rows", required_argument, NULL, 256},
		{"line_prefix", required_argument, NULL, 257},
		{"samples_taken", required_argument, NULL, 258},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct taskiter_bpf *skel = taskiter_bpf__open();
	int opt, err = 0;

	(void)bad_value;
	if (!skel) {
		ewasm_error(app_name, "cannot open the BPF object", -errno);
		return 1;
	}
	while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (opt) {
		case 256: /* rodata.max_rows */
			{
				uint64_t v;

				if (ewasm_parse_uint(optarg, UINT32_MAX, &v))
					bad_value("max_rows", optarg);
				skel->rodata->max_rows = (uint32_t)v;
			}
			break;
		case 257: /* rodata.line_prefix */
			if (strlen(optarg) >= 8)
				bad_value("line_prefix", optarg);
			memset(skel->rodata->line_prefix, 0, 8);
			memcpy(skel->rodata->line_prefix, optarg, strlen(optarg));
			break;
		case 258: /* bss.samples_taken */
			{
				uint64_t v;

				if (ewasm_parse_uint(optarg, UINT64_MAX, &v))
					bad_value("samples_taken", optarg);
				skel->bss->samples_taken = (uint64_t)v;
			}
			break;
		case 'h':
			ewasm_write(1, usage);
			taskiter_bpf__destroy(skel);
			return 0;
		default:
			ewasm_write(2, usage);
			taskiter_bpf__destroy(skel);
			return 2;
		}
	}
	if (optind < argc) {
		ewasm_write(2, usage);
		taskiter_bpf__destroy(skel);
		return 2;
	}

	err = taskiter_bpf__load(skel);
	if (err) {
		/* the host said why on stderr */
		ewasm_error(app_name, "cannot load the BPF object", 0);
		taskiter_bpf__destroy(skel);
		return 1;
	}
	err = taskiter_bpf__attach(skel);
	if (err) {
		ewasm_error(app_name, "cannot attach the BPF programs", err);
		taskiter_bpf__destroy(skel);
		return 1;
	}
	/* No ring buffer, perf event array or sampled map: stay attached until the
	 * runner stops the app. Read maps here with bpf_map_lookup_elem(). */
	for (;;)
		sleep(1);
	goto cleanup; /* (keeps the label used when there is no buffer) */
cleanup:
	taskiter_bpf__destroy(skel);
	return err < 0 ? 1 : 0;
}
