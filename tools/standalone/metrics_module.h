// --metrics and --otlp in a standalone executable (docs/ecc-standalone.md):
// the executable needs nothing but glibc, so the exporter,
// libecc-metrics.so with prometheus-cpp and libcurl underneath, is loaded
// with dlopen only when asked for.
#pragma once

#include <memory>

#include "ecc/metrics.h"

namespace ecc::standalone {

// The first of $ECC_METRICS_LIB, <this executable's dir>/../lib/ecc/,
// /usr/local/lib/ecc/ and /usr/lib/ecc/ that loads, then its exporter.
// Throws Error(tool_failed) naming where it looked when none loads, and the
// exporter's own Error (bad ADDR, busy port).
std::unique_ptr<metrics::Exporter> load_exporter(const metrics::Options& o);

}  // namespace ecc::standalone
