// The OTLP push of `ecli run --otlp URL` (docs/metrics.md): the families
// prometheus-cpp collects, as an OTLP/HTTP JSON ExportMetricsServiceRequest
// with cumulative temporality, POSTed to a collector every interval by a
// thread of its own. Configuration errors are ecc::Error with one line naming
// the flag or environment variable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace ecc::metrics {

struct OtlpOptions {
  // --otlp URL: the endpoint base ("/v1/metrics" appended unless the URL
  // already ends with it); empty: from OTEL_EXPORTER_OTLP_METRICS_ENDPOINT
  // as-is, else OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/metrics", else
  // http://localhost:4318/v1/metrics. After otlp_options_from_env it is the
  // full URL OtlpPusher posts to, unchanged.
  std::string url;
  // Request headers; merged with OTEL_EXPORTER_OTLP_HEADERS and
  // OTEL_EXPORTER_OTLP_METRICS_HEADERS ("k=v,k2=v2", URL-decoded values),
  // the ones given here winning.
  std::map<std::string, std::string> headers;
  // The resource attribute service.name; empty: OTEL_SERVICE_NAME, else
  // service.name of OTEL_RESOURCE_ATTRIBUTES, else "ecli".
  std::string service_name;
  // More resource attributes (e.g. ecli.program); OTEL_RESOURCE_ATTRIBUTES
  // adds the keys not given here.
  std::map<std::string, std::string> resource;
  std::chrono::milliseconds interval{10000};  // push period, > 0
  std::chrono::milliseconds timeout{5000};    // one HTTP request, > 0
};

// `o` with the OTEL_* environment filled in where `o` leaves a field empty
// (the rules above). Pure apart from getenv. Throws Error(usage) naming the
// flag or variable for a URL that is not http(s) or a malformed header or
// attribute list.
OtlpOptions otlp_options_from_env(OtlpOptions o);

// The OTLP/HTTP JSON body (ExportMetricsServiceRequest in the protobuf JSON
// mapping: lowerCamelCase keys, 64-bit integers as decimal strings, enums as
// integers) of `families`: one resourceMetrics, one scopeMetrics (scope
// "ecli"), cumulative temporality from `start_ns`, points at `now_ns` (or a
// metric's own timestamp_ms). The mapping is the table in
// docs/metrics.md.
std::string otlp_json(const std::vector<prometheus::MetricFamily>& families, const OtlpOptions& o,
                      uint64_t start_ns, uint64_t now_ns);

// Pushes collect()'s families every interval on its own thread (the first
// push one interval after start()). A failed push (connection refused, a
// retryable status 429/502/503/504, timeout) is retried with exponential
// back-off, jittered and capped at the interval; any other status is not
// retried before the next interval. Every failed request is counted. Nothing
// blocks the caller: collect() runs on the pusher's thread. stop() lets a
// request in flight finish, pushes once more and joins, all within `timeout`
// of the call: a request still unanswered then is a failure, and without
// time left there is no last push.
class OtlpPusher {
 public:
  // Throws Error(usage) for an empty url or a non-positive interval or timeout.
  OtlpPusher(OtlpOptions o, std::function<std::vector<prometheus::MetricFamily>()> collect);
  ~OtlpPusher();  // stop()
  OtlpPusher(const OtlpPusher&) = delete;
  OtlpPusher& operator=(const OtlpPusher&) = delete;
  void start();  // once; a second call does nothing
  void stop();   // idempotent; without start() nothing is pushed

  // Thread-safe counts of requests answered 2xx and of failed requests.
  uint64_t pushed() const;
  uint64_t failed() const;
  // Why the last failed request failed ("HTTP 503", "Couldn't connect to
  // server", ...); empty before the first failure.
  std::string last_error() const;
  // ecli_otlp_push_failures_total, a counter with failed(), so the failures
  // are exported too; callers add it to what they collect.
  prometheus::MetricFamily failure_family() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace ecc::metrics
