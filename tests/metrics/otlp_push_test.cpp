// OtlpPusher end to end against the loopback receiver (docs/metrics.md):
// what arrives (headers, values, service.name, one kept-alive connection),
// retries after 503, an unreachable or hanging endpoint, and that start() and
// stop() never hold the caller longer than the request timeout.
#include <atomic>
#include <mutex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ecc/error.h"
#include "ecc/otlp.h"
#include "otel_env.h"
#include "otlp_receiver.h"

namespace ecc::test {
namespace {

using nlohmann::json;
using namespace ecc::metrics;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// collect() of the tests: a counter that grows by one per call and a gauge,
// remembering every value it handed out.
class Source {
 public:
  std::vector<prometheus::MetricFamily> operator()() {
    std::lock_guard lock(m_);
    ++calls_;
    prometheus::MetricFamily c{"ecli_events_total", "events", prometheus::MetricType::Counter, {}};
    prometheus::ClientMetric cm;
    cm.label = {{"program", "sigsnoop"}};
    cm.counter.value = static_cast<double>(calls_);
    c.metric = {cm};
    prometheus::MetricFamily g{"ecli_maps", "maps", prometheus::MetricType::Gauge, {}};
    prometheus::ClientMetric gm;
    gm.gauge.value = 3;
    g.metric = {gm};
    std::vector<prometheus::MetricFamily> out{c, g};
    if (extra_) out.push_back(extra_());
    return out;
  }
  int calls() {
    std::lock_guard lock(m_);
    return calls_;
  }
  std::function<prometheus::MetricFamily()> extra_;  // e.g. the pusher's failure_family

 private:
  std::mutex m_;
  int calls_ = 0;
};

std::function<std::vector<prometheus::MetricFamily>()> collector(Source& s) {
  return [&s] { return s(); };
}

OtlpOptions options(const std::string& url, std::chrono::milliseconds interval, std::chrono::milliseconds timeout) {
  OtlpOptions o;
  o.url = url + "/v1/metrics";
  o.interval = interval;
  o.timeout = timeout;
  return o;
}

// The value of metric `name`'s first point in a pushed body (-1 if absent).
double value_in(const std::string& body, const std::string& name) {
  json j = json::parse(body);
  for (const auto& m : j["resourceMetrics"][0]["scopeMetrics"][0]["metrics"])
    if (m["name"] == name) {
      const json& data = m.contains("sum") ? m["sum"] : m["gauge"];
      return data["dataPoints"][0]["asDouble"].get<double>();
    }
  return -1;
}

long long ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

TEST(OtlpPush, PushesArriveWithTheEnvironmentsHeadersTheCollectedValuesAndServiceName) {
  OtlpReceiver receiver;
  OtelEnv env;
  env.set("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20s3cret,X-Scope-OrgID=team%2Fa");
  OtlpOptions given;
  given.url = receiver.base_url();
  given.service_name = "ecli-test";
  given.resource = {{"ecli.program", "sigsnoop"}};
  OtlpOptions o = otlp_options_from_env(given);
  o.interval = 100ms;
  Source source;
  OtlpPusher pusher(o, collector(source));
  pusher.start();
  ASSERT_TRUE(receiver.wait_for(3, 10s)) << "3 pushes in 10 s at a 100 ms interval";
  pusher.stop();
  auto requests = receiver.requests();
  ASSERT_GE(requests.size(), 4u) << "3 periodic pushes and the last one of stop()";
  double previous = 0;
  for (const auto& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/v1/metrics");
    EXPECT_EQ(r.headers.at("content-type"), "application/json");
    EXPECT_EQ(r.headers.at("authorization"), "Bearer s3cret");
    EXPECT_EQ(r.headers.at("x-scope-orgid"), "team/a");
    EXPECT_EQ(r.violation, "");
    json body = json::parse(r.body);
    EXPECT_EQ(body["resourceMetrics"][0]["resource"]["attributes"][0],
              json::parse(R"({"key":"service.name","value":{"stringValue":"ecli-test"}})"));
    double v = value_in(r.body, "ecli_events_total");
    EXPECT_EQ(v, previous + 1) << "each push carries the next value collect() returned";
    previous = v;
    EXPECT_EQ(value_in(r.body, "ecli_maps"), 3);
    EXPECT_EQ(r.connection, 1) << "one connection, kept alive";
  }
  EXPECT_EQ(previous, source.calls()) << "the last push of stop() has the last values";
  EXPECT_EQ(pusher.pushed(), requests.size());
  EXPECT_EQ(pusher.failed(), 0u);
}

TEST(OtlpPush, A503IsRetriedWithinTheIntervalAndCountedAndTheCountIsExported) {
  OtlpReceiver receiver({.fail_first = 2, .fail_status = 503});
  Source source;
  OtlpPusher pusher(options(receiver.base_url(), 1000ms, 2000ms), collector(source));
  source.extra_ = [&pusher] { return pusher.failure_family(); };
  pusher.start();
  ASSERT_TRUE(receiver.wait_for(3, 10s));
  auto r = receiver.requests();
  EXPECT_EQ(r[0].status, 503);
  EXPECT_EQ(r[1].status, 503);
  EXPECT_EQ(r[2].status, 200);
  auto gap1 = std::chrono::duration_cast<std::chrono::milliseconds>(r[1].at - r[0].at).count();
  auto gap2 = std::chrono::duration_cast<std::chrono::milliseconds>(r[2].at - r[1].at).count();
  EXPECT_LT(gap1, 800) << "the first retry after ~1/8 interval, not a whole one";
  EXPECT_LT(gap2, 800);
  EXPECT_LE(gap1, gap2 + 50) << "the back-off grows";
  RecordProperty("retry_gaps_ms", std::to_string(gap1) + "," + std::to_string(gap2));
  EXPECT_EQ(value_in(r[2].body, "ecli_otlp_push_failures_total"), 2) << "the failures, exported with the rest";
  pusher.stop();
  EXPECT_EQ(pusher.failed(), 2u);
  EXPECT_EQ(pusher.last_error(), "HTTP 503");
  EXPECT_EQ(pusher.pushed(), receiver.requests().size() - 2);
  prometheus::MetricFamily f = pusher.failure_family();
  EXPECT_EQ(f.name, "ecli_otlp_push_failures_total");
  EXPECT_EQ(f.type, prometheus::MetricType::Counter);
  EXPECT_EQ(f.metric.at(0).counter.value, 2);
}

TEST(OtlpPush, A400IsNotRetriedBeforeTheNextInterval) {
  OtlpReceiver receiver({.fail_first = 1, .fail_status = 400});
  Source source;
  OtlpPusher pusher(options(receiver.base_url(), 500ms, 2000ms), collector(source));
  pusher.start();
  ASSERT_TRUE(receiver.wait_for(2, 10s));
  pusher.stop();
  auto r = receiver.requests();
  auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(r[1].at - r[0].at).count();
  EXPECT_GE(gap, 450) << "a whole interval";
  RecordProperty("gap_ms", std::to_string(gap));
  EXPECT_EQ(pusher.failed(), 1u);
  EXPECT_EQ(pusher.last_error(), "HTTP 400");
}

TEST(OtlpPush, AnUnreachableEndpointCountsFailuresAndNeverHoldsTheCaller) {
  Source source;
  auto o = options("http://127.0.0.1:" + std::to_string(closed_port()), 100ms, 1000ms);
  OtlpPusher pusher(o, collector(source));
  auto t = Clock::now();
  pusher.start();
  RecordProperty("start_ms", std::to_string(ms_since(t)));
  EXPECT_LT(ms_since(t), 100) << "start() returns at once";
  std::this_thread::sleep_for(800ms);
  EXPECT_GE(pusher.failed(), 3u) << "retried: " << pusher.last_error();
  EXPECT_EQ(pusher.pushed(), 0u);
  EXPECT_NE(pusher.last_error().find("connect"), std::string::npos) << pusher.last_error();
  t = Clock::now();
  pusher.stop();
  RecordProperty("stop_ms", std::to_string(ms_since(t)));
  RecordProperty("failed_in_800ms", std::to_string(pusher.failed()));
  EXPECT_LT(ms_since(t), 1000 + 1000) << "within timeout + 1 s";
  EXPECT_GE(source.calls(), 4) << "collect() ran on the pusher's thread, the last time for stop()";
}

TEST(OtlpPush, AHangingReceiverTimesOutAndStopEndsTheRequestInFlightAtTheTimeout) {
  OtlpReceiver receiver({.delay = 30s});
  Source source;
  OtlpPusher pusher(options(receiver.base_url(), 100ms, 500ms), collector(source));
  pusher.start();
  ASSERT_TRUE(receiver.wait_for(2, 10s)) << "the first request timed out and a second was sent";
  EXPECT_GE(pusher.failed(), 1u);
  EXPECT_NE(pusher.last_error().find("imeout"), std::string::npos) << pusher.last_error();
  std::this_thread::sleep_for(50ms);  // the second request is in flight
  const uint64_t failed_before = pusher.failed();
  auto t = Clock::now();
  pusher.stop();
  RecordProperty("stop_ms", std::to_string(ms_since(t)));
  EXPECT_LT(ms_since(t), 500 + 1000) << "within timeout + 1 s";
  EXPECT_GT(pusher.failed(), failed_before) << "the request unanswered at the stop deadline failed";
  EXPECT_EQ(pusher.pushed(), 0u);
}

TEST(OtlpPush, StopPushesOnceMoreAndStopWithoutStartPushesNothing) {
  OtlpReceiver receiver;
  Source source;
  {
    OtlpPusher idle(options(receiver.base_url(), 100ms, 1000ms), collector(source));
    idle.stop();
  }
  OtlpPusher pusher(options(receiver.base_url(), 60s, 2000ms), collector(source));
  pusher.start();
  auto t = Clock::now();
  pusher.stop();
  EXPECT_LT(ms_since(t), 2000);
  auto r = receiver.requests();
  ASSERT_EQ(r.size(), 1u) << "only the last push: the interval is a minute";
  EXPECT_EQ(value_in(r[0].body, "ecli_events_total"), 1);
  EXPECT_EQ(pusher.pushed(), 1u);
  pusher.start();
  pusher.stop();
  EXPECT_EQ(receiver.requests().size(), 1u) << "a pusher starts once";
}

TEST(OtlpPush, BadOptionsAreUsageErrors) {
  Source source;
  EXPECT_THROW(OtlpPusher(OtlpOptions{}, collector(source)), Error) << "no URL";
  auto o = options("http://127.0.0.1:1", 0ms, 1000ms);
  EXPECT_THROW(OtlpPusher(o, collector(source)), Error);
  o = options("http://127.0.0.1:1", 100ms, 1000ms);
  o.headers = {{"X-Bad", "a\nb"}};
  EXPECT_THROW(OtlpPusher(o, collector(source)), Error);
}

}  // namespace
}  // namespace ecc::test
