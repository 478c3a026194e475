// The exporter (docs/metrics.md): prometheus-cpp's registry for the sampled
// maps' and the events' families, one collectable of our own for what is
// read from counters the runtime keeps (ecli_up, ecli_info, the streams),
// all behind a gate that shows nothing before the first attach; served by
// prometheus-cpp's exposer (civetweb).
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "ecc/error.h"
#include "ecc/metrics.h"
#include "ecc/otlp.h"
#include "listen.h"
#include "series.h"

namespace ecc::metrics {

namespace {

namespace pm = prometheus;

// What the runtime counts, read at each scrape.
class RunFamilies final : public pm::Collectable {
 public:
  RunFamilies(const Options& o, const SeriesBudget& budget) : o_(o), budget_(budget) {}
  std::shared_ptr<runtime::StreamCounts> stream(const std::string& map) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& s = streams_[map];
    if (!s) s = std::make_shared<runtime::StreamCounts>();
    return s;
  }
  std::vector<pm::MetricFamily> Collect() const override;

 private:
  pm::MetricFamily family(const std::string& name, const std::string& help, pm::MetricType type) const {
    pm::MetricFamily f;
    f.name = name;
    f.help = help;
    f.type = type;
    return f;
  }
  pm::ClientMetric value(double v, const Labels& extra, pm::MetricType type) const {
    pm::ClientMetric m;
    m.label.push_back({"program", o_.program});
    for (const auto& [k, val] : extra) m.label.push_back({k, val});
    if (type == pm::MetricType::Counter) m.counter.value = v;
    else m.gauge.value = v;
    return m;
  }
  const Options& o_;
  const SeriesBudget& budget_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<runtime::StreamCounts>> streams_;
};

std::vector<pm::MetricFamily> RunFamilies::Collect() const {
  using T = pm::MetricType;
  auto up = family("ecli_up", "1 while the program is attached", T::Gauge);
  up.metric.push_back(value(1, {}, T::Gauge));
  auto info = family("ecli_info", "the program and the ecli that runs it", T::Gauge);
  info.metric.push_back(value(1, {{"package", o_.package}, {"version", ECC_VERSION}}, T::Gauge));
  auto events = family("ecli_events_total", "records read from the map's ring buffer or perf event array", T::Counter);
  auto lost = family("ecli_events_lost_total", "records the kernel dropped (perf buffers; ring buffers drop unseen)", T::Counter);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [map, c] : streams_) {
      events.metric.push_back(value(double(c->records.load(std::memory_order_relaxed)), {{"map", map}}, T::Counter));
      lost.metric.push_back(value(double(c->lost.load(std::memory_order_relaxed)), {{"map", map}}, T::Counter));
    }
  }
  auto dropped = family("ecli_metrics_dropped_series_total", "series not created because --metrics-max-series was reached", T::Counter);
  dropped.metric.push_back(value(double(budget_.dropped()), {}, T::Counter));
  std::vector<pm::MetricFamily> out{up, info};
  if (!events.metric.empty()) out.push_back(events), out.push_back(lost);
  out.push_back(dropped);
  return out;
}

// Nothing before the first attach; then the run's families and the registry's.
class Gate final : public pm::Collectable {
 public:
  Gate(const RunFamilies& run, const pm::Registry& registry) : run_(run), registry_(registry) {}
  void open() { open_.store(true); }
  // The OTLP pusher's failure count, once it runs.
  void add(const OtlpPusher* pusher) { pusher_.store(pusher); }
  std::vector<pm::MetricFamily> Collect() const override {
    if (!open_.load()) return {};
    std::vector<pm::MetricFamily> out = run_.Collect();
    for (pm::MetricFamily& f : registry_.Collect()) out.push_back(std::move(f));
    if (const OtlpPusher* p = pusher_.load()) out.push_back(p->failure_family());
    return out;
  }

 private:
  const RunFamilies& run_;
  const pm::Registry& registry_;
  std::atomic<bool> open_{false};
  std::atomic<const OtlpPusher*> pusher_{nullptr};
};

class PrometheusExporter final : public Exporter {
 public:
  explicit PrometheusExporter(const Options& o)
      : o_(o), budget_(o.max_series), registry_(std::make_shared<pm::Registry>()), run_(o_, budget_),
        gate_(std::make_shared<Gate>(run_, *registry_)), maps_(*registry_, o_.program, budget_) {}
  void listen() {
    if (o_.listen.empty()) return;
    where_ = parse_listen(o_.listen);
    check_can_listen(where_, o_.listen);
    try {
      exposer_ = std::make_unique<pm::Exposer>(where_.civetweb, 2);
    } catch (const std::exception& e) {
      throw Error(Exit::tool_failed, "--metrics '" + o_.listen + "': cannot listen: " + e.what());
    }
    exposer_->RegisterCollectable(gate_);
  }
  // --otlp: the same families, and the pusher's failures, every interval
  // (OTEL_METRIC_EXPORT_INTERVAL ms when set).
  void push() {
    if (o_.otlp.empty()) return;
    OtlpOptions p;
    p.url = o_.otlp;
    p.resource["ecli.program"] = o_.program;
    if (const char* ms = std::getenv("OTEL_METRIC_EXPORT_INTERVAL"); ms && std::atol(ms) > 0)
      p.interval = std::chrono::milliseconds(std::atol(ms));
    pusher_ = std::make_unique<OtlpPusher>(otlp_options_from_env(p), [this] { return gate_->Collect(); });
    gate_->add(pusher_.get());
    pusher_->start();
  }
  ~PrometheusExporter() override {
    gate_->add(nullptr);
    if (pusher_) pusher_->stop();
    pusher_.reset();
    stop_exposer();
  }
  std::shared_ptr<runtime::StreamCounts> stream(const std::string& map) override { return run_.stream(map); }
  void attached() override { gate_->open(); }
  void set_program(const std::string& name) override {
    if (!name.empty()) o_.program = name;
  }
  void histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                 const std::vector<HistogramValue>& series, bool cumulative) override {
    maps_.histogram(name, help, bounds, series, cumulative);
  }
  void gauges(const std::string& prefix, const std::vector<GaugeValue>& values) override { maps_.gauges(prefix, values); }
  EventMetrics& events(const EventMetricsSpec& spec) override { return maps_.events(spec); }
  std::string text() override {
    std::ostringstream out;
    pm::TextSerializer().Serialize(out, gate_->Collect());
    return out.str();
  }
  std::vector<pm::MetricFamily> collect() const { return gate_->Collect(); }

 private:
  // civetweb (1.15) polls its listening socket in 2-second quanta, and its
  // stop waits for that poll to see the stop flag: a run with --metrics
  // took up to 2 s longer to end. A connection wakes the poll; one made
  // before the flag is set is served and closed, so knock until it is done.
  void stop_exposer() {
    if (!exposer_) return;
    std::vector<int> ports = exposer_->GetListeningPorts();
    std::atomic<bool> stopped{false};
    std::thread knocker([&] {
      while (!stopped.load() && !ports.empty() && knock(where_, ports.front()))
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
    exposer_.reset();
    stopped.store(true);
    knocker.join();
  }

  Options o_;
  SeriesBudget budget_;
  std::shared_ptr<pm::Registry> registry_;
  RunFamilies run_;
  std::shared_ptr<Gate> gate_;
  MapSeries maps_;
  ListenAddress where_;
  std::unique_ptr<pm::Exposer> exposer_;
  std::unique_ptr<OtlpPusher> pusher_;
};

}  // namespace

std::unique_ptr<Exporter> start_exporter(const Options& o) {
  auto e = std::make_unique<PrometheusExporter>(o);
  e->listen();
  e->push();
  return e;
}

}  // namespace ecc::metrics

extern "C" int ecc_metrics_start(const ecc::metrics::Options* o, ecc::metrics::Exporter** out, char* err,
                                 size_t err_size) {
  auto say = [&](const std::string& m) { std::snprintf(err, err_size, "%s", m.c_str()); };
  try {
    *out = ecc::metrics::start_exporter(*o).release();
    return 0;
  } catch (const ecc::Error& e) {
    say(e.line());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    say(e.what());
    return static_cast<int>(ecc::Exit::tool_failed);
  }
}
