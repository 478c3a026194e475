// BTF and BPF objects -> the skeleton model (libbpf's BTF and object API).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "ecc/model.h"

struct btf;

namespace ecc {

// Appends every type of `btf` (ids 1..n) to `table`; the type with BTF id i
// lands at table id `base + i - 1` where `base` is the table's size before
// the call, and carries `btf_id = i`. Returns `base`. VAR and DATASEC kinds
// are not types of the model and are imported as Void placeholders so that
// ids stay aligned; DECL_TAGs likewise.
TypeId import_btf(const struct btf* btf, TypeTable& table);

// Reads a linked BPF object (ELF bytes) into a skeleton: all its BTF types
// (table id == BTF id), maps and programs as libbpf resolves them, and the
// data sections with their global variables from the BTF DATASECs.
// `obj_name` is the skeleton's obj_name ("<name>_bpf"). Docs and export
// types are left empty: they come from the source (lib/srcscan).
// Throws ecc::Error(bad_input) naming `path` for a malformed object.
Skeleton read_object(std::span<const uint8_t> elf, const std::string& obj_name, const std::string& path);

// The text of vmlinux.h for `btf` (kernel BTF): every type via btf_dump,
// wrapped in the usual guard and preserve_access_index pragma, plus
// `extern ... __ksym` declarations of the kernel's kfuncs (BTF functions
// tagged "bpf_kfunc"), guarded by BPF_NO_KFUNC_PROTOTYPES.
std::string generate_vmlinux_h(const struct btf* btf);

}  // namespace ecc
