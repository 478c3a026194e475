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

namespace ecc::oci {

namespace {

using nlohmann::json;

constexpr uint64_t kMaxManifest = uint64_t{4} << 20;
constexpr size_t kChunkedAbove = size_t{4} << 20;  // blobs over this go up in PATCH chunks
constexpr size_t kChunkSize = size_t{2} << 20;

const char* kAccept =
    "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

std::string status_text(long status) {
  switch (status) {
    case 401: return "401 Unauthorized";
    case 403: return "403 Forbidden";
    case 404: return "404 Not Found";
    case 405: return "405 Method Not Allowed";
    case 429: return "429 Too Many Requests";
    default: return "HTTP " + std::to_string(status);
  }
}

std::string query_escape(const std::string& s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string with_query(const std::string& url, const std::string& kv) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + kv;
}

class Registry {
 public:
  Registry(const Reference& ref, const ClientOptions& opts, bool push)
      : ref_(ref), opts_(opts), push_(push), base_((opts.plain_http ? "http://" : "https://") + ref.registry) {
    if (!opts_.credentials) opts_.credentials = docker_config_credentials(docker_config_path(), ref.registry);
  }

  // GET /v2/: reachability, and the registry's challenge if it has one.
  void probe() {
    HttpResponse r = send({"GET", base_ + "/v2/"});
    if (r.status == 401) {
      authenticate(r);
      r = send({"GET", base_ + "/v2/"});
    }
    if (r.status != 200) fail("the /v2/ probe", r);
  }

  // The manifest digest the tag points at now (HEAD), or empty when the
  // registry does not say.
  std::string head_manifest() {
    HttpResponse r = send_authorized({"HEAD", repo_url() + "/manifests/" + ref_.version(), {kAccept}});
    std::string d = r.status == 200 ? r.header("docker-content-digest") : std::string();
    return is_sha256_digest(d) ? d : std::string();
  }

  std::string get_manifest(std::string& digest) {
    HttpRequest req{"GET", repo_url() + "/manifests/" + ref_.version(), {kAccept}};
    req.max_size = kMaxManifest;
    HttpResponse r = send_authorized(req);
    if (r.status != 200) fail("the manifest", r);
    digest = sha256_digest(r.body);
    std::string claimed = ref_.digest.empty() ? r.header("docker-content-digest") : ref_.digest;
    if (!claimed.empty() && claimed != digest)
      throw Error(Exit::bad_input, "digest mismatch: the manifest is " + digest + ", not " + claimed, ref_.str());
    return r.text();
  }

  std::vector<uint8_t> get_blob(const Descriptor& d) {
    if (d.size > opts_.max_size)
      throw Error(Exit::bad_input, "the layer is " + std::to_string(d.size) + " bytes, over the size limit of " +
                                       std::to_string(opts_.max_size), ref_.str());
    HttpRequest req{"GET", repo_url() + "/blobs/" + d.digest};
    req.max_size = d.size;
    req.progress_label = "pulling " + ref_.str();
    HttpResponse r = send_authorized(req);
    if (r.status != 200) fail("the layer " + d.digest, r);
    if (r.body.size() != d.size || sha256_digest(r.body) != d.digest)
      throw Error(Exit::bad_input, "digest mismatch: the layer served is " + sha256_digest(r.body) + " (" +
                                       std::to_string(r.body.size()) + " bytes), not " + d.digest, ref_.str());
    return r.body;
  }

  void put_blob(std::span<const uint8_t> bytes, const std::string& digest) {
    HttpResponse head = send_authorized({"HEAD", repo_url() + "/blobs/" + digest});
    if (head.status == 200) return;  // already there
    HttpResponse r = send_authorized({"POST", repo_url() + "/blobs/uploads/", {"Content-Length: 0"}});
    if (r.status != 202) fail("starting the upload", r);
    std::string location = upload_location(r);
    for (size_t off = 0; bytes.size() > kChunkedAbove && off < bytes.size(); off += kChunkSize) {
      auto chunk = bytes.subspan(off, std::min(kChunkSize, bytes.size() - off));
      HttpRequest patch{"PATCH", location,
                        {"Content-Type: application/octet-stream",
                         "Content-Range: " + std::to_string(off) + "-" + std::to_string(off + chunk.size() - 1)}};
      patch.body = chunk;
      r = send_authorized(patch);
      if (r.status != 202) fail("uploading a chunk", r);
      location = upload_location(r);
    }
    HttpRequest put{"PUT", with_query(location, "digest=" + query_escape(digest)), {"Content-Type: application/octet-stream"}};
    if (bytes.size() <= kChunkedAbove) put.body = bytes;
    r = send_authorized(put);
    if (r.status != 201) fail("finishing the upload of " + digest, r);
  }

  // A manifest or an index named by its digest (an index's entry).
  std::vector<uint8_t> get_manifest_at(const Descriptor& d) {
    HttpRequest req{"GET", repo_url() + "/manifests/" + d.digest, {kAccept}};
    req.max_size = kMaxManifest;
    HttpResponse r = send_authorized(req);
    if (r.status != 200) fail("the manifest " + d.digest, r);
    return checked(std::move(r.body), d, "the manifest", ref_.str());
  }

  // PUT of a manifest or an index under `version` (a tag or its digest),
  // with `media_type` as its Content-Type.
  void put_manifest(const std::string& manifest, const std::string& media_type, const std::string& version) {
    HttpRequest req{"PUT", repo_url() + "/manifests/" + version, {"Content-Type: " + media_type}};
    req.body = bytes_of(manifest);
    HttpResponse r = send_authorized(req);
    if (r.status != 201 && r.status != 200) fail("the manifest upload", r);
  }

 private:
  std::string repo_url() const { return base_ + "/v2/" + ref_.repository; }

  std::string upload_location(const HttpResponse& r) {
    std::string loc = r.header("location");
    if (loc.empty()) throw Error(Exit::bad_input, "the registry gave no upload Location", ref_.str());
    return resolve_url(base_ + "/", loc);
  }

  [[noreturn]] void fail(const std::string& what, const HttpResponse& r) {
    std::string hint;
    if (r.status == 401 && !opts_.credentials) hint = "; no credentials (docker login, or -u USER --password-stdin)";
    throw Error(Exit::bad_input, what + ": " + describe_failure(r) + hint, ref_.str());
  }

  // Once more after a 401, with a token for the challenge's scope.
  HttpResponse send_authorized(const HttpRequest& req) {
    HttpResponse r = send(req);
    if (r.status == 401 && !retried_) {
      retried_ = true;
      authenticate(r);
      r = send(req);
    }
    return r;
  }

  // The request with redirects followed; the registry's Authorization goes
  // to the registry's host only (never to blob storage elsewhere).
  HttpResponse send(HttpRequest req) {
    std::string registry_host = url_authority(base_);
    for (int hop = 0;; hop++) {
      HttpRequest sent = req;
      if (!authorization_.empty() && url_authority(sent.url) == registry_host)
        sent.headers.push_back("Authorization: " + authorization_);
      HttpResponse r = perform(sent);
      if (opts_.verbose) std::cerr << tool_name() << ": " << req.method << " " << req.url << " -> " << r.status << "\n";
      bool redirect = r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 || r.status == 308;
      if (!redirect || r.header("location").empty() || req.method == "PUT" || req.method == "PATCH" ||
          req.method == "POST")
        return r;
      if (hop >= 5) throw Error(Exit::bad_input, "too many redirects", req.url);
      req.url = resolve_url(req.url, r.header("location"));
    }
  }

  // A transport failure names the URL and the reference.
  HttpResponse perform(const HttpRequest& req) {
    try {
      return http_perform(req, {opts_.insecure});
    } catch (const Error& e) {
      throw Error(e.code(), std::string(e.what()) + " at " + e.file(), ref_.str());
    }
  }

  void authenticate(const HttpResponse& r) {
    auto challenge = parse_www_authenticate(r.header("www-authenticate"));
    if (!challenge) fail("the registry's authentication challenge", r);
    if (challenge->scheme == "basic") {
      if (!opts_.credentials) fail("authentication", r);
      std::string up = opts_.credentials->user + ":" + opts_.credentials->password;
      authorization_ = "Basic " + base64_encode(std::span(reinterpret_cast<const uint8_t*>(up.data()), up.size()));
      return;
    }
    if (challenge->scheme != "bearer" || !challenge->params.count("realm"))
      throw Error(Exit::bad_input, "unsupported authentication scheme '" + challenge->scheme + "'", ref_.str());
    authorization_ = "Bearer " + fetch_token(*challenge);
  }

  std::string fetch_token(const Challenge& c) {
    std::string url = c.params.at("realm");
    if (auto s = c.params.find("service"); s != c.params.end()) url = with_query(url, "service=" + query_escape(s->second));
    std::string scope = "repository:" + ref_.repository + (push_ ? ":pull,push" : ":pull");
    if (auto s = c.params.find("scope"); s != c.params.end() && !s->second.empty()) scope = s->second;
    url = with_query(url, "scope=" + query_escape(scope));
    HttpRequest req{"GET", url};
    if (opts_.credentials) {
      std::string up = opts_.credentials->user + ":" + opts_.credentials->password;
      req.headers.push_back("Authorization: Basic " +
                            base64_encode(std::span(reinterpret_cast<const uint8_t*>(up.data()), up.size())));
    }
    HttpResponse r = perform(req);
    if (opts_.verbose) std::cerr << tool_name() << ": GET " << c.params.at("realm") << " (token) -> " << r.status << "\n";
    if (r.status != 200) fail("the token service", r);
    std::string token = token_of(r);
    if (token.empty()) throw Error(Exit::bad_input, "the token service answered without a token", ref_.str());
    return token;
  }

  Reference ref_;
  ClientOptions opts_;
  bool push_;
  std::string base_;
  std::string authorization_;  // never printed
  bool retried_ = false;
};

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

  // Blobs first, so that a cached manifest finds its parts.
  void commit() {
    for (const char* kind : {"blobs", "manifests"})
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

// A string member of a JSON object from a server; empty when absent or not a string.
std::string string_member(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

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
  ImageManifest m = platform_manifest(source.top(), [&](const Descriptor& d) { return source.manifest(d); }, ref.str());
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
