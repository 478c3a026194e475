// The labelled series of the sampled maps and of the events' @metric
// members (docs/metrics.md), in prometheus-cpp families, under one budget:
// --metrics-max-series caps how many exist; one more is dropped and counted.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <map>
#include <memory>
#include <unordered_map>

#include "ecc/metrics.h"

namespace ecc::metrics {

class SeriesBudget {
 public:
  explicit SeriesBudget(uint32_t max) : max_(max) {}
  // Whether one more series may be made; counts a refusal.
  bool take() {
    if (used_.load() >= max_) {
      dropped_.fetch_add(1);
      return false;
    }
    used_.fetch_add(1);
    return true;
  }
  void give_back() { used_.fetch_sub(1); }
  uint64_t dropped() const { return dropped_.load(); }

 private:
  uint32_t max_;
  std::atomic<uint64_t> used_{0}, dropped_{0};
};

class MapSeries {
 public:
  MapSeries(prometheus::Registry& registry, const std::string& program, SeriesBudget& budget)
      : registry_(registry), program_(program), budget_(budget) {}
  void histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                 const std::vector<HistogramValue>& series, bool cumulative);
  void gauges(const std::string& prefix, const std::vector<GaugeValue>& values);
  EventMetrics& events(const EventMetricsSpec& spec);

  prometheus::Family<prometheus::Counter>& counter_family(const std::string& name, const std::string& help);
  prometheus::Family<prometheus::Histogram>& histogram_family(const std::string& name, const std::string& help);
  SeriesBudget& budget() { return budget_; }

 private:
  struct HistogramSeries {
    prometheus::Histogram* metric = nullptr;
    std::vector<uint64_t> last;  // the map's counts at the last read
    double last_sum = 0;
  };
  struct GaugeSeries {
    prometheus::Family<prometheus::Gauge>* family = nullptr;
    prometheus::Gauge* metric = nullptr;
    bool seen = false;
  };
  prometheus::Family<prometheus::Gauge>& gauge_family(const std::string& name);

  prometheus::Registry& registry_;
  const std::string& program_;  // the exporter's, named before the first series
  SeriesBudget& budget_;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters_;
  std::map<std::string, prometheus::Family<prometheus::Histogram>*> histogram_families_;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauge_families_;
  std::map<std::string, std::map<Labels, HistogramSeries>> histograms_;                  // by family
  std::map<std::string, std::map<std::pair<std::string, Labels>, GaugeSeries>> gauges_;  // by prefix
  std::vector<std::unique_ptr<EventMetrics>> events_;
};

}  // namespace ecc::metrics
