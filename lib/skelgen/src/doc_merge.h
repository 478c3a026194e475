// Doc-comment annotations are appended after an entry's own keys.
#pragma once

#include "ecc/model.h"

namespace ecc::detail {

// Copies every key of `doc` into `entry` in the doc's order. A doc key that
// names one of the entry's own fields (a comment saying `@name x`) must not
// silently change what the runner loads, so it is kept only when absent.
inline void merge_doc(Json& entry, const Json& doc) {
  if (!doc.is_object()) return;
  for (const auto& [key, value] : doc.items())
    if (!entry.contains(key)) entry[key] = value;
}

}  // namespace ecc::detail
