// ecc's command line (docs/ecc.md): the subcommands, and one struct of options
// filled by parse_options().
#pragma once

#include <string>
#include <vector>

#include "ecc/cmdline.h"

namespace ecc {

struct Options {
  enum class Mode { work, help, version };
  Mode mode = Mode::work;              // -h, --version: the last one given
  std::vector<std::string> inputs;     // positional files
  std::string out_dir;                 // -o; default: the source's directory
  std::vector<std::string> clang_flags;  // -a, repeatable
  std::string clang = "clang";         // --clang
  std::string llvm_strip;              // --llvm-strip; empty = the linker's output is final
  std::string btf;                     // --btf; default /sys/kernel/btf/vmlinux
  std::string vmlinux_h;               // --vmlinux-h
  std::string target_arch;             // --target-arch; default: the host's
  std::vector<std::string> target_archs;  // every --target-arch given (--gadget takes several)
  bool yaml = false;                   // -y
  bool no_package = false;             // -n
  bool verbose = false;                // -v
  bool rust = false;                   // --rust
  bool force = false;                  // --force
  std::string wasi_sysroot;            // --wasi-sysroot
  std::string btfgen;                  // --btfgen DIR: a btfhub-archive tree (docs/package-format.md)
  bool standalone = false;             // --standalone
  bool gadget = false;                 // --gadget: also an Inspektor Gadget image layout
};

// ecc's subcommands: the default one (packaging) and gen-wasm-skel and
// build-wasm; each runs on the arguments after its name. A hidden entry is
// an entry point ecc itself uses.
const std::vector<cmdline::Subcommand>& subcommands();

// Throws ecc::Error(Exit::usage) for an unknown option or a missing value.
Options parse_options(const std::vector<std::string>& args);

std::string usage_text();

}  // namespace ecc
