/* app.c: the user-space side of sigsnoop, built into app.wasm by
 * `ecc build-wasm` and run with `ecli run app.wasm [options]`.
 * Generated once by `ecc gen-wasm-skel` (kept unless --force): edit freely.
 *
 * It parses options for the BPF globals, sets them, loads and attaches the
 * programs through the skeleton (sigsnoop.skel.h, libbpf's API from
 * libbpf-wasm.h), and prints every event as one JSON line (the keys of
 * `ecli -j`). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libbpf-wasm.h"
#include "sigsnoop.wasm.h"
#include "sigsnoop.skel.h"
#include "ewasm_util.h"

static const char app_name[] = "sigsnoop";

static const char usage[] =
	"usage: sigsnoop [options]\n"
	"\nTrace standard and real-time signals.\n"
	"Prints the sending process, the target, the signal and whether it was delivered.\n"
	"\noptions:\n  -p, --pid=VALUE           trace only signals sent by this PID (default: 0)\n"
	"  -s, --signal=VALUE        trace only this signal (default: 0)\n"
	"  -x, --failed              failed signals only\n"
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

/* One record of events (BPF_MAP_TYPE_PERF_EVENT_ARRAY). */
static int handle_events(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size < sizeof(struct event))
		return 0; /* a short record: nothing to decode */
	ewasm_json_event((const struct event *)data);
	ewasm_json_line();
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"pid", required_argument, NULL, 'p'},
		{"signal", required_argument, NULL, 's'},
		{"failed", no_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sigsnoop_bpf *skel = sigsnoop_bpf__open();
	struct bpf_buffer *buf_events = NULL;
	int opt, err = 0;

	(void)bad_value;
	if (!skel) {
		ewasm_error(app_name, "cannot open the BPF object", -errno);
		return 1;
	}
	while ((opt = getopt_long(argc, argv, "p:s:xh", long_options, NULL)) != -1) {
		switch (opt) {
		case 'p': /* rodata.filtered_pid */
			{
				int64_t v;

				if (ewasm_parse_int(optarg, INT32_MIN, INT32_MAX, &v))
					bad_value("pid", optarg);
				skel->rodata->filtered_pid = (int32_t)v;
			}
			break;
		case 's': /* rodata.target_signal */
			{
				int64_t v;

				if (ewasm_parse_int(optarg, INT32_MIN, INT32_MAX, &v))
					bad_value("signal", optarg);
				skel->rodata->target_signal = (int32_t)v;
			}
			break;
		case 'x': /* rodata.failed_only */
			skel->rodata->failed_only = 1;
			break;
		case 'h':
			ewasm_write(1, usage);
			sigsnoop_bpf__destroy(skel);
			return 0;
		default:
			ewasm_write(2, usage);
			sigsnoop_bpf__destroy(skel);
			return 2;
		}
	}
	if (optind < argc) {
		ewasm_write(2, usage);
		sigsnoop_bpf__destroy(skel);
		return 2;
	}

	err = sigsnoop_bpf__load(skel);
	if (err) {
		/* the host said why on stderr */
		ewasm_error(app_name, "cannot load the BPF object", 0);
		sigsnoop_bpf__destroy(skel);
		return 1;
	}
	err = sigsnoop_bpf__attach(skel);
	if (err) {
		ewasm_error(app_name, "cannot attach the BPF programs", err);
		sigsnoop_bpf__destroy(skel);
		return 1;
	}
	buf_events = bpf_buffer__open(skel->maps.events, handle_events, NULL);
	if (!buf_events) {
		err = -errno;
		ewasm_error(app_name, "cannot open the buffer events", err);
		goto cleanup;
	}
	for (;;) {
		err = bpf_buffer__poll(buf_events, 100);
		if (err < 0 && err != -EINTR)
			break;
	}
	if (err < 0)
		ewasm_error(app_name, "polling events failed", err);
	goto cleanup; /* (keeps the label used when there is no buffer) */
cleanup:
	bpf_buffer__free(buf_events);
	sigsnoop_bpf__destroy(skel);
	return err < 0 ? 1 : 0;
}
