// The metrics of a run (docs/metrics.md): what ecli, the Wasm host and the
// standalone executables export with --metrics ADDR (Prometheus text
// exposition) and --otlp URL (OTLP/HTTP JSON). The interface has no
// prometheus-cpp type in it, so that its users do not depend on the library
// (the standalone executables load it only when asked: docs/ecc-standalone.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ecc/runtime.h"

namespace ecc::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Options {
  std::string listen;            // --metrics ADDR: "127.0.0.1:9464", ":9464", "[::1]:9464"; empty: none
  std::string otlp;              // --otlp URL; empty: none
  uint32_t max_series = 10000;   // --metrics-max-series: labelled series of all families together
  std::string program;           // the `program` label on every series
  std::string package;           // ecli_info's package label
};

// One series of a histogram: its labels, the per-bucket (not cumulative)
// counts for `bounds` and +Inf (bounds.size() + 1 of them), and the sum.
struct HistogramValue {
  Labels labels;
  std::vector<uint64_t> counts;
  double sum = 0;
};

// The gauges of one map at one read: a series per entry.
struct GaugeValue {
  std::string name;  // the family: ecli_<map> or ecli_<map>_<member>
  Labels labels;
  double value = 0;
};

// Events of an export struct with @metric members (docs/metrics.md):
// ecli_<struct>_total per label set, ecli_<struct>_<member>_total sums,
// ecli_<struct>_<member> histograms.
struct EventMetricsSpec {
  std::string structure;
  std::vector<std::string> labels;    // label names, in the order record() gets their values
  std::vector<std::string> counters;  // member names
  struct Histogram {
    std::string member;
    std::vector<double> bounds;
  };
  std::vector<Histogram> histograms;
};

class EventMetrics {
 public:
  virtual ~EventMetrics() = default;
  // One event: its label values, counter members' values, histogram
  // members' values, in the spec's orders. Called on the event path.
  virtual void record(const std::vector<std::string>& labels, const std::vector<double>& counters,
                      const std::vector<double>& observed) = 0;
};

class Exporter : public runtime::MetricsHooks {
 public:
  // The `program` label, when the runner knows the program's own name (a
  // package's object, a gadget's): before any series is made.
  virtual void set_program(const std::string& name) = 0;
  // A sample map's histogram, read again: `cumulative` when the map's
  // counts keep growing (no clear_map), else each read adds to the series.
  // Names follow docs/metrics.md: "ecli_<map>" or "ecli_<map>_seconds".
  virtual void histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                         const std::vector<HistogramValue>& series, bool cumulative) = 0;
  // A sample map's gauges at one read: series of `family_prefix`'s families
  // that this read lacks are removed (the entry left the map).
  virtual void gauges(const std::string& family_prefix, const std::vector<GaugeValue>& values) = 0;
  virtual EventMetrics& events(const EventMetricsSpec& spec) = 0;
  // The exposition text now (what GET /metrics answers).
  virtual std::string text() = 0;
};

// Starts the exposition on o.listen (and the OTLP push to o.otlp); the
// caller sets it as the runtime's hooks (runtime::set_metrics_hooks) while
// it lives. Throws Error: usage
// for a bad ADDR, tool_failed for an address that cannot be listened on
// (busy, not local), both before anything is loaded.
std::unique_ptr<Exporter> start_exporter(const Options& o);

}  // namespace ecc::metrics

// start_exporter for a program that loads this library with dlopen (a
// standalone executable, docs/ecc-standalone.md): nothing thrown across.
// 0 with *out set, or the Exit code with the message in err.
extern "C" int ecc_metrics_start(const ecc::metrics::Options* o, ecc::metrics::Exporter** out, char* err,
                                 size_t err_size);
