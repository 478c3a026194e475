/* app.c: the user-space side of bootstrap, built into app.wasm by
 * `ecc build-wasm` and run with `ecli run app.wasm [options]`.
 * Generated once by `ecc gen-wasm-skel` (kept unless --force): edit freely.
 *
 * It parses options for the BPF globals, sets them, loads and attaches the
 * programs through the skeleton (bootstrap.skel.h, libbpf's API from
 * libbpf-wasm.h), and prints every event as one JSON line (the keys of
 * `ecli -j`). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libbpf-wasm.h"
#include "bootstrap.wasm.h"
#include "bootstrap.skel.h"
#include "ewasm_util.h"

static const char app_name[] = "bootstrap";

static const char usage[] =
	"usage: bootstrap [options]\n"
	"\nTrace process start and exit.\n"
	"\noptions:\n  -d, --duration=VALUE      minimum process duration (ns) to report (default: 0)\n"
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

/* One record of rb (BPF_MAP_TYPE_RINGBUF). */
static int handle_rb(void *ctx, void *data, size_t size)
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
		{"duration", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct bootstrap_bpf *skel = bootstrap_bpf__open();
	struct bpf_buffer *buf_rb = NULL;
	int opt, err = 0;

	(void)bad_value;
	if (!skel) {
		ewasm_error(app_name, "cannot open the BPF object", -errno);
		return 1;
	}
	while ((opt = getopt_long(argc, argv, "d:h", long_options, NULL)) != -1) {
		switch (opt) {
		case 'd': /* rodata.min_duration_ns */
			{
				uint64_t v;

				if (ewasm_parse_uint(optarg, UINT64_MAX, &v))
					bad_value("duration", optarg);
				skel->rodata->min_duration_ns = (uint64_t)v;
			}
			break;
		case 'h':
			ewasm_write(1, usage);
			bootstrap_bpf__destroy(skel);
			return 0;
		default:
			ewasm_write(2, usage);
			bootstrap_bpf__destroy(skel);
			return 2;
		}
	}
	if (optind < argc) {
		ewasm_write(2, usage);
		bootstrap_bpf__destroy(skel);
		return 2;
	}

	err = bootstrap_bpf__load(skel);
	if (err) {
		/* the host said why on stderr */
		ewasm_error(app_name, "cannot load the BPF object", 0);
		bootstrap_bpf__destroy(skel);
		return 1;
	}
	err = bootstrap_bpf__attach(skel);
	if (err) {
		ewasm_error(app_name, "cannot attach the BPF programs", err);
		bootstrap_bpf__destroy(skel);
		return 1;
	}
	buf_rb = bpf_buffer__open(skel->maps.rb, handle_rb, NULL);
	if (!buf_rb) {
		err = -errno;
		ewasm_error(app_name, "cannot open the buffer rb", err);
		goto cleanup;
	}
	for (;;) {
		err = bpf_buffer__poll(buf_rb, 100);
		if (err < 0 && err != -EINTR)
			break;
	}
	if (err < 0)
		ewasm_error(app_name, "polling events failed", err);
	goto cleanup; /* (keeps the label used when there is no buffer) */
cleanup:
	bpf_buffer__free(buf_rb);
	bootstrap_bpf__destroy(skel);
	return err < 0 ? 1 : 0;
}
