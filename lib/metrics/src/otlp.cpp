// otlp_json: prometheus-cpp's families as one OTLP/HTTP JSON
// ExportMetricsServiceRequest (docs/metrics.md has the mapping table).
#include <algorithm>
#include <cmath>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ecc/otlp.h"

namespace ecc::metrics {

namespace {

using json = nlohmann::ordered_json;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr int kCumulative = 2;  // AggregationTemporality CUMULATIVE (enums are integers in OTLP JSON)

struct Times {
  uint64_t start_ns;
  uint64_t now_ns;
};

// A double in the protobuf JSON mapping: a number, or the strings "NaN",
// "Infinity" and "-Infinity" JSON has no numbers for.
json number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

// 64-bit integers (fixed64) are decimal strings in the mapping.
json u64(uint64_t v) { return std::to_string(v); }

json string_attribute(const std::string& key, const std::string& value) {
  json kv = json::object();
  kv["key"] = key;
  kv["value"] = json::object({{"stringValue", value}});
  return kv;
}

// A point's attributes, start (for cumulative points) and time; the time is
// the metric's own timestamp when prometheus-cpp has one.
json point(const ClientMetric& m, const Times& t, bool cumulative) {
  json p = json::object();
  if (!m.label.empty()) {
    json attrs = json::array();
    for (const auto& l : m.label) attrs.push_back(string_attribute(l.name, l.value));
    p["attributes"] = std::move(attrs);
  }
  if (cumulative) p["startTimeUnixNano"] = u64(t.start_ns);
  p["timeUnixNano"] = u64(m.timestamp_ms > 0 ? static_cast<uint64_t>(m.timestamp_ms) * 1000000 : t.now_ns);
  return p;
}

json number_point(const ClientMetric& m, const Times& t, bool cumulative, double value) {
  json p = point(m, t, cumulative);
  p["asDouble"] = number(value);
  return p;
}

// prometheus-cpp's buckets are cumulative counts per `le` bound, the last one
// +Inf; OTLP wants the finite bounds and one count per bucket, one more than
// the bounds, the last bucket (bound, +Inf) taking the rest of the count.
json histogram_point(const ClientMetric& m, const Times& t) {
  json p = point(m, t, true);
  std::vector<ClientMetric::Bucket> buckets = m.histogram.bucket;
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const auto& a, const auto& b) { return a.upper_bound < b.upper_bound; });
  json bounds = json::array(), counts = json::array();
  uint64_t below = 0;
  for (const auto& b : buckets) {
    if (!std::isfinite(b.upper_bound)) continue;  // +Inf is the last count below
    if (!bounds.empty() && bounds.back().get<double>() == b.upper_bound) continue;
    bounds.push_back(b.upper_bound);
    counts.push_back(u64(b.cumulative_count > below ? b.cumulative_count - below : 0));
    below = std::max(below, b.cumulative_count);
  }
  const uint64_t total = m.histogram.sample_count;
  counts.push_back(u64(total > below ? total - below : 0));
  p["count"] = u64(total);
  p["sum"] = number(m.histogram.sample_sum);
  p["bucketCounts"] = std::move(counts);
  p["explicitBounds"] = std::move(bounds);
  return p;
}

json summary_point(const ClientMetric& m, const Times& t) {
  json p = point(m, t, true);
  p["count"] = u64(m.summary.sample_count);
  p["sum"] = number(m.summary.sample_sum);
  json quantiles = json::array();
  for (const auto& q : m.summary.quantile)
    quantiles.push_back(json::object({{"quantile", number(q.quantile)}, {"value", number(q.value)}}));
  p["quantileValues"] = std::move(quantiles);
  return p;
}

// UCUM units from the Prometheus naming convention's unit suffixes.
std::string unit_of(std::string_view name) {
  if (name.ends_with("_total")) name.remove_suffix(6);
  if (name.ends_with("_seconds")) return "s";
  if (name.ends_with("_bytes")) return "By";
  return {};
}

// The metric's data: its kind's key and the object under it.
std::pair<const char*, json> data_of(const MetricFamily& f, const Times& t) {
  json points = json::array();
  switch (f.type) {
    case MetricType::Counter:
      for (const auto& m : f.metric) points.push_back(number_point(m, t, true, m.counter.value));
      return {"sum", json::object({{"dataPoints", std::move(points)},
                                   {"aggregationTemporality", kCumulative},
                                   {"isMonotonic", true}})};
    case MetricType::Gauge:
      for (const auto& m : f.metric) points.push_back(number_point(m, t, false, m.gauge.value));
      return {"gauge", json::object({{"dataPoints", std::move(points)}})};
    case MetricType::Untyped:
      for (const auto& m : f.metric) points.push_back(number_point(m, t, false, m.untyped.value));
      return {"gauge", json::object({{"dataPoints", std::move(points)}})};
    case MetricType::Histogram:
      for (const auto& m : f.metric) points.push_back(histogram_point(m, t));
      return {"histogram",
              json::object({{"dataPoints", std::move(points)}, {"aggregationTemporality", kCumulative}})};
    case MetricType::Summary:
      for (const auto& m : f.metric) points.push_back(summary_point(m, t));
      return {"summary", json::object({{"dataPoints", std::move(points)}})};
  }
  return {"gauge", json::object({{"dataPoints", std::move(points)}})};
}

json metric(const MetricFamily& f, const Times& t) {
  json m = json::object();
  m["name"] = f.name;
  if (!f.help.empty()) m["description"] = f.help;
  if (std::string unit = unit_of(f.name); !unit.empty()) m["unit"] = unit;
  auto [kind, data] = data_of(f, t);
  m[kind] = std::move(data);
  return m;
}

// service.name first, then the other attributes by key; a "service.name" in
// the map gives way to service_name.
json resource(const OtlpOptions& o) {
  json attrs = json::array();
  attrs.push_back(string_attribute("service.name", o.service_name.empty() ? "ecli" : o.service_name));
  for (const auto& [key, value] : o.resource)
    if (key != "service.name") attrs.push_back(string_attribute(key, value));
  return json::object({{"attributes", std::move(attrs)}});
}

}  // namespace

std::string otlp_json(const std::vector<MetricFamily>& families, const OtlpOptions& o, uint64_t start_ns,
                      uint64_t now_ns) {
  const Times t{start_ns, now_ns};
  json metrics = json::array();
  for (const auto& f : families)
    if (!f.metric.empty()) metrics.push_back(metric(f, t));  // a family without series has no points
  json scope = json::object({{"name", "ecli"}, {"version", ECC_VERSION}});
  json scope_metrics = json::object({{"scope", std::move(scope)}, {"metrics", std::move(metrics)}});
  json resource_metrics = json::object();
  resource_metrics["resource"] = resource(o);
  resource_metrics["scopeMetrics"] = json::array({std::move(scope_metrics)});
  json request = json::object();
  request["resourceMetrics"] = json::array({std::move(resource_metrics)});
  // Label values come from traced programs: bytes that are not UTF-8 become U+FFFD.
  return request.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace ecc::metrics
