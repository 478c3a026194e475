// Inspektor Gadget images (docs/oci.md, "Inspektor Gadget images"): an index
// picks this platform's manifest; a gadget manifest's layers are checked
// against IG's rules before a blob is read, then its parts are read through
// one BlobReader, whether they come from a registry, a layout directory or a
// layout tar.
#include <cstring>

#include "ecc/error.h"
#include "image.h"

namespace ecc::oci {

using nlohmann::json;

namespace {

// "linux/arm64" of an index entry's platform; "no platform" without one.
std::string platform_of(const json& entry) {
  auto p = entry.find("platform");
  if (p == entry.end() || !p->is_object()) return "no platform";
  return string_member(*p, "os") + "/" + string_member(*p, "architecture");
}

bool is_gadget_layer_type(const std::string& t) {
  return t == kGadgetEbpfType || t == kGadgetWasmType || t == kGadgetBtfgenType;
}

// A gadget manifest's config and layers (by media type), checked against
// IG's rules: one ebpf layer, at most one of each other type, no other type.
struct GadgetLayers {
  Descriptor config;
  std::map<std::string, Descriptor> layers;
  std::map<std::string, std::string> annotations;
};

GadgetLayers gadget_layers(const ImageManifest& m, const std::string& where) {
  const std::string part = "gadget manifest " + m.digest;
  json j = parse_image_json(m.text, part, where);
  std::string type = string_member(j, "mediaType");
  if (!type.empty() && type != kManifestType)
    throw Error(Exit::bad_input, part + ": media type " + type + ", not " + kManifestType, where);
  std::vector<Descriptor> parts = manifest_parts(j, part, where);
  GadgetLayers g{parts[0], {}, annotations_of(j)};
  if (g.config.media_type != kGadgetConfigType)
    throw Error(Exit::bad_input, part + ": config of type " + g.config.media_type + ", not " + kGadgetConfigType,
                where);
  for (size_t i = 1; i < parts.size(); i++) {
    const Descriptor& d = parts[i];
    if (!is_gadget_layer_type(d.media_type))
      throw Error(Exit::bad_input, part + ": unknown layer media type " + d.media_type, where);
    if (!g.layers.emplace(d.media_type, d).second)
      throw Error(Exit::bad_input, part + ": two layers of type " + d.media_type, where);
  }
  if (!g.layers.count(kGadgetEbpfType))
    throw Error(Exit::bad_input, part + ": no layer of type " + kGadgetEbpfType, where);
  return g;
}

}  // namespace

std::span<const uint8_t> bytes_of(const std::string& s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string text_of(std::span<const uint8_t> bytes) { return std::string(bytes.begin(), bytes.end()); }

std::string host_architecture() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#else
  return "unknown";
#endif
}

std::vector<uint8_t> checked(std::vector<uint8_t> bytes, const Descriptor& d, const std::string& what,
                             const std::string& where) {
  std::string got = sha256_digest(bytes);
  if (bytes.size() != d.size || got != d.digest)
    throw Error(Exit::bad_input, "digest mismatch: " + what + " " + d.digest + " (" + std::to_string(d.size) +
                                     " bytes) holds " + got + " (" + std::to_string(bytes.size()) + " bytes)", where);
  return bytes;
}

json parse_image_json(const std::string& text, const std::string& what, const std::string& where) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(Exit::bad_input, what + " is not a JSON object", where);
  return j;
}

bool is_index(const json& j) {
  std::string type = string_member(j, "mediaType");
  return type == kIndexType || type == "application/vnd.docker.distribution.manifest.list.v2+json" ||
         (type.empty() && j.contains("manifests"));
}

std::vector<Descriptor> manifest_parts(const json& m, const std::string& part, const std::string& where) {
  auto config = m.find("config");
  if (config == m.end()) throw Error(Exit::bad_input, part + " has no config", where);
  std::vector<Descriptor> out{read_descriptor(*config, part + " config", where)};
  auto layers = m.find("layers");
  if (layers == m.end() || !layers->is_array()) throw Error(Exit::bad_input, part + " has no layers array", where);
  for (size_t i = 0; i < layers->size(); i++)
    out.push_back(read_descriptor((*layers)[i], part + " layer " + std::to_string(i), where));
  return out;
}

std::vector<Descriptor> index_entries(const json& index, const std::string& part, const std::string& where) {
  auto list = index.find("manifests");
  if (list == index.end() || !list->is_array()) throw Error(Exit::bad_input, part + " has no manifests array", where);
  std::vector<Descriptor> out;
  for (size_t i = 0; i < list->size(); i++)
    out.push_back(read_descriptor((*list)[i], part + " entry " + std::to_string(i), where));
  return out;
}

ImageManifest platform_manifest(const ImageManifest& top, const BlobReader& manifests, const std::string& where) {
  json j = parse_image_json(top.text, "the manifest " + top.digest, where);
  if (!is_index(j)) return top;
  const std::string part = "image index " + top.digest;
  std::vector<Descriptor> entries = index_entries(j, part, where);
  const std::string want = "linux/" + host_architecture();
  std::string seen;
  for (size_t i = 0; i < entries.size(); i++) {
    std::string platform = platform_of(j["manifests"][i]);
    if (platform == want) return {text_of(manifests(entries[i])), entries[i].digest};
    if (seen.find(platform) == std::string::npos) seen += (seen.empty() ? "" : ", ") + platform;
  }
  throw Error(Exit::bad_input, "an image index (" + top.digest + ") with no manifest for " + want +
                                   " (platforms: " + (seen.empty() ? "none" : seen) + ")", where);
}

bool is_gadget_manifest(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  if (string_member(j, "artifactType") == kGadgetArtifactType) return true;
  if (auto c = j.find("config"); c != j.end() && c->is_object() && string_member(*c, "mediaType") == kGadgetConfigType)
    return true;
  auto layers = j.find("layers");
  if (layers == j.end() || !layers->is_array()) return false;
  for (const auto& l : *layers)
    if (l.is_object() && string_member(l, "mediaType").rfind("application/vnd.gadget.", 0) == 0) return true;
  return false;
}

void check_gadget_programs(std::span<const uint8_t> ebpf, std::span<const uint8_t> wasm, const std::string& part,
                           const std::string& where) {
  if (ebpf.empty()) throw Error(Exit::bad_input, part + ": the ebpf layer is empty", where);
  if (ebpf.size() < 4 || std::memcmp(ebpf.data(), "\x7f" "ELF", 4) != 0)
    throw Error(Exit::bad_input, part + ": the ebpf layer is not an ELF file", where);
  if (!wasm.empty() && (wasm.size() < 8 || std::memcmp(wasm.data(), "\0asm", 4) != 0))
    throw Error(Exit::bad_input, part + ": the wasm layer is not a Wasm module (no \\0asm magic)", where);
}

GadgetImage read_gadget(const ImageManifest& m, const BlobReader& blobs, const std::string& where) {
  GadgetLayers g = gadget_layers(m, where);
  GadgetImage image{where, m.text, m.digest, g.annotations, text_of(blobs(g.config)), {}, {}, {}};
  image.ebpf = blobs(g.layers.at(kGadgetEbpfType));
  if (auto w = g.layers.find(kGadgetWasmType); w != g.layers.end()) {
    image.wasm = blobs(w->second);
    if (image.wasm.empty())
      throw Error(Exit::bad_input, "gadget manifest " + m.digest + ": the wasm layer is empty", where);
  }
  if (auto b = g.layers.find(kGadgetBtfgenType); b != g.layers.end()) image.btfgen = blobs(b->second);
  check_gadget_programs(image.ebpf, image.wasm, "gadget manifest " + m.digest, where);
  return image;
}

}  // namespace ecc::oci
