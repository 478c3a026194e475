// OtelEnv: the OTEL_* variables ecli reads, set for one test and put back
// afterwards (docs/metrics.md, OTLP).
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ecc::test {

// Sets OTEL_* variables for one test (all unset at first) and puts back
// what the environment had.
class OtelEnv {
 public:
  OtelEnv() {
    for (const char* name : kNames) {
      const char* v = std::getenv(name);
      saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
      unsetenv(name);
    }
  }
  ~OtelEnv() {
    for (const auto& [name, value] : saved_)
      if (value) setenv(name, value->c_str(), 1);
      else unsetenv(name);
  }
  OtelEnv(const OtelEnv&) = delete;
  OtelEnv& operator=(const OtelEnv&) = delete;
  void set(const char* name, const char* value) { setenv(name, value, 1); }

 private:
  static constexpr const char* kNames[] = {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                                           "OTEL_EXPORTER_OTLP_HEADERS",  "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
                                           "OTEL_SERVICE_NAME",           "OTEL_RESOURCE_ATTRIBUTES"};
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

}  // namespace ecc::test
