/* app.c: the user-space side of forkmix, built into app.wasm by
 * `ecc build-wasm` and run with `ecli run app.wasm [options]`.
 * Generated once by `ecc gen-wasm-skel` (kept unless --force): edit freely.
 *
 * It parses options for the BPF globals, sets them, loads and attaches the
 * programs through the skeleton (forkmix.skel.h, libbpf's API from
 * libbpf-wasm.h), and prints every event as one JSON line (the keys of
 * `ecli -j`). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libbpf-wasm.h"
#include "forkmix.wasm.h"
#include "forkmix.skel.h"
#include "ewasm_util.h"

static const char app_name[] = "forkmix";

static const char usage[] =
	"usage: forkmix [options]\n"
	"\noptions:\n      --verbose             Print a trace line for every fork (visible in trace_pipe).\n"
	"      --syscalls_seen=VALUE set syscalls_seen\n"
	"      --forks=VALUE         set forks\n"
	"      --kernel_version=VALUE  set kernel_version\n"
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

/* One record of fork_events (BPF_MAP_TYPE_PERF_EVENT_ARRAY). */
static int handle_fork_events(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size < sizeof(struct fork_event))
		return 0; /* a short record: nothing to decode */
	ewasm_json_fork_event((const struct fork_event *)data);
	ewasm_json_line();
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"verbose", no_argument, NULL, 256},
		{"syscalls_seen", required_argument, NULL, 257},
		{"forks", required_argument, NULL, 258},
		{"kernel_version", required_argument, NULL, 259},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct forkmix_bpf *skel = forkmix_bpf__open();
	struct bpf_buffer *buf_fork_events = NULL;
	int opt, err = 0;

	(void)bad_value;
	if (!skel) {
		ewasm_error(app_name, "cannot open the BPF object", -errno);
		return 1;
	}
	while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (opt) {
		case 256: /* rodata.verbose */
			skel->rodata->verbose = 1;
			break;
		case 257: /* bss.syscalls_seen */
			{
				uint64_t v;

				if (ewasm_parse_uint(optarg, UINT64_MAX, &v))
					bad_value("syscalls_seen", optarg);
				skel->bss->syscalls_seen = (uint64_t)v;
			}
			break;
		case 258: /* bss.forks */
			{
				uint64_t v;

				if (ewasm_parse_uint(optarg, UINT64_MAX, &v))
					bad_value("forks", optarg);
				skel->bss->forks = (uint64_t)v;
			}
			break;
		case 259: /* bss.kernel_version */
			{
				int64_t v;

				if (ewasm_parse_int(optarg, INT32_MIN, INT32_MAX, &v))
					bad_value("kernel_version", optarg);
				skel->bss->kernel_version = (int32_t)v;
			}
			break;
		case 'h':
			ewasm_write(1, usage);
			forkmix_bpf__destroy(skel);
			return 0;
		default:
			ewasm_write(2, usage);
			forkmix_bpf__destroy(skel);
			return 2;
		}
	}
	if (optind < argc) {
		ewasm_write(2, usage);
		forkmix_bpf__destroy(skel);
		return 2;
	}

	err = forkmix_bpf__load(skel);
	if (err) {
		/* the host said why on stderr */
		ewasm_error(app_name, "cannot load the BPF object", 0);
		forkmix_bpf__destroy(skel);
		return 1;
	}
	err = forkmix_bpf__attach(skel);
	if (err) {
		ewasm_error(app_name, "cannot attach the BPF programs", err);
		forkmix_bpf__destroy(skel);
		return 1;
	}
	buf_fork_events = bpf_buffer__open(skel->maps.fork_events, handle_fork_events, NULL);
	if (!buf_fork_events) {
		err = -errno;
		ewasm_error(app_name, "cannot open the buffer fork_events", err);
		goto cleanup;
	}
	for (;;) {
		err = bpf_buffer__poll(buf_fork_events, 100);
		if (err < 0 && err != -EINTR)
			break;
	}
	if (err < 0)
		ewasm_error(app_name, "polling events failed", err);
	goto cleanup; /* (keeps the label used when there is no buffer) */
cleanup:
	bpf_buffer__free(buf_fork_events);
	forkmix_bpf__destroy(skel);
	return err < 0 ? 1 : 0;
}
