#include "prometheus_server.h"

#include <curl/curl.h>

#include <thread>

#include "otlp_receiver.h"

namespace ecc::test {

namespace {

size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string escape(const std::string& s) {
  CURL* c = curl_easy_init();
  char* e = curl_easy_escape(c, s.c_str(), static_cast<int>(s.size()));
  std::string out = e;
  curl_free(e);
  curl_easy_cleanup(c);
  return out;
}

}  // namespace

std::optional<std::string> http_get(const std::string& url) {
  CURL* c = curl_easy_init();
  std::string body;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK || status != 200) return std::nullopt;
  return body;
}

PrometheusServer::PrometheusServer(const std::string& target, const fs::path& dir) {
  uint16_t port = closed_port();
  base_ = "http://127.0.0.1:" + std::to_string(port);
  fs::create_directories(dir / "data");
  write_text(dir / "prometheus.yml",
             "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
             "scrape_configs:\n  - job_name: ecli\n    static_configs:\n      - targets: ['" + target + "']\n");
  proc_ = std::make_unique<EcliProcess>(
      fs::path("/usr/bin/prometheus"),
      std::vector<std::string>{"--config.file=" + (dir / "prometheus.yml").string(),
                               "--storage.tsdb.path=" + (dir / "data").string(),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=warn"});
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!ready_ && std::chrono::steady_clock::now() < until) {
    ready_ = http_get(base_ + "/-/ready").has_value();
    if (!ready_) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

PrometheusServer::~PrometheusServer() {
  proc_->signal(SIGTERM);
  proc_->finish(std::chrono::seconds(10));
}

const std::string& PrometheusServer::log() const { return proc_->err(); }

nlohmann::json PrometheusServer::query(const std::string& promql) const {
  std::optional<std::string> body = http_get(base_ + "/api/v1/query?query=" + escape(promql));
  if (!body) return nlohmann::json::array();
  nlohmann::json j = nlohmann::json::parse(*body, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success") return nlohmann::json::array();
  return j["data"]["result"];
}

std::optional<double> PrometheusServer::value(const std::string& promql) const {
  nlohmann::json r = query(promql);
  if (r.size() != 1) return std::nullopt;
  return std::stod(r[0]["value"][1].get<std::string>());
}

std::optional<double> PrometheusServer::wait_value(const std::string& promql, double want,
                                                   std::chrono::milliseconds limit) const {
  auto until = std::chrono::steady_clock::now() + limit;
  std::optional<double> v;
  while (std::chrono::steady_clock::now() < until) {
    v = value(promql);
    if (v && *v == want) return v;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return v;
}

}  // namespace ecc::test
