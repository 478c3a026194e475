// libbpf 1.1 can crash (SIGSEGV) while it opens some damaged ELF files. Bytes
// from outside (a package from a registry, a module's embedded object) are
// first opened in a short-lived child process, so that such a file is one
// clear error instead of a crash of ecli.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ecc {

// Opens `elf` (`size` bytes) with bpf_object__open_mem in a child process and closes it.
// Throws Error(bad_input, "...", path) when the child dies of a signal;
// returns normally otherwise (libbpf's own open errors are left to the
// caller's real open, which reports them).
void check_libbpf_survives_open(const uint8_t* elf, size_t size, const std::string& path);

// From now on in this process, check_libbpf_survives_open keeps a copy of
// each object that survived in the cache (open-guard/, docs/cache.md), keyed
// by the libbpf version and the bytes' hash, and skips the child for bytes
// identical to a kept copy (~10 ms of `ecli run`'s start-up,
// docs/performance.md). A cache that cannot be read or written only means
// the child runs. Off by default: ecli run turns it on; fuzzers and tests of
// the library leave the cache alone.
void keep_open_survivors();

}  // namespace ecc
