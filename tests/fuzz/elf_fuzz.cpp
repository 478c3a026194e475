// A BPF object (ELF bytes) into the model as ecli reads one from outside: the
// crash guard first (libbpf 1.1 itself crashes on some damaged ELF; the guard
// opens the bytes in a child process), then read_object.
#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <span>

#include "ecc/btf.h"
#include "ecc/open_guard.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  libbpf_set_print([](libbpf_print_level, const char*, va_list) { return 0; });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ecc::fuzz::expect_only_our_errors([&] {
    ecc::check_libbpf_survives_open(data, size, "fuzz.bpf.o");
    (void)ecc::read_object(std::span(data, size), "fuzz_bpf", "fuzz.bpf.o");
  });
  return 0;
}
