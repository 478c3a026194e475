// Joins what the source says (lib/srcscan) with what the object says
// (lib/btfdump): docs onto maps, programs, variables and the members of
// export types, and export types resolved to their BTF definitions after a
// layout cross-check (docs/ecc.md).
#pragma once

#include <string>

#include "ecc/model.h"
#include "ecc/srcscan.h"

namespace ecc {

// `scan_types` is the table the scan built its types in. Throws
// Error(bad_input) naming `header` when an export type's Clang layout and its
// BTF layout disagree.
void merge_scan(Skeleton& skel, const TypeTable& scan_types, const ScanResult& scan, const std::string& header);

}  // namespace ecc
