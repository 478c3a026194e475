// Names of the package format that its writers (ecc, the generated Wasm
// skeleton) and its readers (the runtime, the Wasm host) share.
#pragma once

#include <array>

namespace ecc {

// The fields of a member entry of `export_types` (docs/package-format.md#export_types).
// The annotations of the member's doc comment follow them; a doc key with
// one of these names is dropped, also when the member has no such field, so
// that a comment never changes a layout.
inline constexpr std::array<const char*, 7> kMemberFields = {"name",       "type",     "offset", "size",
                                                             "bit_offset", "bit_size", "members"};

// The custom section of an app.wasm that carries the ecc --btfgen archive
// (the JSON text of package.json's "btf_archive").
inline constexpr const char* kBtfArchiveSection = "ecc_btf_archive";

}  // namespace ecc
