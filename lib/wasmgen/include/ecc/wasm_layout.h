// The wasm32 re-layout of BPF-side records: every member at its BTF offset.
//
// wasm32 and bpf agree on the alignment of fixed-width integers (i64 is
// 8-aligned on both), but not on `long` or pointers (4 bytes on wasm32), and
// packed/aligned attributes are not visible in the member types. So nothing is
// left to the guest compiler: each field gets a fixed-width type, the gaps
// become explicit padding, and a record whose offsets its natural alignment
// cannot reproduce is marked packed (with the BPF alignment restored).
// Both the C and the Rust emitter read this plan.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ecc/model.h"

namespace ecc::wasmgen {

enum class WKind { Int, Bool, Char, Float, Enum, Pointer, Record, Array, Bytes };

struct WType {
  WKind kind = WKind::Bytes;
  uint32_t size = 0;
  uint32_t align = 1;
  bool is_signed = false;
  TypeId source = 0;                 // Enum: the enum; Record: the record (resolved ids)
  int record = -1;                   // Record: index into WPlan::records
  std::shared_ptr<WType> elem;       // Array
  uint32_t count = 0;                // Array
};

// One bitfield inside a storage run, relative to the run's first byte.
struct WBit {
  std::string name;
  uint32_t bit_offset = 0;
  uint32_t bit_size = 0;
  WType type;                        // the declared type (Int, Bool or Enum)
};

struct WField {
  enum class Role {
    Member,      // a member at `offset`
    Padding,     // explicit filler bytes
    BitStorage,  // raw bytes holding `bits`, read through accessors
    NativeBits,  // `bits` kept as C bitfields: the wasm32 allocation is proven equal
  };
  Role role = Role::Member;
  std::string name;                  // generated for Padding/BitStorage; empty for an anonymous record member
  uint32_t offset = 0;               // bytes, from the start of the record
  uint32_t size = 0;
  WType type;                        // Member: its type; Padding/BitStorage: Bytes
  std::vector<WBit> bits;
};

struct WRecord {
  TypeId source = 0;
  bool is_union = false;
  std::string tag;                   // struct/union tag; empty when anonymous
  std::string typedef_name;          // the typedef that names an anonymous record
  bool inline_anonymous = false;     // anonymous and not typedef'd: defined inside its user
  std::string rust_name;             // always set: Rust has no anonymous types
  uint32_t size = 0;
  uint32_t align = 1;                // the BPF alignment (the wasm type is made to match)
  uint32_t natural_align = 1;        // the alignment the fields give on their own
  bool packed = false;
  std::vector<WField> fields;

  // "struct event", "task_row_t"; empty for an inline anonymous record.
  std::string c_name() const;
};

struct WPlan {
  const TypeTable* types = nullptr;  // the table every `source` id refers to
  std::vector<WRecord> records;      // users after the records they use
  std::vector<TypeId> enums;         // every enum reached, first use first
  std::vector<int> exported;         // export types that are records, in header order, then
                                     // sampled maps' struct values (the app prints them typed)

  int find(TypeId resolved) const;
};

// Plans every export type of `skel` (and everything they use). Throws
// Error(bad_input) for a record whose members overlap or run past its end.
WPlan plan_export_types(const Skeleton& skel);

// Maps one type into `plan` (planning the records it uses).
WType plan_type(const TypeTable& types, TypeId id, WPlan& plan);

// A record laid out from a list of (name, type, byte offset) members and a
// size: the view of a data section (.rodata, .bss) at its BTF offsets.
WRecord plan_section_view(const TypeTable& types, const DataSection& sec, const std::string& rust_name,
                          WPlan& plan);

}  // namespace ecc::wasmgen
