#include "metrics_export.h"

#include <cmath>

namespace ecc::loader {

namespace {

// The member at dotted `path` of `record`, its offset made absolute.
const Field* find_member(const Field& record, const std::string& path, Field& out) {
  const Field* at = &record;
  uint32_t base = 0;
  size_t from = 0;
  while (from <= path.size()) {
    size_t dot = path.find('.', from);
    std::string part = path.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
    const Field* next = nullptr;
    for (const Field& c : at->children)
      if (c.name == part) next = &c;
    if (!next) return nullptr;
    base += next->offset;
    at = next;
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  out = *at;
  out.offset = base;
  return &out;
}

// The scale to seconds of a time unit, or 0.
double seconds_per(const std::string& unit) {
  if (unit == "nsecs" || unit == "ns") return 1e-9;
  if (unit == "usecs" || unit == "us") return 1e-6;
  if (unit == "msecs" || unit == "ms") return 1e-3;
  if (unit == "secs" || unit == "s") return 1;
  return 0;
}

// The key's members as labels (a scalar key: label `key`).
metrics::Labels key_labels(const Field& key, std::span<const uint8_t> bytes) {
  metrics::Labels out;
  if (key.kind != Field::Kind::Record) {
    out.push_back({"key", decode_text(key, bytes)});
    return out;
  }
  for (const Field& c : key.children) out.push_back({metric_name(c.name), decode_text(c, bytes)});
  return out;
}

}  // namespace

std::string metric_name(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':') c = '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(out.begin(), '_');
  return out;
}

std::unique_ptr<EventExport> EventExport::make(const Package& pkg, TypeId type, const Field& layout,
                                               metrics::Exporter& exporter) {
  auto it = pkg.object.metrics.find(type);
  if (it == pkg.object.metrics.end() || it->second.empty()) return nullptr;
  auto e = std::make_unique<EventExport>();
  metrics::EventMetricsSpec spec;
  spec.structure = metric_name(pkg.object.types.at(type).name);
  for (const FieldMetric& m : it->second) {
    Field leaf;
    if (!find_member(layout, m.member, leaf))
      throw Error(Exit::bad_input, "@metric names member '" + m.member + "', which struct " + spec.structure + " lacks",
                  pkg.path);
    std::string name = metric_name(m.member);
    switch (m.kind) {
      case FieldMetric::Kind::label: e->labels_.push_back(leaf), spec.labels.push_back(name); break;
      case FieldMetric::Kind::counter: e->counters_.push_back(leaf), spec.counters.push_back(name); break;
      case FieldMetric::Kind::histogram:
        e->observed_.push_back(leaf), spec.histograms.push_back({name, m.buckets});
        break;
    }
  }
  e->label_values_.resize(e->labels_.size());
  e->counter_values_.resize(e->counters_.size());
  e->observed_values_.resize(e->observed_.size());
  e->series_ = &exporter.events(spec);
  return e;
}

void EventExport::record(std::span<const uint8_t> bytes) {
  for (size_t i = 0; i < labels_.size(); i++) decode_text(label_values_[i], labels_[i], bytes);
  for (size_t i = 0; i < counters_.size(); i++) counter_values_[i] = decode_number(counters_[i], bytes);
  for (size_t i = 0; i < observed_.size(); i++) observed_values_[i] = decode_number(observed_[i], bytes);
  series_->record(label_values_, counter_values_, observed_values_);
}

void export_sample(metrics::Exporter& exporter, const SampleRows& s) {
  using Kind = SampleSpec::Kind;
  std::string base = "ecli_" + metric_name(s.map);
  if (s.spec.kind == Kind::default_kv || s.spec.kind == Kind::top) {
    std::vector<metrics::GaugeValue> out;
    for (const auto& [k, v] : s.rows) {
      metrics::Labels labels = key_labels(s.key, k);
      if (s.value.kind != Field::Kind::Record) {
        out.push_back({base, labels, decode_number(s.value, v)});
        continue;
      }
      for (const Field& c : s.value.children)
        if (c.kind == Field::Kind::Int || c.kind == Field::Kind::Float || c.kind == Field::Kind::Bool)
          out.push_back({base + "_" + metric_name(c.name), labels, decode_number(c, v)});
    }
    exporter.gauges(base, out);
    return;
  }
  // Slot i of a log2 histogram holds [2^(i-1), 2^i - 1] (slot 0 zeros), of
  // a linear one [base + i*step, base + (i+1)*step - 1]: the bucket's le is
  // the slot's last value, its midpoint estimates the sum.
  double scale = seconds_per(s.spec.unit);
  std::string name = scale ? base + "_seconds" : base;
  size_t n = s.slots->count;
  std::vector<double> bounds(n), mid(n);
  for (size_t i = 0; i < n; i++) {
    double low, high;
    if (s.spec.kind == Kind::log2_hist) {
      low = i == 0 ? 0 : std::ldexp(1.0, int(i) - 1);
      high = i == 0 ? 0 : std::ldexp(1.0, int(i)) - 1;
    } else {
      low = double(s.spec.base + i * s.spec.step);
      high = low + double(s.spec.step) - 1;
    }
    bounds[i] = high * (scale ? scale : 1);
    mid[i] = (low + high) / 2 * (scale ? scale : 1);
  }
  std::vector<metrics::HistogramValue> series;
  for (const auto& [k, v] : s.rows) {
    metrics::HistogramValue h{key_labels(s.key, k), std::vector<uint64_t>(n + 1, 0), 0};
    Json slots = decode(*s.slots, v);
    for (size_t i = 0; i < n && i < slots.size(); i++) {
      h.counts[i] = slots[i].is_number() ? slots[i].get<uint64_t>() : 0;
      h.sum += double(h.counts[i]) * mid[i];
    }
    series.push_back(std::move(h));
  }
  exporter.histogram(name, "sampled map " + s.map + " (" + (s.spec.unit.empty() ? "value" : s.spec.unit) + ")", bounds,
                     series, !s.spec.clear_map);
}

}  // namespace ecc::loader
