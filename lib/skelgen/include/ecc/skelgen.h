// Skeleton model -> the JSON formats in docs/package-format.md (and YAML).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "ecc/model.h"

namespace ecc {

// SKEL: obj_name, maps, progs, data_sections, doc (when present).
Json skeleton_json(const Skeleton& skel);

// The export_types array (TYPE in docs/package-format.md).
Json export_types_json(const Skeleton& skel);

// The package's `meta` (also the content of <name>.skel.json): bpf_skel,
// export_types, eunomia_version.
Json meta_json(const Skeleton& skel);

// The package: bpf_object = base64(zlib(elf)), bpf_object_size, meta.
Json package_json(const Skeleton& skel, std::span<const uint8_t> elf);

// Stable text forms: same model, same bytes.
std::string dump_json(const Json& j);
std::string dump_yaml(const Json& j);

}  // namespace ecc
