// The distribution-spec client (docs/oci.md): /v2/ probe, Bearer and Basic
// auth, manifests and blobs by digest, uploads, and redirects followed
// without the registry's credentials.
#include <iostream>
#include <map>
#include <optional>
#include <tuple>

#include <nlohmann/json.hpp>

#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/tool_name.h"
#include "ecc/files.h"
#include "ecc/oci.h"
#include "http.h"
#include "image.h"
#include "registry_client.h"

namespace ecc::oci {

namespace {

using nlohmann::json;

// What one reference names, from the cache when it is there, else from the
// registry (probed on first need: a digest whose parts are all cached needs
// no network). What the registry served goes into the cache by commit()
// only, once the whole image has checked out: nothing of a damaged image is
// kept (docs/oci.md, "The content cache").
class CachedRegistry {
 public:
  CachedRegistry(const Reference& ref, const ClientOptions& opts) : ref_(ref), opts_(opts) {}

  // The manifest or index the reference names.
  ImageManifest top() {
    std::string digest = ref_.digest.empty() ? registry().head_manifest() : ref_.digest;
    if (!digest.empty())
      if (auto cached = cache_read("manifests", digest)) return {text_of(*cached), digest};
    ImageManifest m;
    m.text = registry().get_manifest(m.digest);
    keep("manifests", m.digest, bytes_of(m.text));
    return m;
  }

  std::vector<uint8_t> manifest(const Descriptor& d) {
    if (auto cached = cache_read("manifests", d.digest))
      return checked(std::move(*cached), d, "the manifest", ref_.str());
    std::vector<uint8_t> bytes = registry().get_manifest_at(d);
    keep("manifests", d.digest, bytes);
    return bytes;
  }

  std::vector<uint8_t> blob(const Descriptor& d) {
    if (auto cached = cache_read("blobs", d.digest)) return checked(std::move(*cached), d, "the blob", ref_.str());
    std::vector<uint8_t> bytes = registry().get_blob(d);
    keep("blobs", d.digest, bytes);
    return bytes;
  }

  // ecli's one-layer artifact: its layer straight into the cache (the
  // manifest has been checked; the layer may be large).
  Pulled artifact(const ImageManifest& m) {
    Artifact a = read_manifest(m.text, ref_.str());
    if (cache_read("blobs", a.layer.digest)) return Pulled{cache_path("blobs", a.layer.digest), a, m.digest};
    fs::path file = cache_write("blobs", a.layer.digest, registry().get_blob(a.layer));
    return Pulled{file, a, m.digest};
  }

  // The signatures of `digest` (docs/trust.md): a digest reference's from
  // the cache when they were kept with it, else the registry's (none when
  // it has no signature tag); what the registry served is kept with the
  // image by commit().
  std::vector<Signature> signatures(const std::string& digest) {
    if (!ref_.digest.empty())
      if (auto cached = cached_signatures(digest)) return *cached;
    std::optional<ImageManifest> m = registry().find_manifest(signature_tag(digest));
    if (!m) return {};
    auto blob = [&](const Descriptor& d) {
      std::vector<uint8_t> bytes = registry().get_blob(d);
      keep("blobs", d.digest, bytes);
      return bytes;
    };
    SignatureImage s = read_signature_image(*m, blob, ref_.str());
    keep("manifests", m->digest, bytes_of(m->text));
    keep("signatures", digest, bytes_of(m->digest));
    return s.signatures;
  }

  // Blobs first, so that a cached manifest finds its parts; a signature
  // pointer last, so that it finds its manifest.
  void commit() {
    for (const char* kind : {"blobs", "manifests", "signatures"})
      for (const auto& [k, digest, bytes] : pending_)
        if (k == kind) cache_write(k, digest, bytes);
    pending_.clear();
  }

 private:
  Registry& registry() {
    if (!registry_) {
      registry_.emplace(ref_, opts_, false);
      registry_->probe();
    }
    return *registry_;
  }

  // The signatures kept with `digest`: the pointer names the signature
  // manifest, which with its blobs must still match their digests.
  std::optional<std::vector<Signature>> cached_signatures(const std::string& digest) {
    std::optional<std::vector<uint8_t>> pointer = try_read_file(cache_path("signatures", digest));
    if (!pointer || !is_sha256_digest(text_of(*pointer))) return std::nullopt;
    std::string sig_digest = text_of(*pointer);
    std::optional<std::vector<uint8_t>> m = cache_read("manifests", sig_digest);
    if (!m) return std::nullopt;
    try {
      auto blob = [&](const Descriptor& d) {
        std::optional<std::vector<uint8_t>> b = cache_read("blobs", d.digest);
        if (!b) throw Error(Exit::bad_input, "not cached");
        return checked(std::move(*b), d, "the blob", ref_.str());
      };
      return read_signature_image({text_of(*m), sig_digest}, blob, ref_.str()).signatures;
    } catch (const Error&) {
      return std::nullopt;  // damaged or partly cached: asked of the registry again
    }
  }

  void keep(const std::string& kind, const std::string& digest, std::span<const uint8_t> bytes) {
    pending_.emplace_back(kind, digest, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  }

  Reference ref_;
  ClientOptions opts_;
  std::optional<Registry> registry_;
  std::vector<std::tuple<std::string, std::string, std::vector<uint8_t>>> pending_;
};

// The Content-Type of a manifest or index: its own mediaType, else the
// descriptor's (an OCI manifest without the field).
std::string media_type_of(const nlohmann::json& j, const std::string& fallback) {
  auto t = j.find("mediaType");
  if (t != j.end() && t->is_string()) return t->get<std::string>();
  return fallback.empty() ? kManifestType : fallback;
}

// What push_layout sends, all read and checked before the first request:
// every blob, then the manifests under the top, each by its digest.
struct Upload {
  std::map<std::string, std::vector<uint8_t>> blobs;
  std::vector<std::tuple<std::string, std::string, std::string>> manifests;  // text, media type, digest
};

// The blobs and manifests under `j` (a manifest, or an index of them); the
// top itself is the caller's.
void collect(Upload& u, const Layout& l, const nlohmann::json& j, const std::string& part) {
  if (is_index(j)) {
    for (const Descriptor& d : index_entries(j, part, l.where)) {
      std::string text = text_of(l.blobs(d));
      nlohmann::json child = parse_image_json(text, "the manifest " + d.digest, l.where);
      collect(u, l, child, "the manifest " + d.digest);
      u.manifests.emplace_back(text, media_type_of(child, d.media_type), d.digest);
    }
    return;
  }
  for (const Descriptor& d : manifest_parts(j, part, l.where))
    if (!u.blobs.count(d.digest)) u.blobs[d.digest] = l.blobs(d);
}

}  // namespace

namespace {

}  // namespace

std::string describe_failure(const HttpResponse& r) {
  std::string s = status_text(r.status);
  auto j = nlohmann::json::parse(r.body.begin(), r.body.end(), nullptr, false);
  std::string detail;
  if (!j.is_discarded() && j.is_object() && j.contains("errors") && j["errors"].is_array()) {
    for (const auto& e : j["errors"]) {
      if (!e.is_object()) continue;
      std::string one = string_member(e, "code");
      std::string msg = string_member(e, "message");
      if (!msg.empty()) one += (one.empty() ? "" : ": ") + msg;
      if (!one.empty()) detail += (detail.empty() ? "" : "; ") + one;
    }
  }
  return detail.empty() ? s : s + " (" + detail + ")";
}

std::string token_of(const HttpResponse& r) {
  auto j = nlohmann::json::parse(r.body.begin(), r.body.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return {};
  std::string token = string_member(j, "token");
  return token.empty() ? string_member(j, "access_token") : token;
}

Fetched fetch(const Reference& ref, const ClientOptions& opts) {
  CachedRegistry source(ref, opts);
  ImageManifest top = source.top();
  // Signatures are checked before anything is read further or cached.
  if (opts.verify) opts.verify(top.digest, source.signatures(top.digest));
  ImageManifest m = platform_manifest(top, [&](const Descriptor& d) { return source.manifest(d); }, ref.str());
  Fetched f;
  if (is_gadget_manifest(m.text))
    f.gadget = read_gadget(m, [&](const Descriptor& d) { return source.blob(d); }, ref.str());
  else
    f.artifact = source.artifact(m);
  source.commit();
  return f;
}

Pulled pull(const Reference& ref, const ClientOptions& opts) {
  Fetched f = fetch(ref, opts);
  if (!f.artifact) throw Error(Exit::bad_input, "an Inspektor Gadget image, not a Wasm module or package", ref.str());
  return *f.artifact;
}

std::string push_layout(const fs::path& layout, const std::string& name, const Reference& ref,
                        const ClientOptions& opts) {
  Layout l = open_layout(layout, name);
  if (!ref.digest.empty() && ref.digest != l.entry.digest)
    throw Error(Exit::usage, "the image's digest is " + l.entry.digest + ", not the one in the reference", ref.str());
  std::string text = text_of(l.blobs(l.entry));
  nlohmann::json top = parse_image_json(text, "the manifest " + l.entry.digest, l.where);
  Upload u;
  collect(u, l, top, "the manifest " + l.entry.digest);
  Registry reg(ref, opts, true);
  reg.probe();
  for (const auto& [digest, bytes] : u.blobs) reg.put_blob(bytes, digest);
  for (const auto& [manifest, media_type, digest] : u.manifests) reg.put_manifest(manifest, media_type, digest);
  reg.put_manifest(text, media_type_of(top, l.entry.media_type), ref.version());
  return l.entry.digest;
}

std::string push(const fs::path& file, const Reference& ref, const ClientOptions& opts) {
  std::vector<uint8_t> bytes = read_file(file);
  std::string type = layer_type_of(bytes);
  if (type.empty()) throw Error(Exit::bad_input, "neither a Wasm module nor an ecc package.json", file.string());
  if (bytes.size() > opts.max_size)
    throw Error(Exit::bad_input, "over the size limit of " + std::to_string(opts.max_size) + " bytes", file.string());
  static const std::string config_text = "{}";
  std::span<const uint8_t> config(reinterpret_cast<const uint8_t*>(config_text.data()), config_text.size());
  Descriptor config_desc{kConfigType, sha256_digest(config), config.size(), {}};
  Descriptor layer_desc{type, sha256_digest(bytes), bytes.size(), {}};
  std::string manifest = build_manifest(config_desc, layer_desc, file.filename().string());
  std::string digest = sha256_digest(std::span(reinterpret_cast<const uint8_t*>(manifest.data()), manifest.size()));
  if (!ref.digest.empty() && ref.digest != digest)
    throw Error(Exit::usage, "the manifest's digest is " + digest + ", not the one in the reference", ref.str());
  Registry reg(ref, opts, true);
  reg.probe();
  reg.put_blob(config, config_desc.digest);
  reg.put_blob(bytes, layer_desc.digest);
  reg.put_manifest(manifest, kManifestType, ref.version());
  return digest;
}

}  // namespace ecc::oci
