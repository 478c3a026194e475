// Raw BTF blobs (a .BTF section, a kernel's /sys/kernel/btf file) into the
// model: libbpf's btf__new validates the bytes, import_btf reads every type
// into a TypeTable, and vmlinux.h generation walks them all again.
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <span>

#include "ecc/btfdump.h"
#include "ecc/model.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  libbpf_set_print([](libbpf_print_level, const char*, va_list) { return 0; });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)ecc::btf_type_count(std::span(data, size));
  struct btf* btf = btf__new(data, static_cast<uint32_t>(size));
  if (!btf) return 0;  // libbpf refused the bytes: nothing of ours runs
  ecc::fuzz::expect_only_our_errors([&] {
    ecc::TypeTable table;
    ecc::import_btf(btf, table);
    (void)ecc::generate_vmlinux_h(btf);
  });
  btf__free(btf);
  return 0;
}
