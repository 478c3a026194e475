// Raw BTF blobs (a .BTF section, a kernel's /sys/kernel/btf file) into the
// model: libbpf's btf__new validates the bytes, import_btf reads every type
// into a TypeTable. Not generate_vmlinux_h: it is libbpf's btf_dump, whose
// output grows without bound on crafted BTF (a 1792-byte input took 81 s
// under ASan, all of it in btf_dump), and it only ever reads the kernel's BTF.
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <span>

#include "ecc/btf.h"
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
    size_t before = table.size();
    ecc::import_btf(btf, table);
    if (table.size() - before != btf__type_cnt(btf) - 1) {
      std::fprintf(stderr, "fuzz: import_btf made %zu types of %u\n", table.size() - before, btf__type_cnt(btf) - 1);
      std::abort();
    }
  });
  btf__free(btf);
  return 0;
}
