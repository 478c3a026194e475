// Linking the compiled object through libbpf's bpf_linker (docs/ecc.md): it
// fixes the DATASEC variable offsets clang leaves at 0, and writes only the
// sections BPF needs, so DWARF is dropped while .BTF/.BTF.ext are kept.
#pragma once

#include <string>
#include <vector>

namespace ecc {

// Throws Error(bad_input) naming `in` with libbpf's last message on failure.
void link_bpf_object(const std::string& in, const std::string& out);
// Several objects into one (ecc --gadget: the program and its markers).
void link_bpf_objects(const std::vector<std::string>& in, const std::string& out);

}  // namespace ecc
