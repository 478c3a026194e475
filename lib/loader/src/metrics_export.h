// What the loader gives the metrics exporter (docs/metrics.md): the events'
// @metric members and the sampled maps, as series (private to the loader).
#pragma once

#include <span>
#include <vector>

#include "ecc/loader.h"
#include "ecc/metrics.h"

namespace ecc::loader {

// The @metric members of an export struct, found in its layout once; each
// record then gives its label texts and numbers to the exporter.
class EventExport {
 public:
  // Null when the type has no @metric member.
  static std::unique_ptr<EventExport> make(const Package& pkg, TypeId type, const Field& layout,
                                           metrics::Exporter& exporter);
  void record(std::span<const uint8_t> bytes);

 private:
  metrics::EventMetrics* series_ = nullptr;
  std::vector<Field> labels_, counters_, observed_;  // leaf fields, offsets from the record's start
  std::vector<std::string> label_values_;
  std::vector<double> counter_values_, observed_values_;
};

// One read of a sampled map: its rows as key and value bytes.
struct SampleRows {
  const std::string& map;
  const SampleSpec& spec;
  const Field& key;
  const Field& value;
  const Field* slots;  // histograms: the value's array of counters
  const std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>>& rows;
};

// A histogram sample as a Prometheus histogram, a default_kv or top sample
// as gauges.
void export_sample(metrics::Exporter& exporter, const SampleRows& s);

// A name made fit for Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*, "." as "_".
std::string metric_name(const std::string& s);

}  // namespace ecc::loader
