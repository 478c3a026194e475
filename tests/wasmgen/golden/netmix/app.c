/* app.c: the user-space side of netmix, built into app.wasm by
 * `ecc build-wasm` and run with `ecli run app.wasm [options]`.
 * Generated once by `ecc gen-wasm-skel` (kept unless --force): edit freely.
 *
 * It parses options for the BPF globals, sets them, loads and attaches the
 * programs through the skeleton (netmix.skel.h, libbpf's API from
 * libbpf-wasm.h), and prints every event as one JSON line (the keys of
 * `ecli -j`). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libbpf-wasm.h"
#include "netmix.wasm.h"
#include "netmix.skel.h"
#include "ewasm_util.h"

static const char app_name[] = "netmix";

static const char usage[] =
	"usage: netmix [options]\n"
	"\noptions:\n      --sample-every=VALUE  sampling period (default: 64)\n"
	"      --xdp_packets=VALUE   set xdp_packets\n"
	"      --tc_packets=VALUE    set tc_packets\n"
	"      --sock_packets=VALUE  set sock_packets\n"
	"      --cgroup_packets=VALUE  set cgroup_packets\n"
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

/* One record of samples (BPF_MAP_TYPE_RINGBUF). */
static int handle_samples(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size < sizeof(struct nm_flow_stats))
		return 0; /* a short record: nothing to decode */
	ewasm_json_nm_flow_stats((const struct nm_flow_stats *)data);
	ewasm_json_line();
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"sample-every", required_argument, NULL, 256},
		{"xdp_packets", required_argument, NULL, 257},
		{"tc_packets", required_argument, NULL, 258},
		{"sock_packets", required_argument, NULL, 259},
		{"cgroup_packets", required_argument, NULL, 260},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct netmix_bpf *skel = netmix_bpf__open();
	struct bpf_buffer *buf_samples = NULL;
	int opt, err = 0;

	(void)bad_value;
	if (!skel) {
		ewasm_error(app_name, "cannot open the BPF object", -errno);
		return 1;
	}
	while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (opt) {
		case 256: /* rodata.sample_every */
			{
				uint64_t v;

				if (ewasm_parse_uint(optarg, UINT32_MAX, &v))
					bad_value("sample-every", optarg);
				skel->rodata->sample_every = (uint32_t)v;
			}
			break;
		case 257: /* bss.xdp_packets */
			{
				uint64_t v;

				if (ewasm_parse_uint(optarg, UINT64_MAX, &v))
					bad_value("xdp_packets", optarg);
				skel->bss->xdp_packets = (uint64_t)v;
			}
			break;
		case 258: /* bss.tc_packets */
			{
				uint64_t v;

				if (ewasm_parse_uint(optarg, UINT64_MAX, &v))
					bad_value("tc_packets", optarg);
				skel->bss->tc_packets = (uint64_t)v;
			}
			break;
		case 259: /* bss.sock_packets */
			{
				uint64_t v;

				if (ewasm_parse_uint(optarg, UINT64_MAX, &v))
					bad_value("sock_packets", optarg);
				skel->bss->sock_packets = (uint64_t)v;
			}
			break;
		case 260: /* bss.cgroup_packets */
			{
				uint64_t v;

				if (ewasm_parse_uint(optarg, UINT64_MAX, &v))
					bad_value("cgroup_packets", optarg);
				skel->bss->cgroup_packets = (uint64_t)v;
			}
			break;
		case 'h':
			ewasm_write(1, usage);
			netmix_bpf__destroy(skel);
			return 0;
		default:
			ewasm_write(2, usage);
			netmix_bpf__destroy(skel);
			return 2;
		}
	}
	if (optind < argc) {
		ewasm_write(2, usage);
		netmix_bpf__destroy(skel);
		return 2;
	}

	err = netmix_bpf__load(skel);
	if (err) {
		/* the host said why on stderr */
		ewasm_error(app_name, "cannot load the BPF object", 0);
		netmix_bpf__destroy(skel);
		return 1;
	}
	err = netmix_bpf__attach(skel);
	if (err) {
		ewasm_error(app_name, "cannot attach the BPF programs", err);
		netmix_bpf__destroy(skel);
		return 1;
	}
	buf_samples = bpf_buffer__open(skel->maps.samples, handle_samples, NULL);
	if (!buf_samples) {
		err = -errno;
		ewasm_error(app_name, "cannot open the buffer samples", err);
		goto cleanup;
	}
	for (;;) {
		err = bpf_buffer__poll(buf_samples, 100);
		if (err < 0 && err != -EINTR)
			break;
	}
	if (err < 0)
		ewasm_error(app_name, "polling events failed", err);
	goto cleanup; /* (keeps the label used when there is no buffer) */
cleanup:
	bpf_buffer__free(buf_samples);
	netmix_bpf__destroy(skel);
	return err < 0 ? 1 : 0;
}
