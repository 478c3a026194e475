// Skeleton model -> the JSON formats in docs/package-format.md (and YAML).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
// The same from a meta_json() and a base64(zlib(elf)) already made.
Json package_json(Json meta, std::string bpf_object_base64, size_t bpf_object_size);

// Stable text forms: same model, same bytes.
std::string dump_json(const Json& j);
std::string dump_yaml(const Json& j);

// The text of an object, byte for byte dump_json() of it, from the
// dump_json() texts of its members, in order.
std::string dump_json_object(const std::vector<std::pair<std::string, std::string_view>>& members);

// dump_json(meta_json(skel)): the text of <name>.skel.json and of package.json's meta.
std::string dump_meta_json(const Skeleton& skel);

// The text of the package, byte for byte dump_json(package_json(...)) (with
// `btf_archive` as its last member when given), from the text of its meta
// (dump_json(meta_json(...)), which is also <name>.skel.json) and
// base64(zlib(elf)): meta is serialised once, for both files.
std::string dump_package_json(std::string_view meta_text, std::string_view bpf_object_base64, size_t bpf_object_size,
                              const Json* btf_archive = nullptr);

}  // namespace ecc
