// The one model in the middle of ecc: types, maps, programs, variables.
//
// Readers fill it (lib/btfdump from an object's BTF and libbpf's view of the
// object, lib/srcscan from Clang's AST); emitters (lib/skelgen) only read it.
// Nothing downstream re-walks BTF or the AST on its own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecc {

// Annotations from doc comments (docs/annotations.md): an object whose values are JSON
// where the comment text was valid JSON, strings otherwise. Insertion order is
// kept so that output is stable.
using Json = nlohmann::ordered_json;

// Index into a TypeTable. 0 is always `void`.
using TypeId = uint32_t;

// How deep types are followed into types (records in records, arrays of
// arrays, anonymous members in anonymous members) by everything that walks
// them: deeper is a damaged or hostile input, not a program.
constexpr int kMaxTypeDepth = 32;

enum class TypeKind : uint8_t {
  Void,
  Int,       // also char, _Bool and 128-bit ints
  Float,
  Pointer,
  Array,
  Struct,
  Union,
  Enum,
  Fwd,       // forward declaration (struct/union without a body)
  Typedef,
  Const,
  Volatile,
  Restrict,
  TypeTag,   // BTF type tag; transparent for layout and spelling
  FuncProto,
  Func,
};

struct Member {
  std::string name;        // empty for an anonymous struct/union member
  TypeId type = 0;
  uint32_t bit_offset = 0; // from the start of the enclosing record, in bits
  uint32_t bit_size = 0;   // non-zero only for bitfields
  // The annotations of the member's doc comment, like MapInfo::doc: read
  // for the members of export types (docs/annotations.md); null when none.
  Json doc;
};

struct EnumValue {
  std::string name;
  int64_t value = 0;
};

struct Param {
  std::string name;
  TypeId type = 0;
};

struct Type {
  TypeKind kind = TypeKind::Void;
  std::string name;        // empty for anonymous types
  uint32_t size = 0;       // bytes; for Array the whole array
  uint32_t align = 0;      // bytes
  // Int
  bool is_signed = false;
  bool is_char = false;    // its reader says so (BTF_INT_CHAR, Clang); see TypeTable::is_char
  bool is_bool = false;
  // Fwd: true when `union X;`, false when `struct X;`
  bool fwd_is_union = false;
  // Pointer, Array (element), Typedef, Const, Volatile, Restrict, TypeTag,
  // Func (its FuncProto), FuncProto (return type): the type referred to.
  TypeId target = 0;
  uint32_t nelems = 0;     // Array; 0 for a flexible array member
  std::vector<Member> members;    // Struct, Union
  std::vector<EnumValue> values;  // Enum
  std::vector<Param> params;      // FuncProto
  bool variadic = false;          // FuncProto
  // Where the type came from: its id in the BTF it was read from, or 0 when
  // it was built from Clang's AST (not present in the object's BTF).
  uint32_t btf_id = 0;
};

// A struct or a union.
inline bool is_record(const Type& t) { return t.kind == TypeKind::Struct || t.kind == TypeKind::Union; }

// A member placed in the record a walk starts at: `bit_offset` counts from
// that record's start. A member of struct or union type that has no name,
// or whose type has none, is `expanded`: `inner` holds its members, placed
// the same way (C makes the members of an anonymous member the enclosing
// record's; a member of an anonymous type has no type to refer to).
struct PlacedMember {
  const Member* member = nullptr;
  uint32_t bit_offset = 0;
  bool expanded = false;
  std::vector<PlacedMember> inner;
};

class TypeTable {
 public:
  TypeTable();  // holds `void` at id 0

  TypeId add(Type t);
  // An id past the last type throws Error(bad_input): readers check every id
  // they read where they read it, naming the field (import_btf, the meta),
  // so this is the last line of defence, not the message a user should see.
  const Type& at(TypeId id) const {
    if (id >= types_.size()) past_the_last(id);
    return types_[id];
  }
  Type& at(TypeId id) {
    if (id >= types_.size()) past_the_last(id);
    return types_[id];
  }
  size_t size() const { return types_.size(); }
  // "type 12 (struct event)", for messages.
  std::string describe(TypeId id) const;

  // Skips const/volatile/restrict/type tags.
  TypeId strip_mods(TypeId id) const;
  // Skips typedefs as well as modifiers: the type that decides the layout.
  // Throws Error(bad_input) naming the type for a loop of them.
  TypeId resolve(TypeId id) const;
  // Size and alignment in bytes, following typedefs and modifiers. Throws
  // Error(bad_input) for arrays nested deeper than kMaxTypeDepth.
  uint32_t size_of(TypeId id) const;
  uint32_t align_of(TypeId id) const;

  // The C spelling of a type as a declaration without a name, modifiers
  // stripped at every level: "unsigned int", "char[16]", "struct event",
  // "pid_t", "char *", "int[2][3]", "void (*)(int)".
  std::string spell(TypeId id) const;

  // A named struct/union/enum/typedef by kind and name; nullopt when absent.
  std::optional<TypeId> find(TypeKind kind, std::string_view name) const;

  // A C character type, typedefs and modifiers followed: a 1-byte integer
  // that its reader marked as one or that is named char, signed char or
  // unsigned char (clang leaves BTF_INT_CHAR unset). The one rule for what
  // ecli and the generated apps print, and options take, as text.
  bool is_char(TypeId id) const;
  // An array of characters: a string up to its first NUL.
  bool is_char_array(TypeId id) const;

  // The members of the struct or union `record` (typedefs and modifiers
  // followed), expanded members with their `inner` ones. Throws
  // Error(bad_input) when anonymous records nest deeper than kMaxTypeDepth.
  std::vector<PlacedMember> placed_members(TypeId record) const;
  // The same as C names them: an expanded member without a name replaced by
  // its members, at any depth.
  std::vector<PlacedMember> flat_members(TypeId record) const;

 private:
  [[noreturn]] void past_the_last(TypeId id) const;

  std::vector<Type> types_;
};

// --- typed annotations (docs/annotations.md) ---------------------------------------------
// Parsed once from the doc-comment JSON by read_annotations() (annotations.h);
// ecli, the loader and every Wasm generator read these, never the raw JSON.

// `@sample {"interval": ms, "type": ..., "unit": ..., "clear_map": ...}` on a map.
// `top` (a gadget's map iterator, docs/gadget.md): one table of the entries,
// key and value members as columns, sorted by `sort`, at most `max_rows`.
struct SampleSpec {
  enum class Kind { log2_hist, linear_hist, default_kv, top };
  Kind kind = Kind::default_kv;
  uint32_t interval_ms = 1000;  // an interval of 0 or none means 1000 ms
  std::string unit;
  bool clear_map = false;
  uint64_t base = 0;            // linear_hist: value of the first slot
  uint64_t step = 1;            // linear_hist: width of a slot (>= 1)
  std::string sort;             // top: a member's name, "-name" for descending; empty: map order
  uint32_t max_rows = 0;        // top: 0 for every entry
};

// `@cmdarg {"short", "long", "default", "help"}` on a global variable.
struct CmdArg {
  std::string long_name;        // empty: the variable's name
  char short_name = 0;          // 0: none
  std::string help;
  Json default_value;           // null: none
};

// An interface given by index or by name (`"ifindex": 1` or `"ifindex": "lo"`).
struct Interface {
  int index = 0;
  std::string name;
  bool given() const { return index > 0 || !name.empty(); }
};

// xdp/tc attach keys on a program: `ifindex`, `flags`, `xdpopts`, `tchook`, `tcopts`.
struct NetAttach {
  Interface xdp_if;             // `ifindex`
  uint32_t xdp_flags = 0;       // `flags`
  int xdp_old_prog_fd = 0;      // `xdpopts.old_prog_fd`
  Interface tc_if;              // `tchook.ifindex`, else `ifindex`
  bool tc_egress = false;       // `tchook.attach_point`: BPF_TC_INGRESS | BPF_TC_EGRESS
  uint32_t tc_handle = 1;       // `tcopts.handle`
  uint32_t tc_priority = 1;     // `tcopts.priority`
};

// One map as libbpf sees it in the object.
struct MapInfo {
  std::string name;          // libbpf's map name
  std::string ident;         // skeleton identifier: variable name or rodata/bss/...
  std::string section;       // ELF section: ".maps", ".rodata", ".data.custom", ...
  bool mmaped = false;       // an mmapable internal map
  std::string type;          // "BPF_MAP_TYPE_RINGBUF"
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t max_entries = 0;
  std::optional<TypeId> key_type;    // where BTF has them
  std::optional<TypeId> value_type;
  Json doc = Json::object();         // doc-comment annotations
  std::optional<SampleSpec> sample;  // from doc "sample"
  // Ring buffers and perf event arrays: the export type (an element of
  // Skeleton::export_types) their records are decoded as; set by
  // assign_event_types(), the one rule for ecli and the Wasm generators.
  std::optional<TypeId> event_type;
};

struct ProgInfo {
  std::string name;          // function name
  std::string attach;        // SEC() string
  bool link = true;
  std::string type;          // "BPF_PROG_TYPE_TRACEPOINT"
  std::string attach_type;   // "BPF_TRACE_FENTRY"; empty when libbpf sets none
  Json doc = Json::object();
  NetAttach net;             // from doc ifindex/flags/xdpopts/tchook/tcopts
};

struct Variable {
  std::string name;
  TypeId type = 0;           // the variable's declared type (modifiers kept)
  uint32_t offset = 0;       // within the section
  uint32_t size = 0;         // the variable's own size
  Json doc = Json::object();
  std::optional<CmdArg> cmdarg;  // from doc "cmdarg"
  // Offered as a program option. Every variable of a package is; a gadget
  // offers only the ones its gadget_param_<var> markers name (docs/gadget.md).
  bool option = true;
};

struct DataSection {
  std::string name;          // ".rodata", ".bss", ".data", ".kconfig", ".data.custom"
  std::string map_ident;     // ident of the internal map backing it
  uint32_t size = 0;         // the section's size
  std::vector<Variable> variables;  // global (non-static) variables, by offset
};

// `@metric label`, `@metric counter`, `@metric histogram {"buckets": [...]}`
// on a member of an export struct (docs/metrics.md): events of the struct
// are counted per set of label members' values, a counter member's values
// summed, a histogram member's values observed.
struct FieldMetric {
  enum class Kind { label, counter, histogram };
  std::string member;            // dotted path from the struct: "comm", "proc.pid"
  Kind kind = Kind::label;
  std::vector<double> buckets;   // histogram: upper bounds, ascending, finite
};

struct Skeleton {
  std::string obj_name;      // "<name>_bpf"
  TypeTable types;
  std::vector<MapInfo> maps;
  std::vector<ProgInfo> progs;
  std::vector<DataSection> data_sections;
  std::vector<TypeId> export_types;  // in header order
  std::map<TypeId, std::vector<FieldMetric>> metrics;  // export type -> its @metric members, in member order
  Json doc = Json::object();         // from the comment on LICENSE
};

// Deep-copies type `id` of `src` (and every type it refers to) into `dst`;
// `memo` maps src ids already copied to their dst ids, so shared types are
// copied once. Returns the id in `dst`.
TypeId copy_type(const TypeTable& src, TypeId id, TypeTable& dst, std::vector<TypeId>& memo);

// Replaces a non-identifier character by '_' ("sigsnoop.bpf" -> "sigsnoop_bpf").
std::string sanitize_ident(std::string_view s);

}  // namespace ecc
