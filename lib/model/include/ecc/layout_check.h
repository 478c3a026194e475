// Cross-check of a record's layout as Clang computes it against the layout
// the object's BTF records (docs/ecc.md).
#pragma once

#include <optional>
#include <string>

#include "ecc/model.h"

namespace ecc {

// Both ids index `tt`. Returns nullopt when size, member names, offsets,
// bitfield widths and member sizes agree (nested records included), else one
// line naming the first field that differs, e.g.
//   "struct event: field 'comm' is at bit 96 in BTF but bit 64 per Clang".
std::optional<std::string> compare_layouts(const TypeTable& tt, TypeId from_clang, TypeId from_btf);

}  // namespace ecc
