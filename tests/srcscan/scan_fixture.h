// Writing a small BPF program (plus headers) to a temp dir, compiling it
// with plain clang for its BTF, and scanning the same source.
#pragma once

#include <map>
#include <string>

#include "ecc/srcscan.h"
#include "test_util.h"

namespace ecc::test {

// The arguments the driver gives the compile, as the scan gets them.
inline std::vector<std::string> scan_args(const TempDir& dir) {
  return {"-target", "bpf", "-D__TARGET_ARCH_x86", "-I", test_vmlinux_h().parent_path().string(),
          "-I", dir.path().string()};
}

inline ScanOptions scan_options(const TempDir& dir, const std::string& name, const std::string& header = {}) {
  ScanOptions o;
  o.source = (dir / (name + ".bpf.c")).string();
  if (!header.empty()) o.header = (dir / header).string();
  o.clang_args = scan_args(dir);
  o.vmlinux_h = test_vmlinux_h().string();
  return o;
}

// Writes `files` (name -> text) into `dir`.
inline void write_files(const TempDir& dir, const std::map<std::string, std::string>& files) {
  for (const auto& [name, text] : files) write_text(dir / name, text);
}

}  // namespace ecc::test
