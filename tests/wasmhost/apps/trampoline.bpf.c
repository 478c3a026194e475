// Programs that run through BPF trampolines, for the Wasm host tests of
// "the kernel cannot run this program type": one object per -D choice.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#ifdef WANT_FENTRY
SEC("fentry/do_unlinkat")
int BPF_PROG(on_unlinkat, int dfd) { return 0; }
#endif

#ifdef WANT_LSM
SEC("lsm/file_open")
int BPF_PROG(on_file_open, struct file *file) { return 0; }
#endif
