// A hand-written structural check of OTLP/HTTP JSON metrics for the tests
// (docs/metrics.md).
#pragma once

#include <string>

namespace ecc::test {

// "" when `body` is an ExportMetricsServiceRequest in OTLP's JSON encoding
// (lowerCamelCase keys, 64-bit integers as decimal strings, integer enums,
// one data kind per metric, one more bucket count than bounds, ...), else
// "<path>: <problem>" for the first violation, e.g.
// "resourceMetrics[0].scopeMetrics[0].metrics[1].sum.aggregationTemporality: not 1 or 2".
// Stricter than a collector: a key it does not know is a violation, so a
// snake_case or misspelt field is caught instead of silently ignored.
std::string otlp_schema_violation(const std::string& body);

}  // namespace ecc::test
