// The running kernel's BTF for libbpf, read through a mapping.
//
// libbpf 1.1 reads /sys/kernel/btf/vmlinux (5 MB here) through stdio, a
// read(2) per 4 KiB: btf__load_vmlinux_btf() took 44-51 ms on this project's
// machine, most of `ecli run`'s start-up, against 20-21 ms for btf__new() on
// a mapping of the same file (kernels since 6.16 let it be mapped; newer
// libbpf maps it itself). libbpf calls the function while it loads an
// object (CO-RE, kfuncs, attach targets), so the executables that run
// programs replace it:
//   - ecli links the shared libbpf, which calls it through its PLT: the weak
//     definition below, exported by the executable
//     (-Wl,--export-dynamic-symbol), is the one it gets;
//   - ecc-standalone links libbpf.a: -Wl,--wrap=btf__load_vmlinux_btf sends
//     libbpf's calls to __wrap_btf__load_vmlinux_btf (libbpf's own
//     definition stays, and wins over the weak one at link time).
// When the file cannot be mapped (an older kernel, no BTF, a device bound
// over it) or btf__new() refuses it, libbpf's own search runs, as before:
// libbpf_find_kernel_btf is its other name for the same function.
//
// Not part of ecc_runtime: the fuzzers' fake libbpf defines the function,
// and nothing in the runtime calls these.
#include <bpf/btf.h>
#include <bpf/libbpf_legacy.h>

#include <optional>

#include "ecc/files.h"

namespace {

struct btf* load_vmlinux_btf() {
  std::optional<ecc::MappedFile> mapped = ecc::MappedFile::open("/sys/kernel/btf/vmlinux");
  // btf__new copies the bytes: the mapping can go.
  if (mapped && !mapped->bytes().empty())
    if (struct btf* btf = btf__new(mapped->bytes().data(), static_cast<__u32>(mapped->bytes().size()))) return btf;
  return libbpf_find_kernel_btf();
}

}  // namespace

extern "C" {

__attribute__((weak, visibility("default"))) struct btf* btf__load_vmlinux_btf(void) { return load_vmlinux_btf(); }

__attribute__((visibility("default"))) struct btf* __wrap_btf__load_vmlinux_btf(void) { return load_vmlinux_btf(); }

}
