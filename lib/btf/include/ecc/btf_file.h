// A BTF file named by the user (`--btf FILE` of ecc and ecli): raw BTF as
// /sys/kernel/btf/vmlinux publishes it, or an ELF file with a .BTF section
// (a vmlinux, a btfhub entry). One reader, so that both tools say the same
// thing about a bad one.
#pragma once

#include <bpf/btf.h>

#include <string>

namespace ecc {

// Parses `path`; throws Error(bad_input) naming the file and what is wrong
// with it (unreadable, empty, neither raw BTF nor ELF, an ELF without .BTF,
// damaged BTF: libbpf's reason) instead of libbpf's errno. The caller owns
// the result (btf__free).
struct btf* open_btf_file(const std::string& path);

// The same checks, for a caller that hands the path to libbpf itself
// (bpf_object_open_opts::btf_custom_path).
void check_btf_file(const std::string& path);

}  // namespace ecc
