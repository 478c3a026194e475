// One HTTP exchange on libcurl, without following redirects (the registry
// client decides which headers a redirect target may see).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace ecc::oci {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::span<const uint8_t> body;
  uint64_t max_size = uint64_t{4} << 20;  // the body ecli accepts
  std::string progress_label;             // non-empty: a progress line on a tty
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased, last one wins
  std::vector<uint8_t> body;
  std::string header(const std::string& lower_name) const;
  std::string text() const { return std::string(body.begin(), body.end()); }
};

struct TlsOptions {
  bool insecure = false;
};

// Throws Error(bad_input) for a transport failure (unreachable, TLS,
// timeout, a body over max_size) naming the URL; HTTP error statuses are
// returned, not thrown.
HttpResponse http_perform(const HttpRequest& req, const TlsOptions& tls);

// Of a registry's answer: "HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)"
// from its JSON error body, or just the status.
std::string describe_failure(const HttpResponse& r);
// The token (or access_token) of a token service's JSON answer; empty when
// it has none.
std::string token_of(const HttpResponse& r);

// `location` (absolute, or relative to `base`) as an absolute URL.
std::string resolve_url(const std::string& base, const std::string& location);
// "host[:port]" of an absolute URL, lower-cased; the port only when given.
std::string url_authority(const std::string& url);

}  // namespace ecc::oci
