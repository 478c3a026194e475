// Signatures in cosign's layout (docs/trust.md): the signatures of an image
// whose manifest (or index) has digest sha256:<hex> are an image manifest
// tagged "sha256-<hex>.sig" in the same repository, one layer per signature
// (the simple-signing payload, its signature in the layer's
// dev.cosignproject.cosign/signature annotation), with a config listing the
// layers as go-containerregistry writes one. Signing appends a layer.
#include <nlohmann/json.hpp>

#include "ecc/error.h"
#include "ecc/oci.h"
#include "image.h"
#include "registry_client.h"

namespace ecc::oci {

using nlohmann::json;

namespace {

// `ref`'s repository with the signature tag of `digest`.
Reference signature_ref(const Reference& ref, const std::string& digest) {
  Reference r = ref;
  r.digest.clear();
  r.tag = signature_tag(digest);
  return r;
}

// The simple-signing layers of a signature manifest (other layers, such
// as a certificate or a bundle cosign may add, are not ecli's).
std::vector<Descriptor> signing_layers(const std::string& text, const std::string& where) {
  json m = parse_image_json(text, "the signature manifest", where);
  if (is_index(m)) throw Error(Exit::bad_input, "the signature tag names an index, not a manifest", where);
  std::vector<Descriptor> parts = manifest_parts(m, "the signature manifest", where);
  std::vector<Descriptor> out;
  for (size_t i = 1; i < parts.size(); i++)
    if (parts[i].media_type == kSimpleSigningType) out.push_back(parts[i]);
  return out;
}

// The signature a layer's annotation carries; one line when it has none.
Signature signature_of(const Descriptor& layer, std::vector<uint8_t> payload, const std::string& where) {
  auto a = layer.annotations.find(kCosignSignatureAnnotation);
  if (a == layer.annotations.end() || a->second.empty())
    throw Error(Exit::bad_input,
                "signature layer " + layer.digest + " has no " + std::string(kCosignSignatureAnnotation) +
                    " annotation", where);
  return Signature{std::move(payload), a->second};
}

// Whether `layers` hold a signature of `s`'s payload by the same signer.
bool signed_already(const std::vector<Descriptor>& layers, const Signature& s, const std::string& payload_digest,
                    const std::function<bool(const Signature&)>& same_signer) {
  for (const Descriptor& l : layers) {
    auto a = l.annotations.find(kCosignSignatureAnnotation);
    if (l.digest == payload_digest && a != l.annotations.end() && same_signer(Signature{s.payload, a->second}))
      return true;
  }
  return false;
}

}  // namespace

std::string signature_tag(const std::string& digest) {
  if (!is_sha256_digest(digest)) throw Error(Exit::bad_input, "not a sha256 digest: " + digest);
  return "sha256-" + digest.substr(7) + ".sig";
}

std::string resolve_digest(const Reference& ref, const ClientOptions& opts) {
  if (!ref.digest.empty()) return ref.digest;
  Registry reg(ref, opts, false);
  reg.probe();
  std::string digest = reg.head_manifest();
  if (digest.empty()) reg.get_manifest(digest);
  return digest;
}

std::string build_signature_manifest(const std::vector<Descriptor>& layers, std::string& config_text) {
  json diff_ids = json::array(), history = json::array(), descriptors = json::array();
  for (const Descriptor& l : layers) {
    diff_ids.push_back(l.digest);
    history.push_back({{"created", "0001-01-01T00:00:00Z"}});
    descriptors.push_back(descriptor_json(l));
  }
  json config = {{"architecture", ""},
                 {"created", "0001-01-01T00:00:00Z"},
                 {"history", history},
                 {"os", ""},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
                 {"config", json::object()}};
  config_text = config.dump();
  Descriptor c{kImageConfigType, sha256_digest(bytes_of(config_text)), config_text.size(), {}};
  json m = {{"schemaVersion", 2}, {"mediaType", kManifestType}, {"config", descriptor_json(c)}, {"layers", descriptors}};
  return m.dump();
}

SignatureImage read_signature_image(const ImageManifest& m, const BlobReader& blobs, const std::string& where) {
  SignatureImage out{m.text, m.digest, signing_layers(m.text, where), {}};
  for (const Descriptor& l : out.layers) out.signatures.push_back(signature_of(l, blobs(l), where));
  return out;
}

std::optional<SignatureImage> fetch_signatures(const Reference& ref, const std::string& digest,
                                               const ClientOptions& opts) {
  Reference sig = signature_ref(ref, digest);
  Registry reg(sig, opts, false);
  reg.probe();
  std::optional<ImageManifest> m = reg.find_manifest(sig.tag);
  if (!m) return std::nullopt;
  return read_signature_image(*m, [&](const Descriptor& d) { return reg.get_blob(d); }, sig.str());
}

std::string push_signature(const Reference& ref, const std::string& digest, const Signature& s,
                           const ClientOptions& opts, const std::function<bool(const Signature&)>& same_signer) {
  Reference sig = signature_ref(ref, digest);
  Registry reg(sig, opts, true);
  reg.probe();
  std::vector<Descriptor> layers;
  if (std::optional<ImageManifest> m = reg.find_manifest(sig.tag)) layers = signing_layers(m->text, sig.str());
  Descriptor layer{kSimpleSigningType, sha256_digest(s.payload), s.payload.size(),
                   {{kCosignSignatureAnnotation, s.signature_b64}}};
  if (!signed_already(layers, s, layer.digest, same_signer)) layers.push_back(layer);
  std::string config;
  std::string manifest = build_signature_manifest(layers, config);
  reg.put_blob(s.payload, layer.digest);
  reg.put_blob(bytes_of(config), sha256_digest(bytes_of(config)));
  reg.put_manifest(manifest, kManifestType, sig.tag);
  return sha256_digest(bytes_of(manifest));
}

}  // namespace ecc::oci
