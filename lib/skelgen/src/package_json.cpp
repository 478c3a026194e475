// package.json in docs/package-format.md, compatible with eunomia-bpf's package format.
#include "ecc/codec.h"
#include "ecc/skelgen.h"

namespace ecc {

Json meta_json(const Skeleton& skel) {
  Json meta = Json::object();
  meta["bpf_skel"] = skeleton_json(skel);
  meta["export_types"] = export_types_json(skel);
  meta["eunomia_version"] = ECC_VERSION;
  return meta;
}

std::string dump_meta_json(const Skeleton& skel) {
  // On one thread: a second one allocates from an arena of its own, fresh
  // pages that fault in one by one. For 1024 export types (1.7 MB of
  // export_types, the rest small) the skeleton's thread made this 35 ms,
  // export_types in two halves on two threads 60 ms, one thread 30 ms.
  return dump_json(meta_json(skel));
}

Json package_json(Json meta, std::string bpf_object_base64, size_t bpf_object_size) {
  Json j = Json::object();
  j["bpf_object"] = std::move(bpf_object_base64);
  j["bpf_object_size"] = bpf_object_size;
  j["meta"] = std::move(meta);
  return j;
}

Json package_json(const Skeleton& skel, std::span<const uint8_t> elf) {
  return package_json(meta_json(skel), base64_encode(zlib_compress(elf)), elf.size());
}

}  // namespace ecc
