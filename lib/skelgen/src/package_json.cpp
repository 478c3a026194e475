// package.json in docs/package-format.md, compatible with eunomia-bpf's package format.
#include <future>

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
  // The two large members on two threads: for 1024 export types each took
  // about as long as the other.
  std::future<std::string> skel_text = std::async(std::launch::async, [&skel] { return dump_json(skeleton_json(skel)); });
  std::string types_text = dump_json(export_types_json(skel));
  std::string skel_done = skel_text.get();
  std::string version = Json(ECC_VERSION).dump();
  return dump_json_object({{"bpf_skel", skel_done}, {"export_types", types_text}, {"eunomia_version", version}});
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
