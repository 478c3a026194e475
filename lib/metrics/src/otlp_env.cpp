// otlp_options_from_env: the OTEL_* variables of OpenTelemetry's exporter
// configuration that ecli reads (docs/metrics.md, OTLP).
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "ecc/error.h"
#include "ecc/otlp.h"
#include "otlp_internal.h"

namespace ecc::metrics {

namespace {

using Pairs = std::map<std::string, std::string>;

constexpr std::string_view kMetricsPath = "/v1/metrics";

// An unset and an empty variable are the same: not configured.
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string without_trailing_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

void check_url(const std::string& url, const char* source) {
  std::string lower;
  for (char c : url.substr(0, 8)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t scheme = lower.starts_with("http://") ? 7 : lower.starts_with("https://") ? 8 : 0;
  if (scheme == 0 || url.size() == scheme)
    throw Error(Exit::usage, "'" + url + "' is not an http:// or https:// URL", source);
}

// The flag's URL gets the signal path unless it has it; the per-signal
// variable is used as it is; the base variable always gets the path.
std::string metrics_url(const std::string& flag) {
  if (!flag.empty()) {
    check_url(flag, "--otlp");
    std::string base = without_trailing_slashes(flag);
    return base.ends_with(kMetricsPath) ? base : base + std::string(kMetricsPath);
  }
  if (std::string url = env("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"); !url.empty()) {
    check_url(url, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
    return url;
  }
  if (std::string url = env("OTEL_EXPORTER_OTLP_ENDPOINT"); !url.empty()) {
    check_url(url, "OTEL_EXPORTER_OTLP_ENDPOINT");
    return without_trailing_slashes(url) + std::string(kMetricsPath);
  }
  return "http://localhost:4318" + std::string(kMetricsPath);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decoded(std::string_view s, const char* var) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1, lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
    if (lo < 0) throw Error(Exit::usage, "bad percent-encoding in '" + std::string(s) + "'", var);
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// "k=v,k2=v2" (W3C Baggage without properties): keys and values trimmed,
// values percent-decoded, empty entries skipped.
Pairs pairs_of(const char* var) {
  Pairs out;
  const std::string text = env(var);
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    std::string_view key = trim(item.substr(0, eq));
    if (eq == std::string_view::npos || key.empty())
      throw Error(Exit::usage, "'" + std::string(item) + "' is not key=value", var);
    out[std::string(key)] = percent_decoded(trim(item.substr(eq + 1)), var);
  }
  return out;
}

// OTEL_EXPORTER_OTLP_HEADERS, overridden by the metrics-only variable, both
// by the headers `given`.
Pairs headers(const Pairs& given) {
  Pairs out;
  for (const char* var : {"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_METRICS_HEADERS"})
    for (auto& [name, value] : pairs_of(var)) {
      check_header(name, value, var);
      out[name] = value;
    }
  for (const auto& [name, value] : given) out[name] = value;
  return out;
}

}  // namespace

void check_header(const std::string& name, const std::string& value, const std::string& source) {
  static constexpr std::string_view kTokenPunct = "!#$%&'*+-.^_`|~";
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && kTokenPunct.find(c) == std::string_view::npos)
      throw Error(Exit::usage, "header name '" + name + "' is not an HTTP token", source);
  if (name.empty()) throw Error(Exit::usage, "a header has an empty name", source);
  for (char c : value)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
      throw Error(Exit::usage, "header '" + name + "' has a control character in its value", source);
}

OtlpOptions otlp_options_from_env(OtlpOptions o) {
  o.url = metrics_url(o.url);
  o.headers = headers(o.headers);
  Pairs attributes = pairs_of("OTEL_RESOURCE_ATTRIBUTES");
  if (o.service_name.empty()) o.service_name = env("OTEL_SERVICE_NAME");
  if (o.service_name.empty() && attributes.count("service.name")) o.service_name = attributes["service.name"];
  if (o.service_name.empty()) o.service_name = "ecli";
  attributes.erase("service.name");
  o.resource.merge(attributes);  // keeps the keys `o` has
  return o;
}

}  // namespace ecc::metrics
