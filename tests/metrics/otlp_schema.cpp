// otlp_schema_violation: a hand-written structural check of an OTLP/HTTP JSON
// ExportMetricsServiceRequest (docs/metrics.md): the messages of
// metrics.proto, common.proto and resource.proto that ecli writes, in the
// protobuf JSON mapping with OTLP's rules.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <string_view>

#include <nlohmann/json.hpp>

#include "otlp_schema.h"

namespace ecc::test {

namespace {

using nlohmann::json;
using Path = const std::string&;

class Schema {
 public:
  std::string violation;

  bool fail(Path path, const std::string& problem) {
    if (violation.empty()) violation = (path.empty() ? "(body)" : path) + ": " + problem;
    return false;
  }

  // An object with no key but `allowed` and every one of `required`.
  bool object(const json& j, Path path, std::initializer_list<std::string_view> allowed,
              std::initializer_list<std::string_view> required = {}) {
    if (!j.is_object()) return fail(path, "not an object");
    for (const auto& [key, value] : j.items())
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        return fail(path, "unknown key '" + key + "'");
    for (std::string_view key : required)
      if (!j.contains(key)) return fail(path, "no '" + std::string(key) + "'");
    return true;
  }

  bool string(const json& j, Path path, bool non_empty = false) {
    if (!j.is_string()) return fail(path, "not a string");
    if (non_empty && j.get_ref<const std::string&>().empty()) return fail(path, "empty");
    return true;
  }

  // A 64-bit integer: a decimal string in the mapping, never a JSON number.
  bool integer_string(const json& j, Path path, bool is_signed, bool non_zero = false) {
    if (!j.is_string()) return fail(path, "a 64-bit integer not as a decimal string");
    const std::string& s = j.get_ref<const std::string&>();
    std::from_chars_result r;
    uint64_t u = 0;
    int64_t i = 0;
    r = is_signed ? std::from_chars(s.data(), s.data() + s.size(), i) : std::from_chars(s.data(), s.data() + s.size(), u);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
      return fail(path, "'" + s + "' is not a decimal " + (is_signed ? "int64" : "uint64"));
    if (non_zero && u == 0 && i == 0) return fail(path, "zero");
    return true;
  }

  // A double: a number, or "NaN", "Infinity", "-Infinity".
  bool number(const json& j, Path path) {
    if (j.is_number()) return true;
    if (j.is_string() && (j == "NaN" || j == "Infinity" || j == "-Infinity")) return true;
    return fail(path, "not a number");
  }

  bool array(const json& j, Path path, const std::function<bool(const json&, Path)>& each) {
    if (!j.is_array()) return fail(path, "not an array");
    for (size_t i = 0; i < j.size(); ++i)
      if (!each(j[i], path + "[" + std::to_string(i) + "]")) return false;
    return true;
  }

  bool any_value(const json& j, Path path);
  bool key_value(const json& j, Path path) {
    return object(j, path, {"key", "value"}, {"key", "value"}) && string(j["key"], path + ".key", true) &&
           any_value(j["value"], path + ".value");
  }
  bool attributes(const json& j, Path path) {
    return array(j, path, [this](const json& kv, Path p) { return key_value(kv, p); });
  }

  bool request(const json& j);
  bool resource_metrics(const json& j, Path path);
  bool scope_metrics(const json& j, Path path);
  bool metric(const json& j, Path path);
  bool data(const json& j, Path path, const std::string& kind);
  bool point_common(const json& j, Path path);
  bool number_point(const json& j, Path path);
  bool histogram_point(const json& j, Path path);
  bool summary_point(const json& j, Path path);
};

// AnyValue: exactly one of its kinds.
bool Schema::any_value(const json& j, Path path) {
  if (!object(j, path, {"stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"}))
    return false;
  if (j.size() != 1) return fail(path, "not exactly one value kind");
  const std::string kind = j.begin().key();
  const json& v = j.begin().value();
  const std::string p = path + "." + kind;
  if (kind == "stringValue" || kind == "bytesValue") return string(v, p);
  if (kind == "boolValue") return v.is_boolean() || fail(p, "not a boolean");
  if (kind == "intValue") return integer_string(v, p, true);
  if (kind == "doubleValue") return number(v, p);
  if (!object(v, p, {"values"})) return false;
  if (!v.contains("values")) return true;
  if (kind == "arrayValue")
    return array(v["values"], p + ".values", [this](const json& e, Path q) { return any_value(e, q); });
  return attributes(v["values"], p + ".values");
}

bool Schema::request(const json& j) {
  return object(j, "", {"resourceMetrics"}, {"resourceMetrics"}) &&
         array(j["resourceMetrics"], "resourceMetrics", [this](const json& r, Path p) { return resource_metrics(r, p); });
}

bool Schema::resource_metrics(const json& j, Path path) {
  if (!object(j, path, {"resource", "scopeMetrics", "schemaUrl"}, {"scopeMetrics"})) return false;
  if (j.contains("resource")) {
    const json& r = j["resource"];
    if (!object(r, path + ".resource", {"attributes", "droppedAttributesCount"})) return false;
    if (r.contains("attributes") && !attributes(r["attributes"], path + ".resource.attributes")) return false;
  }
  return array(j["scopeMetrics"], path + ".scopeMetrics", [this](const json& s, Path p) { return scope_metrics(s, p); });
}

bool Schema::scope_metrics(const json& j, Path path) {
  if (!object(j, path, {"scope", "metrics", "schemaUrl"})) return false;
  if (j.contains("scope")) {
    const json& s = j["scope"];
    const std::string p = path + ".scope";
    if (!object(s, p, {"name", "version", "attributes", "droppedAttributesCount"})) return false;
    if (s.contains("name") && !string(s["name"], p + ".name")) return false;
    if (s.contains("version") && !string(s["version"], p + ".version")) return false;
  }
  if (!j.contains("metrics")) return true;
  return array(j["metrics"], path + ".metrics", [this](const json& m, Path p) { return metric(m, p); });
}

// A metric: its name and exactly one data kind.
bool Schema::metric(const json& j, Path path) {
  static const std::vector<std::string> kinds = {"gauge", "sum", "histogram", "summary"};
  if (!object(j, path, {"name", "description", "unit", "gauge", "sum", "histogram", "summary", "metadata"}, {"name"}))
    return false;
  if (!string(j["name"], path + ".name", true)) return false;
  for (const char* text : {"description", "unit"})
    if (j.contains(text) && !string(j[text], path + "." + text)) return false;
  std::string kind;
  for (const auto& k : kinds)
    if (j.contains(k)) {
      if (!kind.empty()) return fail(path, "both '" + kind + "' and '" + k + "'");
      kind = k;
    }
  if (kind.empty()) return fail(path, "no data (gauge, sum, histogram or summary)");
  return data(j[kind], path + "." + kind, kind);
}

bool Schema::data(const json& j, Path path, const std::string& kind) {
  const bool temporal = kind == "sum" || kind == "histogram";
  bool ok = kind == "sum" ? object(j, path, {"dataPoints", "aggregationTemporality", "isMonotonic"})
            : temporal    ? object(j, path, {"dataPoints", "aggregationTemporality"})
                          : object(j, path, {"dataPoints"});
  if (!ok) return false;
  if (temporal) {
    const json& t = j.contains("aggregationTemporality") ? j["aggregationTemporality"] : json();
    if (!t.is_number_integer() || (t != 1 && t != 2)) return fail(path + ".aggregationTemporality", "not 1 or 2");
  }
  if (j.contains("isMonotonic") && !j["isMonotonic"].is_boolean()) return fail(path + ".isMonotonic", "not a boolean");
  if (!j.contains("dataPoints")) return true;
  return array(j["dataPoints"], path + ".dataPoints", [&](const json& p, Path q) {
    return kind == "histogram" ? histogram_point(p, q) : kind == "summary" ? summary_point(p, q) : number_point(p, q);
  });
}

// What every point has: attributes, times (timeUnixNano required, not zero), flags.
bool Schema::point_common(const json& j, Path path) {
  if (j.contains("attributes") && !attributes(j["attributes"], path + ".attributes")) return false;
  if (j.contains("startTimeUnixNano") && !integer_string(j["startTimeUnixNano"], path + ".startTimeUnixNano", false))
    return false;
  if (!j.contains("timeUnixNano")) return fail(path, "no 'timeUnixNano'");
  if (j.contains("flags") && !j["flags"].is_number_unsigned()) return fail(path + ".flags", "not an unsigned integer");
  return integer_string(j["timeUnixNano"], path + ".timeUnixNano", false, true);
}

bool Schema::number_point(const json& j, Path path) {
  if (!object(j, path, {"attributes", "startTimeUnixNano", "timeUnixNano", "asDouble", "asInt", "exemplars", "flags"}) ||
      !point_common(j, path))
    return false;
  if (j.contains("asDouble") == j.contains("asInt")) return fail(path, "not exactly one of 'asDouble' and 'asInt'");
  return j.contains("asDouble") ? number(j["asDouble"], path + ".asDouble") : integer_string(j["asInt"], path + ".asInt", true);
}

// Counts as uint64 strings, one more than the strictly increasing bounds,
// adding up to `count`.
bool Schema::histogram_point(const json& j, Path path) {
  if (!object(j, path, {"attributes", "startTimeUnixNano", "timeUnixNano", "count", "sum", "bucketCounts", "explicitBounds",
                        "exemplars", "flags", "min", "max"}, {"count"}) ||
      !point_common(j, path) || !integer_string(j["count"], path + ".count", false))
    return false;
  if (j.contains("sum") && !number(j["sum"], path + ".sum")) return false;
  const json counts = j.value("bucketCounts", json::array()), bounds = j.value("explicitBounds", json::array());
  uint64_t total = 0;
  if (!array(counts, path + ".bucketCounts", [&](const json& c, Path p) {
        if (!integer_string(c, p, false)) return false;
        total += std::stoull(c.get<std::string>());
        return true;
      }))
    return false;
  double previous = -INFINITY;
  if (!array(bounds, path + ".explicitBounds", [&](const json& b, Path p) {
        if (!b.is_number() || !std::isfinite(b.get<double>())) return fail(p, "not a finite number");
        if (b.get<double>() <= previous) return fail(p, "not above the bound before");
        previous = b.get<double>();
        return true;
      }))
    return false;
  if (!counts.empty() && counts.size() != bounds.size() + 1)
    return fail(path + ".bucketCounts", std::to_string(counts.size()) + " counts for " + std::to_string(bounds.size()) +
                                            " bounds, not one more");
  if (!counts.empty() && std::to_string(total) != j["count"])
    return fail(path + ".bucketCounts", "they add up to " + std::to_string(total) + ", not count");
  return true;
}

bool Schema::summary_point(const json& j, Path path) {
  if (!object(j, path, {"attributes", "startTimeUnixNano", "timeUnixNano", "count", "sum", "quantileValues", "flags"},
              {"count", "sum"}) ||
      !point_common(j, path) || !integer_string(j["count"], path + ".count", false) || !number(j["sum"], path + ".sum"))
    return false;
  if (!j.contains("quantileValues")) return true;
  return array(j["quantileValues"], path + ".quantileValues", [this](const json& q, Path p) {
    return object(q, p, {"quantile", "value"}, {"quantile", "value"}) && number(q["quantile"], p + ".quantile") &&
           number(q["value"], p + ".value");
  });
}

}  // namespace

std::string otlp_schema_violation(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return "(body): not JSON";
  Schema s;
  s.request(j);
  return s.violation;
}

}  // namespace ecc::test
