/* Attaches tcapp's classifier to "lo:egress" through the wasm_bpf host,
 * says so, and runs for argv[1] seconds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "libbpf-wasm.h"
#include "tcapp.skel.h"

int main(int argc, char **argv)
{
	struct tcapp_bpf *skel;
	struct timespec ts = {0, 100 * 1000 * 1000};
	int err, i;

	if (argc != 2) {
		fprintf(stderr, "usage: tcapp SECONDS\n");
		return 2;
	}
	skel = tcapp_bpf__open();
	if (!skel) {
		fprintf(stderr, "open failed: %d\n", -errno);
		return 1;
	}
	err = bpf_set_prog_attach_target(skel->progs.tc_count_lo, "lo:egress");
	if (!err)
		err = tcapp_bpf__load(skel);
	if (!err)
		err = tcapp_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "attach failed: %d\n", err);
		tcapp_bpf__destroy(skel);
		return 1;
	}
	printf("{\"attached\":true}\n");
	fflush(stdout);
	for (i = 0; i < 10 * atoi(argv[1]); i++)
		nanosleep(&ts, NULL);
	tcapp_bpf__destroy(skel);
	return 0;
}
