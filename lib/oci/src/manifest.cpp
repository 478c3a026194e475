// The manifest layout in docs/oci.md (wasm-to-oci, eunomia-bpf's ecli).
#include <cctype>

#include <nlohmann/json.hpp>

#include "ecc/error.h"
#include "ecc/oci.h"
#include "image.h"

namespace ecc::oci {

using nlohmann::json;

json descriptor_json(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

std::map<std::string, std::string> annotations_of(const json& j) {
  std::map<std::string, std::string> out;
  auto a = j.find("annotations");
  if (a == j.end() || !a->is_object()) return out;
  for (const auto& [k, v] : a->items())
    if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

Descriptor read_descriptor(const json& j, const std::string& what, const std::string& where) {
  if (!j.is_object()) throw Error(Exit::bad_input, what + " is not an object", where);
  auto mt = j.find("mediaType"), dg = j.find("digest"), sz = j.find("size");
  if (mt == j.end() || !mt->is_string() || dg == j.end() || !dg->is_string() || sz == j.end() || !sz->is_number_unsigned())
    throw Error(Exit::bad_input, what + " needs mediaType, digest and size", where);
  Descriptor d{mt->get<std::string>(), dg->get<std::string>(), sz->get<uint64_t>(), annotations_of(j)};
  if (!is_sha256_digest(d.digest))
    throw Error(Exit::bad_input, what + " digest '" + d.digest + "' is not sha256:<64 hex>", where);
  return d;
}

std::string string_member(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

namespace {

bool is_runnable(const std::string& media_type) { return media_type == kWasmLayerType || media_type == kPackageLayerType; }

}  // namespace

std::string build_manifest(const Descriptor& config, const Descriptor& layer, const std::string& title) {
  Descriptor l = layer;
  if (!title.empty()) l.annotations[kTitleAnnotation] = title;
  json m = {{"schemaVersion", 2}, {"mediaType", kManifestType}, {"config", descriptor_json(config)},
            {"layers", json::array({descriptor_json(l)})}};
  if (!title.empty()) m["annotations"] = {{kTitleAnnotation, title}};
  return m.dump();
}

Artifact read_manifest(const std::string& text, const std::string& where) {
  auto m = json::parse(text, nullptr, false);
  if (m.is_discarded() || !m.is_object()) throw Error(Exit::bad_input, "the manifest is not a JSON object", where);
  auto media_type = m.find("mediaType");
  if (media_type != m.end() && !media_type->is_string())
    throw Error(Exit::bad_input, "the manifest's mediaType is not a string", where);
  std::string type = media_type != m.end() ? media_type->get<std::string>() : std::string();
  if (m.contains("manifests") || type == "application/vnd.oci.image.index.v1+json" ||
      type == "application/vnd.docker.distribution.manifest.list.v2+json")
    throw Error(Exit::bad_input, "an image index (" + (type.empty() ? std::string("manifests") : type) +
                                     "), not a Wasm module or package", where);
  if (!type.empty() && type != kManifestType && type != "application/vnd.docker.distribution.manifest.v2+json")
    throw Error(Exit::bad_input, "wrong manifest media type " + type + " (want " + kManifestType + ")", where);
  auto layers = m.find("layers");
  if (layers == m.end() || !layers->is_array() || layers->empty())
    throw Error(Exit::bad_input, "the manifest has no layers", where);
  std::vector<Descriptor> runnable;
  std::string seen;
  for (size_t i = 0; i < layers->size(); i++) {
    Descriptor d = read_descriptor((*layers)[i], "manifest layer " + std::to_string(i), where);
    if (is_runnable(d.media_type)) runnable.push_back(d);
    else if (seen.find(d.media_type) == std::string::npos) seen += (seen.empty() ? "" : ", ") + d.media_type;
  }
  if (runnable.empty())
    throw Error(Exit::bad_input, "wrong media type: not a Wasm module or ecc package (layers: " + seen + "; want " +
                                     kWasmLayerType + " or " + kPackageLayerType + ")", where);
  if (runnable.size() > 1)
    throw Error(Exit::bad_input, "the manifest has " + std::to_string(runnable.size()) + " runnable layers, not one", where);
  Artifact a{runnable[0], {}};
  if (auto t = a.layer.annotations.find(kTitleAnnotation); t != a.layer.annotations.end()) a.title = t->second;
  else if (auto ma = annotations_of(m); ma.count(kTitleAnnotation)) a.title = ma[kTitleAnnotation];
  return a;
}

std::string default_output_name(const Artifact& a) {
  std::string name = fs::path(a.title).filename().string();
  if (!name.empty() && name != "." && name != "..") return name;
  return a.layer.media_type == kWasmLayerType ? "app.wasm" : "package.json";
}

std::string layer_type_of(std::span<const uint8_t> bytes) {
  if (bytes.size() >= 8 && bytes[0] == 0 && bytes[1] == 'a' && bytes[2] == 's' && bytes[3] == 'm') return kWasmLayerType;
  auto j = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (!j.is_discarded() && j.is_object() && (j.contains("bpf_object") || (j.contains("data") && j.contains("data_sz"))))
    return kPackageLayerType;
  return {};
}

}  // namespace ecc::oci
