// ecc's cache (docs/cache.md): vmlinux.h per BTF content, its PCHs per
// compiler and flags, and what ecc learned about a clang binary.
//   cache_root()           $XDG_CACHE_HOME/ecc/, else ~/.cache/ecc/ (ecc/cache_root.h)
//     toolchain-<key>.json      clang version, resource and system include dirs
//     btf-<hash>/vmlinux.h      generated from a kernel BTF (+ vmlinux.h.sum)
//     hdr-<hash>/vmlinux.h      a user's --vmlinux-h, copied in (+ vmlinux.h.sum)
//     .../clang-<key>.pch       PCH for the clang binary and flags
//     .../scan-<key>.pch        PCH for the in-process scan (libclang)
// Nothing in it is trusted: a damaged entry is rebuilt, never fatal. The
// toolchain record is type-checked, vmlinux.h carries a checksum file, and
// clang (and the scan) recompile without a PCH it refuses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "ecc/cache_file.h"  // hash_hex, checked cache files
#include "ecc/cache_root.h"
#include "ecc/files.h"       // read_file, write_file_atomic
#include "scan_module.h"

namespace ecc {

namespace fs = std::filesystem;


struct Toolchain {
  std::string clang;                      // resolved path
  std::string version;                    // first line of `clang --version`
  int major = 0;
  std::string resource_dir;
  std::vector<std::string> system_includes;  // from `clang -v -E`, for -idirafter
};

// Probes `clang` once per binary (path, size, mtime) and caches the answer.
// Throws Error(tool_failed) naming --clang when missing, broken or too old.
// With `module`, the clang binary of the module's own build is probed
// in-process: the same facts (tested against the binary), no clang to start.
Toolchain probe_toolchain(const std::string& clang, bool verbose, ScanModule* module = nullptr);

}  // namespace ecc
