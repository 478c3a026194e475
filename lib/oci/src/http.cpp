// libcurl transport: TLS with the system CAs plus the certs.d CA files of
// docker and podman, timeouts, a size limit, a progress line on a tty.
#include "http.h"

#include "ecc/curl_lib.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <memory>

#include "ecc/error.h"
#include "ecc/openssl_lib.h"
#include "ecc/tool_name.h"

namespace ecc::oci {

namespace fs = std::filesystem;

namespace {

struct Transfer {
  const HttpRequest* req = nullptr;
  HttpResponse* resp = nullptr;
  bool over_limit = false;
  std::string authority;  // for the certs.d lookup
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  bool progress_shown = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->resp->body.size() + len > t->req->max_size) {
    t->over_limit = true;
    return 0;  // aborts the transfer
  }
  t->resp->body.insert(t->resp->body.end(), data, data + len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    t->resp->headers.clear();  // a new response (after 100 Continue)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon), value = line.substr(colon + 1);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  value.erase(0, value.find_first_not_of(" \t"));
  t->resp->headers[name] = value;
  return size * n;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->req->progress_label.empty()) return 0;
  if (std::chrono::steady_clock::now() - t->start < std::chrono::seconds(1)) return 0;
  t->progress_shown = true;
  if (dltotal > 0)
    std::fprintf(stderr, "\r%s: %s %.1f / %.1f MiB", tool_name().c_str(), t->req->progress_label.c_str(), double(dlnow) / 1048576.0,
                 double(dltotal) / 1048576.0);
  else
    std::fprintf(stderr, "\r%s: %s %.1f MiB", tool_name().c_str(), t->req->progress_label.c_str(), double(dlnow) / 1048576.0);
  return 0;
}

// Adds every *.crt of /etc/containers/certs.d/HOST[:PORT] and
// /etc/docker/certs.d/HOST[:PORT] to the verification store.
void add_certs_d(X509_STORE* store, const std::string& authority) {
  for (const char* root : {"/etc/containers/certs.d", "/etc/docker/certs.d"}) {
    std::error_code ec;
    fs::path dir = fs::path(root) / authority;
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() != ".crt") continue;
      std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(e.path().c_str(), "r"), std::fclose);
      if (!f) continue;
      while (X509* cert = openssl().PEM_read_X509(f.get(), nullptr, nullptr, nullptr)) {
        openssl().X509_STORE_add_cert(store, cert);  // a duplicate is not an error here
        openssl().X509_free(cert);
      }
    }
  }
}

CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* user) {
  auto* t = static_cast<Transfer*>(user);
  add_certs_d(openssl().SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx)), t->authority);
  return CURLE_OK;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_lib().easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_lib().slist_free_all(l); }
  void operator()(CURLU* u) const { curl_lib().url_cleanup(u); }
};

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpResponse http_perform(const HttpRequest& req, const TlsOptions& tls) {
  const CurlLib& cl = curl_lib();
  std::unique_ptr<CURL, CurlDeleter> curl(cl.easy_init());
  if (!curl) throw Error(Exit::tool_failed, "libcurl cannot start", req.url);
  HttpResponse resp;
  Transfer t{&req, &resp};
  t.authority = url_authority(req.url);
  CURL* c = curl.get();
  std::unique_ptr<curl_slist, CurlDeleter> headers;
  auto add_header = [&](const std::string& h) { headers.reset(cl.slist_append(headers.release(), h.c_str())); };
  for (const auto& h : req.headers) add_header(h);
  add_header("Expect:");
  cl.easy_setopt(c, CURLOPT_URL, req.url.c_str());
  cl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  cl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  cl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  cl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  cl.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // a stalled transfer ends after 30 s
  cl.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
  cl.easy_setopt(c, CURLOPT_USERAGENT, "ecli/" ECC_VERSION);
  cl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  cl.easy_setopt(c, CURLOPT_WRITEDATA, &t);
  cl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  cl.easy_setopt(c, CURLOPT_HEADERDATA, &t);
  cl.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  cl.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  cl.easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  cl.easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
  cl.easy_setopt(c, CURLOPT_SSL_CTX_DATA, &t);
  if (tls.insecure) {
    cl.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    cl.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (req.method == "HEAD") {
    cl.easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET") {
    cl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    cl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    cl.easy_setopt(c, CURLOPT_POSTFIELDS, req.body.empty() ? "" : reinterpret_cast<const char*>(req.body.data()));
  }
  cl.easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  t.progress_shown = false;
  HttpRequest quiet;  // progress only on a terminal
  if (!isatty(2) && !req.progress_label.empty()) {
    quiet = req;
    quiet.progress_label.clear();
    t.req = &quiet;
  }
  CURLcode rc = cl.easy_perform(c);
  if (t.progress_shown) std::fputc('\n', stderr);
  if (t.over_limit)
    throw Error(Exit::bad_input, "the response is over the size limit of " + std::to_string(req.max_size) + " bytes", req.url);
  if (rc != CURLE_OK)
    throw Error(Exit::bad_input, std::string("registry or server unreachable: ") + cl.easy_strerror(rc), req.url);
  cl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

std::string resolve_url(const std::string& base, const std::string& location) {
  const CurlLib& cl = curl_lib();
  std::unique_ptr<CURLU, CurlDeleter> u(cl.url());
  if (cl.url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      cl.url_set(u.get(), CURLUPART_URL, location.c_str(), 0) != CURLUE_OK)
    throw Error(Exit::bad_input, "bad Location '" + location + "'", base);
  char* out = nullptr;
  cl.url_get(u.get(), CURLUPART_URL, &out, 0);
  std::string s = out ? out : "";
  cl.free(out);
  return s;
}

std::string url_authority(const std::string& url) {
  const CurlLib& cl = curl_lib();
  std::unique_ptr<CURLU, CurlDeleter> u(cl.url());
  if (cl.url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return {};
  char *host = nullptr, *port = nullptr;
  cl.url_get(u.get(), CURLUPART_HOST, &host, 0);
  cl.url_get(u.get(), CURLUPART_PORT, &port, 0);
  std::string s = host ? host : "";
  if (port) s += std::string(":") + port;
  cl.free(host);
  cl.free(port);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

}  // namespace ecc::oci
