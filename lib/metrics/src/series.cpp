#include "series.h"

#include <unordered_map>

namespace ecc::metrics {

namespace pm = prometheus;

namespace {

pm::Labels labels_of(const Labels& l) {
  pm::Labels out;
  for (const auto& [k, v] : l) out[k] = v;
  return out;
}

// A new series' increments are the counts themselves; a read that went
// down (the map was cleared behind us) starts over from them too.
std::vector<double> increments(const std::vector<uint64_t>& now, const std::vector<uint64_t>& last, bool cumulative) {
  std::vector<double> out(now.size());
  bool reset = !cumulative || last.size() != now.size();
  for (size_t i = 0; !reset && i < now.size(); i++) reset = now[i] < last[i];
  for (size_t i = 0; i < now.size(); i++) out[i] = double(reset ? now[i] : now[i] - last[i]);
  return out;
}

// ecli_<struct>_total per label set, with the counter sums and histograms
// of each label set; the series of a label set are made together.
class StructEvents final : public EventMetrics {
 public:
  StructEvents(MapSeries& maps, const EventMetricsSpec& spec) : maps_(maps), spec_(spec) {
    std::string base = "ecli_" + spec.structure;
    total_ = &maps.counter_family(base + "_total", "events of struct " + spec.structure);
    for (const std::string& c : spec.counters)
      sums_.push_back(&maps.counter_family(base + "_" + c + "_total", "sum of " + spec.structure + "." + c));
    for (const auto& h : spec.histograms)
      hists_.push_back(&maps.histogram_family(base + "_" + h.member, spec.structure + "." + h.member));
  }
  void record(const std::vector<std::string>& labels, const std::vector<double>& counters,
              const std::vector<double>& observed) override;

 private:
  struct Entry {
    pm::Counter* total = nullptr;
    std::vector<pm::Counter*> sums;
    std::vector<pm::Histogram*> hists;
  };
  Entry* entry(const std::vector<std::string>& labels);

  MapSeries& maps_;
  EventMetricsSpec spec_;
  pm::Family<pm::Counter>* total_;
  std::vector<pm::Family<pm::Counter>*> sums_;
  std::vector<pm::Family<pm::Histogram>*> hists_;
  std::unordered_map<std::string, Entry> entries_;  // by the label values joined
  std::string key_;
};

StructEvents::Entry* StructEvents::entry(const std::vector<std::string>& labels) {
  key_.clear();
  for (const std::string& l : labels) key_.append(l).push_back('\x1f');
  auto it = entries_.find(key_);
  if (it != entries_.end()) return &it->second;
  if (!maps_.budget().take()) return nullptr;
  pm::Labels pl;
  for (size_t i = 0; i < labels.size() && i < spec_.labels.size(); i++) pl[spec_.labels[i]] = labels[i];
  Entry e;
  e.total = &total_->Add(pl);
  for (auto* f : sums_) e.sums.push_back(&f->Add(pl));
  for (size_t i = 0; i < hists_.size(); i++) e.hists.push_back(&hists_[i]->Add(pl, spec_.histograms[i].bounds));
  return &entries_.emplace(key_, std::move(e)).first->second;
}

void StructEvents::record(const std::vector<std::string>& labels, const std::vector<double>& counters,
                          const std::vector<double>& observed) {
  Entry* e = entry(labels);
  if (!e) return;
  e->total->Increment();
  for (size_t i = 0; i < e->sums.size() && i < counters.size(); i++)
    if (counters[i] > 0) e->sums[i]->Increment(counters[i]);
  for (size_t i = 0; i < e->hists.size() && i < observed.size(); i++) e->hists[i]->Observe(observed[i]);
}

}  // namespace

pm::Family<pm::Counter>& MapSeries::counter_family(const std::string& name, const std::string& help) {
  auto& f = counters_[name];
  if (!f) f = &pm::BuildCounter().Name(name).Help(help).Labels({{"program", program_}}).Register(registry_);
  return *f;
}

pm::Family<pm::Histogram>& MapSeries::histogram_family(const std::string& name, const std::string& help) {
  auto& f = histogram_families_[name];
  if (!f) f = &pm::BuildHistogram().Name(name).Help(help).Labels({{"program", program_}}).Register(registry_);
  return *f;
}

pm::Family<pm::Gauge>& MapSeries::gauge_family(const std::string& name) {
  auto& f = gauge_families_[name];
  if (!f) f = &pm::BuildGauge().Name(name).Help("sampled map value").Labels({{"program", program_}}).Register(registry_);
  return *f;
}

void MapSeries::histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                          const std::vector<HistogramValue>& series, bool cumulative) {
  pm::Family<pm::Histogram>& family = histogram_family(name, help);
  auto& known = histograms_[name];
  for (const HistogramValue& v : series) {
    auto it = known.find(v.labels);
    if (it == known.end()) {
      if (!budget_.take()) continue;
      it = known.emplace(v.labels, HistogramSeries{&family.Add(labels_of(v.labels), bounds), {}, 0}).first;
    }
    HistogramSeries& s = it->second;
    std::vector<double> inc = increments(v.counts, s.last, cumulative);
    bool reset = cumulative && (s.last.size() != v.counts.size() || v.sum < s.last_sum);
    double sum = !cumulative || reset ? v.sum : v.sum - s.last_sum;
    s.metric->ObserveMultiple(inc, sum);
    s.last = v.counts;
    s.last_sum = v.sum;
  }
}

void MapSeries::gauges(const std::string& prefix, const std::vector<GaugeValue>& values) {
  auto& known = gauges_[prefix];
  for (auto& [key, s] : known) s.seen = false;
  for (const GaugeValue& v : values) {
    auto it = known.find({v.name, v.labels});
    if (it == known.end()) {
      if (!budget_.take()) continue;
      pm::Family<pm::Gauge>& f = gauge_family(v.name);
      it = known.emplace(std::make_pair(v.name, v.labels), GaugeSeries{&f, &f.Add(labels_of(v.labels)), false}).first;
    }
    it->second.metric->Set(v.value);
    it->second.seen = true;
  }
  for (auto it = known.begin(); it != known.end();) {
    if (it->second.seen) {
      ++it;
      continue;
    }
    it->second.family->Remove(it->second.metric);
    budget_.give_back();
    it = known.erase(it);
  }
}

EventMetrics& MapSeries::events(const EventMetricsSpec& spec) {
  events_.push_back(std::make_unique<StructEvents>(*this, spec));
  return *events_.back();
}

}  // namespace ecc::metrics
