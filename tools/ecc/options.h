// ecc's command line (SPEC §3): one struct, filled by parse_options().
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ecc {

enum class Command { package, gen_wasm_skel, build_wasm, help, version };

struct Options {
  Command command = Command::package;
  std::vector<std::string> inputs;     // positional files
  std::string out_dir;                 // -o; default: the source's directory
  std::vector<std::string> clang_flags;  // -a, repeatable
  std::string clang = "clang";         // --clang
  std::string llvm_strip;              // --llvm-strip; empty = the linker's output is final
  std::string btf;                     // --btf; default /sys/kernel/btf/vmlinux
  std::string vmlinux_h;               // --vmlinux-h
  std::string target_arch;             // --target-arch; default: the host's
  bool yaml = false;                   // -y
  bool no_package = false;             // -n
  bool verbose = false;                // -v
  bool rust = false;                   // --rust
  bool force = false;                  // --force
  std::string wasi_sysroot;            // --wasi-sysroot
  std::string btfgen;                  // --btfgen DIR: a btfhub-archive tree (SPEC §14)
  bool standalone = false;             // --standalone
};

// Throws ecc::Error(Exit::usage) for an unknown option or a missing value.
Options parse_options(const std::vector<std::string>& args);

std::string usage_text();

}  // namespace ecc
