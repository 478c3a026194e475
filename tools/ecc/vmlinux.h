// Where the vmlinux.h of a run comes from and where its PCHs live (docs/cache.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "options.h"
#include "plan.h"

namespace ecc {

namespace fs = std::filesystem;

struct KernelHeader {
  fs::path dir;        // cache directory holding vmlinux.h and its PCHs
  fs::path header;     // dir/vmlinux.h
  bool cached = false; // already generated
  std::string origin;  // the BTF or vmlinux.h it comes from
};

// Decides which vmlinux.h the run uses: --vmlinux-h FILE, else generated
// from --btf FILE or the running kernel's BTF. Hashes the input to find it
// in the cache (the running kernel's BTF once per boot). Throws
// Error(bad_input) when there is no BTF to read. Without `check_cached`,
// kh.cached is left false and vmlinux.h is not read (the object cache only
// needs the directory).
KernelHeader locate_vmlinux_h(const Options& o, bool check_cached = true);

// The step that writes `kh.header` when it is not cached yet.
Step make_vmlinux_h_step(const KernelHeader& kh, const Options& o);

// The clang PCH of `kh.header` for these exact flags and compiler version.
fs::path clang_pch_path(const KernelHeader& kh, const std::string& clang_version,
                        const std::vector<std::string>& flags);
// The PCH of the in-process scan for these flags.
fs::path scan_pch_path(const KernelHeader& kh, const std::vector<std::string>& flags);

// True when the source's first preprocessing directive is
// `#include "vmlinux.h"` (or <vmlinux.h>) with nothing before it but
// comments, so pre-including the PCH changes nothing. Reads the file with a
// small C lexer (comments, line splices); no preprocessing.
bool starts_with_vmlinux_include(const fs::path& source);

}  // namespace ecc
