// BTF and BPF objects -> the skeleton model (libbpf's BTF and object API).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecc/model.h"

struct btf;
struct bpf_object;

namespace ecc {

// Appends every type of `btf` (ids 1..n) to `table`; the type with BTF id i
// lands at table id `base + i - 1` where `base` is the table's size before
// the call, and carries `btf_id = i`. Returns `base`. VAR and DATASEC kinds
// are not types of the model and are imported as Void placeholders so that
// ids stay aligned; DECL_TAGs likewise. Damaged BTF throws Error(bad_input)
// naming the type and the field: an id past the last type ("BTF type 12
// (struct event) member 'comm' refers to type 6684690, past the last type
// 103"), a loop of typedefs, modifiers or arrays.
TypeId import_btf(const struct btf* btf, TypeTable& table);

// Reads a linked BPF object (ELF bytes) into a skeleton: all its BTF types
// (table id == BTF id), maps and programs as libbpf resolves them, and the
// data sections with their global variables from the BTF DATASECs.
// `obj_name` is the skeleton's obj_name ("<name>_bpf"). Docs and export
// types are left empty: they come from the source (lib/srcscan).
// Throws ecc::Error(bad_input) naming `path` for a malformed object.
Skeleton read_object(std::span<const uint8_t> elf, const std::string& obj_name, const std::string& path);

// A BPF object as libbpf opens it (bpf_object__open_mem, nothing loaded),
// read into the model and kept for the one run that takes it instead of
// opening the same bytes again; closed unless taken. The constructor throws
// as read_object does.
class OpenedObject {
 public:
  OpenedObject(std::span<const uint8_t> elf, const std::string& obj_name, const std::string& path);
  ~OpenedObject();
  OpenedObject(const OpenedObject&) = delete;
  OpenedObject& operator=(const OpenedObject&) = delete;
  // read_object's skeleton of it.
  Skeleton read() const;
  // The object, now the caller's to close; nullptr once taken.
  struct bpf_object* take();

 private:
  struct bpf_object* obj_;
  std::string obj_name_, path_;
};

// The text of vmlinux.h for `btf` (kernel BTF): every type via btf_dump,
// wrapped in the usual guard and preserve_access_index pragma, plus
// `extern ... __ksym` declarations of the kernel's kfuncs (BTF functions
// tagged "bpf_kfunc"), guarded by BPF_NO_KFUNC_PROTOTYPES.
std::string generate_vmlinux_h(const struct btf* btf);

// docs/package-format.md: every export type has a type_id, also one the program uses only
// for locals (so clang left it out of the object's BTF). Appends to raw BTF
// bytes (a .BTF section) each type of `wanted` (ids into `types`: Clang's
// layouts, ScanResult::export_types) that the BTF lacks — it has no
// struct/union/enum of the same kind and name, or for a typedef'd anonymous
// record no typedef of that name — with the types its members need, reusing
// those the BTF has (same kind and name; pointers, arrays and modifiers of
// the same type). Existing type ids and string offsets are kept: the old
// type and string sections are prefixes of the new ones (checked).
// Returns the new bytes, or nullopt when nothing is missing.
// Throws ecc::Error(bad_input) naming `path` and the type that failed.
std::optional<std::vector<uint8_t>> add_missing_types(std::span<const uint8_t> raw_btf, const TypeTable& types,
                                                      std::span<const TypeId> wanted, const std::string& path);

// The same on the BPF object (ELF file) at `path`, rewritten in place: its
// .BTF section is replaced through libelf and every other section keeps its
// bytes. Returns how many BTF types were added (0: the file is untouched).
size_t add_missing_types_to_object(const std::string& path, const TypeTable& types, std::span<const TypeId> wanted);

// The number of types (ids 1..n) in raw BTF bytes; 0 when they do not parse.
size_t btf_type_count(std::span<const uint8_t> raw_btf);

}  // namespace ecc
