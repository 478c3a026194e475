// --metrics and --otlp (docs/metrics.md): the exporter, libecc-metrics.so
// with prometheus-cpp, civetweb and libcurl underneath, is loaded with dlopen
// only when asked for. A standalone executable (docs/ecc-standalone.md)
// needs nothing but glibc that way, and ecli does not map those libraries
// for a run without metrics (its start-up, docs/performance.md).
#pragma once

#include <memory>

#include "ecc/metrics.h"

namespace ecc::ecli {

// The first of $ECC_METRICS_LIB, <this executable's dir>/../lib/ecc/,
// /usr/local/lib/ecc/ and /usr/lib/ecc/ that loads, then its exporter.
// Throws Error(tool_failed) naming where it looked when none loads, and the
// exporter's own Error (bad ADDR, busy port).
std::unique_ptr<metrics::Exporter> load_exporter(const metrics::Options& o);

}  // namespace ecc::ecli
