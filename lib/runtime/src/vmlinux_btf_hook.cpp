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
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

struct btf* mapped_kernel_btf() {
  int fd = ::open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  void* addr = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    addr = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (addr == MAP_FAILED) return nullptr;
  struct btf* btf = btf__new(addr, static_cast<__u32>(st.st_size));  // a copy: the mapping can go
  ::munmap(addr, static_cast<size_t>(st.st_size));
  return btf;
}

struct btf* load_vmlinux_btf() {
  if (struct btf* btf = mapped_kernel_btf()) return btf;
  return libbpf_find_kernel_btf();
}

}  // namespace

extern "C" {

__attribute__((weak, visibility("default"))) struct btf* btf__load_vmlinux_btf(void) { return load_vmlinux_btf(); }

__attribute__((visibility("default"))) struct btf* __wrap_btf__load_vmlinux_btf(void) { return load_vmlinux_btf(); }

}
