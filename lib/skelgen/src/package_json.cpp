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

Json package_json(const Skeleton& skel, std::span<const uint8_t> elf) {
  Json j = Json::object();
  j["bpf_object"] = base64_encode(zlib_compress(elf));
  j["bpf_object_size"] = elf.size();
  j["meta"] = meta_json(skel);
  return j;
}

}  // namespace ecc
