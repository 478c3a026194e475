// A real Prometheus server (Debian's prometheus) for the metrics tests
// (docs/metrics.md): started on a free loopback port with a config that
// scrapes one target every second, queried through its HTTP API, stopped by
// PID when the object goes.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ecli_fixture.h"

namespace ecc::test {

// GET `url`: the body, or nothing when the request failed or was not 200.
std::optional<std::string> http_get(const std::string& url);

class PrometheusServer {
 public:
  // Scrapes http://`target`/metrics every second; `dir` holds its config and data.
  PrometheusServer(const std::string& target, const fs::path& dir);
  ~PrometheusServer();  // stopped by its PID
  bool ready() const { return ready_; }
  const std::string& log() const;

  // The result vector of an instant query (empty on error).
  nlohmann::json query(const std::string& promql) const;
  // The one value of `promql`, or nothing (no series, or several).
  std::optional<double> value(const std::string& promql) const;
  // Waits until value(promql) == want; the last value seen.
  std::optional<double> wait_value(const std::string& promql, double want,
                                   std::chrono::milliseconds limit = std::chrono::seconds(20)) const;

 private:
  std::string base_;
  std::unique_ptr<EcliProcess> proc_;
  bool ready_ = false;
};

}  // namespace ecc::test
