// The distribution-spec client shared by pull/push (registry.cpp) and the
// signature store (signatures.cpp): /v2/ probe, Bearer and Basic auth,
// manifests and blobs by digest, uploads, and redirects followed without the
// registry's credentials (docs/oci.md).
#pragma once

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/oci.h"
#include "ecc/tool_name.h"
#include "http.h"
#include "image.h"

namespace ecc::oci {


inline constexpr uint64_t kMaxManifest = uint64_t{4} << 20;
inline constexpr size_t kChunkedAbove = size_t{4} << 20;  // blobs over this go up in PATCH chunks
inline constexpr size_t kChunkSize = size_t{2} << 20;

inline const char* const kAccept =
    "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

inline std::string status_text(long status) {
  switch (status) {
    case 401: return "401 Unauthorized";
    case 403: return "403 Forbidden";
    case 404: return "404 Not Found";
    case 405: return "405 Method Not Allowed";
    case 429: return "429 Too Many Requests";
    default: return "HTTP " + std::to_string(status);
  }
}

inline std::string query_escape(const std::string& s) {
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

inline std::string with_query(const std::string& url, const std::string& kv) {
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

  // The manifest under `version` (a tag or a digest) as served, with its
  // digest; nullopt when the registry has none (404).
  std::optional<ImageManifest> find_manifest(const std::string& version) {
    HttpRequest req{"GET", repo_url() + "/manifests/" + version, {kAccept}};
    req.max_size = kMaxManifest;
    HttpResponse r = send_authorized(req);
    if (r.status == 404) return std::nullopt;
    if (r.status != 200) fail("the manifest " + version, r);
    return ImageManifest{r.text(), sha256_digest(r.body)};
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

}  // namespace ecc::oci
