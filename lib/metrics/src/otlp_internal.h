// What otlp_env.cpp and otlp_push.cpp share inside lib/metrics.
#pragma once

#include <string>

namespace ecc::metrics {

// Throws Error(usage) naming `source` unless `name` is an HTTP token and
// `value` has no control characters (no CR/LF to split the request with).
void check_header(const std::string& name, const std::string& value, const std::string& source);

}  // namespace ecc::metrics
