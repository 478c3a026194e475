// The content-addressed cache under $XDG_CACHE_HOME/ecc/oci and `run URL`.
#include <fstream>
#include <cstdlib>

#include "ecc/cache_root.h"
#include "ecc/error.h"
#include "ecc/tool_name.h"
#include "ecc/files.h"
#include "ecc/oci.h"
#include "image.h"
#include "http.h"

namespace ecc::oci {

namespace {

std::string hex_of(const std::string& digest) {
  if (!is_sha256_digest(digest)) throw Error(Exit::bad_input, "not a sha256 digest: " + digest);
  return digest.substr(7);
}

// What the server said it sent, for the error line: its Content-Type, else
// the URL's suffix.
std::string served_as(const std::string& url, const HttpResponse& r) {
  std::string type = r.header("content-type");
  if (!type.empty()) return type;
  std::string path = url.substr(0, url.find_first_of("?#"));
  auto dot = path.rfind('.');
  return dot == std::string::npos || path.find('/', dot) != std::string::npos ? "no Content-Type" : path.substr(dot);
}

}  // namespace

fs::path cache_dir() { return cache_root() / "oci"; }

fs::path cache_path(const std::string& kind, const std::string& digest) {
  return cache_dir() / kind / "sha256" / hex_of(digest);
}

std::optional<std::vector<uint8_t>> cache_read(const std::string& kind, const std::string& digest) {
  std::optional<std::vector<uint8_t>> bytes = try_read_file(cache_path(kind, digest));
  if (!bytes || sha256_digest(*bytes) != digest) return std::nullopt;  // damaged: fetched again and replaced
  return bytes;
}

fs::path cache_write(const std::string& kind, const std::string& digest, std::span<const uint8_t> bytes) {
  fs::path p = cache_path(kind, digest);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (ec) throw Error(Exit::bad_input, "cannot create the cache directory: " + ec.message(), p.parent_path().string());
  write_file_atomic(p, bytes);
  return p;
}

namespace {

// GET with redirects followed (at most 5).
HttpResponse get_following(const std::string& url, const ClientOptions& opts, uint64_t max_size, bool progress) {
  HttpRequest req{"GET", url};
  req.max_size = max_size;
  if (progress) req.progress_label = "fetching " + url;
  HttpResponse r;
  for (int hop = 0;; hop++) {
    r = http_perform(req, {opts.insecure});
    if (opts.verbose) std::fprintf(stderr, "%s: GET %s -> %ld\n", tool_name().c_str(), req.url.c_str(), r.status);
    if (r.status < 300 || r.status >= 400 || r.header("location").empty()) return r;
    if (hop >= 5) throw Error(Exit::bad_input, "too many redirects", url);
    req.url = resolve_url(req.url, r.header("location"));
  }
}

// URL.sig: a cosign sign-blob signature (base64 text), nullopt on 404.
std::optional<std::string> signature_beside(const std::string& url, const ClientOptions& opts) {
  std::string sig_url = url.substr(0, url.find_first_of("?#")) + ".sig";
  HttpResponse r = get_following(sig_url, opts, 64 << 10, false);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) throw Error(Exit::bad_input, "the server answered HTTP " + std::to_string(r.status), sig_url);
  std::string text = r.text();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

}  // namespace

fs::path fetch_url(const std::string& url, const ClientOptions& opts) {
  HttpResponse r = get_following(url, opts, opts.max_size, true);
  if (r.status != 200) throw Error(Exit::bad_input, "the server answered HTTP " + std::to_string(r.status), url);
  if (opts.verify_blob) opts.verify_blob(r.body, signature_beside(url, opts));
  std::string type = layer_type_of(r.body);
  if (type.empty())
    throw Error(Exit::bad_input, "neither an ecc package nor a Wasm module (" + lower(served_as(url, r)) + ", " +
                                     std::to_string(r.body.size()) + " bytes)", url);
  return cache_write("blobs", sha256_digest(r.body), r.body);
}

}  // namespace ecc::oci
