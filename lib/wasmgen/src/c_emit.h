// C spellings of a wasm32 layout plan, shared by the export types and the
// data-section views of ewasm-skel.h.
#pragma once

#include <string>

#include "ecc/wasm_layout.h"

namespace ecc::wasmgen::c {

// "uint32_t", "_Bool", "double", "char", ...; Bytes as "uint8_t".
std::string scalar(const WType& t);
// A member declaration without the ';': "char comm[16]", "struct { ... } task".
std::string decl(const WPlan& plan, const WType& t, const std::string& name, const std::string& indent);
// A whole definition: "struct event { ... };" or "typedef struct { ... } name;".
std::string definition(const WPlan& plan, const WRecord& r);
// _Static_asserts: size and alignment of `type_name`, offset of every member
// (through inline anonymous records too).
std::string asserts(const WPlan& plan, const WRecord& r, const std::string& type_name);
// Bitfield accessors `<ident>__<field>(const T *p)` for storage runs.
std::string accessors(const WPlan& plan, const WRecord& r, const std::string& type_name);
// `static inline void ewasm_json_<ident>(const T *p)`: one JSON object.
std::string json_printer(const WPlan& plan, const WRecord& r, const std::string& type_name);
// `enum X { ... };` and its JSON printer `ewasm_json_enum_<X>(int64_t)`.
std::string enum_definition(const TypeTable& types, TypeId id);
std::string enum_ident(const TypeTable& types, TypeId id);
// An identifier for a record in generated function names.
std::string ident(const WRecord& r);

}  // namespace ecc::wasmgen::c
