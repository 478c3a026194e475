// otlp_json field by field (counter, gauge, histogram, summary, labels,
// resource, times) and otlp_options_from_env on the OTEL_* variables
// (docs/metrics.md).
#include <cmath>
#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "ecc/error.h"
#include "ecc/otlp.h"
#include "otel_env.h"
#include "otlp_schema.h"

namespace ecc::test {
namespace {

using nlohmann::json;
using namespace ecc::metrics;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr uint64_t kStart = 1700000000000000000ull;  // above 2^53: exact only as a string
constexpr uint64_t kNow = 1700000000123456789ull;

MetricFamily family(std::string name, MetricType type, std::string help = {}) {
  MetricFamily f;
  f.name = std::move(name);
  f.type = type;
  f.help = std::move(help);
  return f;
}

ClientMetric labelled(std::vector<ClientMetric::Label> labels) {
  ClientMetric m;
  m.label = std::move(labels);
  return m;
}

// The body of `families`, checked against the schema first.
json body_of(const std::vector<MetricFamily>& families, const OtlpOptions& o = {}) {
  std::string text = otlp_json(families, o, kStart, kNow);
  EXPECT_EQ(otlp_schema_violation(text), "") << text;
  return json::parse(text);
}

const json& metrics_of(const json& body) { return body["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]; }

TEST(OtlpJson, CounterIsAMonotonicCumulativeSumWithLabelsAndTimesAsStrings) {
  MetricFamily f = family("ecli_events_total", MetricType::Counter, "events the program sent");
  ClientMetric m = labelled({{"program", "sigsnoop"}, {"map", "rb"}});
  m.counter.value = 42;
  f.metric = {m};
  json body = body_of({f});
  ASSERT_EQ(metrics_of(body).size(), 1u);
  const json& metric = metrics_of(body)[0];
  EXPECT_EQ(metric["name"], "ecli_events_total");
  EXPECT_EQ(metric["description"], "events the program sent");
  EXPECT_FALSE(metric.contains("unit"));
  const json& sum = metric["sum"];
  EXPECT_EQ(sum["aggregationTemporality"], 2);
  EXPECT_EQ(sum["isMonotonic"], true);
  ASSERT_EQ(sum["dataPoints"].size(), 1u);
  const json& p = sum["dataPoints"][0];
  EXPECT_EQ(p["asDouble"], 42.0);
  EXPECT_EQ(p["startTimeUnixNano"], "1700000000000000000");
  EXPECT_EQ(p["timeUnixNano"], "1700000000123456789");
  ASSERT_EQ(p["attributes"].size(), 2u);
  EXPECT_EQ(p["attributes"][0], json::parse(R"({"key":"program","value":{"stringValue":"sigsnoop"}})"));
  EXPECT_EQ(p["attributes"][1], json::parse(R"({"key":"map","value":{"stringValue":"rb"}})"));
}

TEST(OtlpJson, GaugeAndUntypedAreGaugesWithoutAStartAndNonFiniteValuesAsStrings) {
  MetricFamily g = family("ecli_ring_buffer_fill_ratio", MetricType::Gauge);
  ClientMetric a, b, c;
  a.gauge.value = 0.25;
  b.gauge.value = NAN;
  c.gauge.value = -INFINITY;
  g.metric = {a, b, c};
  MetricFamily u = family("ecli_untyped", MetricType::Untyped);
  ClientMetric v;
  v.untyped.value = 7;
  u.metric = {v};
  json body = body_of({g, u});
  const json& gauge = metrics_of(body)[0]["gauge"];
  EXPECT_FALSE(metrics_of(body)[0].contains("description")) << "no help, no description";
  ASSERT_EQ(gauge["dataPoints"].size(), 3u);
  EXPECT_EQ(gauge["dataPoints"][0]["asDouble"], 0.25);
  EXPECT_EQ(gauge["dataPoints"][1]["asDouble"], "NaN");
  EXPECT_EQ(gauge["dataPoints"][2]["asDouble"], "-Infinity");
  EXPECT_FALSE(gauge["dataPoints"][0].contains("startTimeUnixNano"));
  EXPECT_FALSE(gauge["dataPoints"][0].contains("attributes")) << "no labels, no attributes";
  EXPECT_FALSE(gauge.contains("aggregationTemporality"));
  EXPECT_EQ(metrics_of(body)[1]["gauge"]["dataPoints"][0]["asDouble"], 7.0);
}

TEST(OtlpJson, HistogramBucketsBecomeNonCumulativeCountsOneMoreThanTheFiniteBounds) {
  MetricFamily f = family("ecli_event_latency_seconds", MetricType::Histogram, "latency");
  ClientMetric m = labelled({{"program", "runqlat"}});
  m.histogram.sample_count = 9;
  m.histogram.sample_sum = 4.5;
  m.histogram.bucket = {{1, 0.1}, {4, 0.5}, {4, 1.0}, {9, INFINITY}};  // cumulative, as prometheus-cpp has them
  f.metric = {m};
  json body = body_of({f});
  const json& metric = metrics_of(body)[0];
  EXPECT_EQ(metric["unit"], "s") << "from the _seconds suffix";
  const json& h = metric["histogram"];
  EXPECT_EQ(h["aggregationTemporality"], 2);
  const json& p = h["dataPoints"][0];
  EXPECT_EQ(p["explicitBounds"], json::parse("[0.1, 0.5, 1.0]"));
  EXPECT_EQ(p["bucketCounts"], json::parse(R"(["1", "3", "0", "5"])"));
  EXPECT_EQ(p["count"], "9");
  EXPECT_EQ(p["sum"], 4.5);
  EXPECT_EQ(p["startTimeUnixNano"], "1700000000000000000");
  EXPECT_EQ(p["attributes"][0]["value"]["stringValue"], "runqlat");
}

TEST(OtlpJson, AHistogramOfPrometheusCppItselfRoundTrips) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto& h = prometheus::BuildHistogram().Name("ecli_batch_bytes").Help("batch sizes").Register(*registry).Add(
      {{"cpu", "0"}}, prometheus::Histogram::BucketBoundaries{10, 100, 1000});
  for (double v : {5.0, 10.0, 11.0, 99.0, 100.0, 5000.0, 7000.0}) h.Observe(v);  // a bound is its bucket's (le)
  json body = body_of(registry->Collect());
  const json& metric = metrics_of(body)[0];
  EXPECT_EQ(metric["name"], "ecli_batch_bytes");
  EXPECT_EQ(metric["unit"], "By");
  const json& p = metric["histogram"]["dataPoints"][0];
  EXPECT_EQ(p["explicitBounds"], json::parse("[10.0, 100.0, 1000.0]"));
  EXPECT_EQ(p["bucketCounts"], json::parse(R"(["2", "3", "0", "2"])"));
  EXPECT_EQ(p["count"], "7");
  EXPECT_EQ(p["sum"], 12225.0);
  EXPECT_EQ(p["attributes"][0], json::parse(R"({"key":"cpu","value":{"stringValue":"0"}})"));
}

TEST(OtlpJson, SummaryHasCountSumAndQuantileValues) {
  MetricFamily f = family("ecli_poll_seconds", MetricType::Summary);
  ClientMetric m;
  m.summary.sample_count = 3;
  m.summary.sample_sum = 0.75;
  m.summary.quantile = {{0.5, 0.2}, {0.99, 0.4}};
  f.metric = {m};
  json body = body_of({f});
  const json& p = metrics_of(body)[0]["summary"]["dataPoints"][0];
  EXPECT_EQ(p["count"], "3");
  EXPECT_EQ(p["sum"], 0.75);
  EXPECT_EQ(p["quantileValues"], json::parse(R"([{"quantile":0.5,"value":0.2},{"quantile":0.99,"value":0.4}])"));
}

TEST(OtlpJson, ResourceHasServiceNameAndTheResourceMapAndTheScopeIsEcli) {
  OtlpOptions o;
  o.service_name = "tracer-1";
  o.resource = {{"ecli.program", "sigsnoop"}, {"service.name", "ignored"}, {"host.name", "h1"}};
  json body = body_of({}, o);
  ASSERT_EQ(body["resourceMetrics"].size(), 1u);
  const json& rm = body["resourceMetrics"][0];
  EXPECT_EQ(rm["resource"]["attributes"], json::parse(R"([
    {"key":"service.name","value":{"stringValue":"tracer-1"}},
    {"key":"ecli.program","value":{"stringValue":"sigsnoop"}},
    {"key":"host.name","value":{"stringValue":"h1"}}])"));
  ASSERT_EQ(rm["scopeMetrics"].size(), 1u);
  EXPECT_EQ(rm["scopeMetrics"][0]["scope"]["name"], "ecli");
  EXPECT_EQ(rm["scopeMetrics"][0]["scope"]["version"], ECC_VERSION);
  EXPECT_EQ(metrics_of(body), json::array());
  json plain = body_of({});
  EXPECT_EQ(plain["resourceMetrics"][0]["resource"]["attributes"][0]["value"]["stringValue"], "ecli") << "the default";
}

TEST(OtlpJson, FamiliesWithoutSeriesAreLeftOutAndAMetricsOwnTimestampWins) {
  MetricFamily empty = family("ecli_nothing_yet_total", MetricType::Counter);
  MetricFamily c = family("ecli_stamped_total", MetricType::Counter);
  ClientMetric m;
  m.counter.value = 1;
  m.timestamp_ms = 1700000000999;
  c.metric = {m};
  json body = body_of({empty, c});
  ASSERT_EQ(metrics_of(body).size(), 1u);
  EXPECT_EQ(metrics_of(body)[0]["name"], "ecli_stamped_total");
  EXPECT_EQ(metrics_of(body)[0]["sum"]["dataPoints"][0]["timeUnixNano"], "1700000000999000000");
}

TEST(OtlpJson, LabelBytesThatAreNotUtf8BecomeReplacementCharacters) {
  MetricFamily f = family("ecli_comm_total", MetricType::Counter);
  ClientMetric m = labelled({{"comm", std::string("a\xff" "b")}});
  f.metric = {m};
  json body = body_of({f});
  EXPECT_EQ(metrics_of(body)[0]["sum"]["dataPoints"][0]["attributes"][0]["value"]["stringValue"], "a\xEF\xBF\xBD" "b");
}

// The checker itself: each broken body is caught at the right path.
TEST(OtlpSchema, ViolationsAreNamedByTheirPath) {
  MetricFamily f = family("ecli_x_total", MetricType::Counter);
  f.metric = {ClientMetric{}};
  const json good = json::parse(otlp_json({f}, {}, kStart, kNow));
  const std::string metric = "resourceMetrics[0].scopeMetrics[0].metrics[0]";
  auto broken = [&](const std::function<void(json&)>& change) {
    json j = good;
    change(j["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0]);
    return otlp_schema_violation(j.dump());
  };
  EXPECT_EQ(otlp_schema_violation(good.dump()), "");
  EXPECT_EQ(otlp_schema_violation("{"), "(body): not JSON");
  EXPECT_EQ(broken([](json& m) { m["sum"]["aggregation_temporality"] = 2; }),
            metric + ".sum: unknown key 'aggregation_temporality'");
  EXPECT_EQ(broken([](json& m) { m["sum"]["aggregationTemporality"] = "AGGREGATION_TEMPORALITY_CUMULATIVE"; }),
            metric + ".sum.aggregationTemporality: not 1 or 2");
  EXPECT_EQ(broken([](json& m) { m["sum"]["dataPoints"][0]["timeUnixNano"] = kNow; }),
            metric + ".sum.dataPoints[0].timeUnixNano: a 64-bit integer not as a decimal string");
  EXPECT_EQ(broken([](json& m) { m["gauge"] = json::object(); }), metric + ": both 'gauge' and 'sum'");
  EXPECT_EQ(broken([](json& m) {
              m.erase("sum");
              m["histogram"] = json::parse(R"({"aggregationTemporality":2,"dataPoints":[
                {"timeUnixNano":"1","count":"3","bucketCounts":["1","2"],"explicitBounds":[1.0,2.0]}]})");
            }),
            metric + ".histogram.dataPoints[0].bucketCounts: 2 counts for 2 bounds, not one more");
}

std::string url_of(const std::string& flag) {
  OtlpOptions o;
  o.url = flag;
  return otlp_options_from_env(o).url;
}

TEST(OtlpEnv, TheFlagsUrlGetsV1MetricsUnlessItEndsWithIt) {
  OtelEnv env;
  env.set("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://env:1/never");
  EXPECT_EQ(url_of("http://collector:4318"), "http://collector:4318/v1/metrics") << "the flag wins over the environment";
  EXPECT_EQ(url_of("http://collector:4318/"), "http://collector:4318/v1/metrics");
  EXPECT_EQ(url_of("https://collector/otlp"), "https://collector/otlp/v1/metrics");
  EXPECT_EQ(url_of("http://collector:4318/v1/metrics"), "http://collector:4318/v1/metrics");
  EXPECT_EQ(url_of("http://collector:4318/v1/metrics/"), "http://collector:4318/v1/metrics");
}

TEST(OtlpEnv, TheMetricsEndpointIsUsedAsItIsThenTheBaseGetsV1MetricsThenLocalhost) {
  OtelEnv env;
  EXPECT_EQ(url_of(""), "http://localhost:4318/v1/metrics") << "OTLP/HTTP's default";
  env.set("OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:4318/");
  EXPECT_EQ(url_of(""), "http://base:4318/v1/metrics");
  env.set("OTEL_EXPORTER_OTLP_ENDPOINT", "https://base/prefix");
  EXPECT_EQ(url_of(""), "https://base/prefix/v1/metrics");
  env.set("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://signal:9000/custom/path");
  EXPECT_EQ(url_of(""), "http://signal:9000/custom/path") << "as it is, over the base";
  env.set("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "");
  EXPECT_EQ(url_of(""), "https://base/prefix/v1/metrics") << "empty is unset";
}

TEST(OtlpEnv, HeadersAreTrimmedUrlDecodedAndMergedTheGivenOnesWinning) {
  OtelEnv env;
  env.set("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20s3cret , x-tenant = t%2C1,,api-key=a%3Db%25");
  OtlpOptions o = otlp_options_from_env({});
  EXPECT_EQ(o.headers, (std::map<std::string, std::string>{
                           {"Authorization", "Bearer s3cret"}, {"x-tenant", "t,1"}, {"api-key", "a=b%"}}));
  env.set("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-tenant=metrics");
  OtlpOptions given;
  given.headers = {{"api-key", "from-the-caller"}};
  o = otlp_options_from_env(given);
  EXPECT_EQ(o.headers.at("x-tenant"), "metrics") << "the metrics variable over the general one";
  EXPECT_EQ(o.headers.at("api-key"), "from-the-caller");
  EXPECT_EQ(o.headers.at("Authorization"), "Bearer s3cret");
}

TEST(OtlpEnv, ServiceNameFromTheOptionsThenOtelServiceNameThenResourceAttributesThenEcli) {
  OtelEnv env;
  EXPECT_EQ(otlp_options_from_env({}).service_name, "ecli");
  env.set("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs,deployment.environment=prod%20eu,ecli.program=env");
  OtlpOptions given;
  given.resource = {{"ecli.program", "sigsnoop"}};
  OtlpOptions o = otlp_options_from_env(given);
  EXPECT_EQ(o.service_name, "from-attrs");
  EXPECT_EQ(o.resource, (std::map<std::string, std::string>{{"ecli.program", "sigsnoop"},
                                                             {"deployment.environment", "prod eu"}}));
  env.set("OTEL_SERVICE_NAME", "from-env");
  EXPECT_EQ(otlp_options_from_env({}).service_name, "from-env");
  given.service_name = "given";
  EXPECT_EQ(otlp_options_from_env(given).service_name, "given");
}

// The usage error of `o` in this environment: its file (the flag or
// variable) and message.
std::pair<std::string, std::string> usage_error(const OtlpOptions& o) {
  try {
    otlp_options_from_env(o);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::usage);
    return {e.file(), e.what()};
  }
  return {"(no error)", ""};
}

TEST(OtlpEnv, BadValuesAreOneLineUsageErrorsNamingTheFlagOrVariable) {
  OtelEnv env;
  OtlpOptions flag;
  flag.url = "collector:4318";
  using Failure = std::pair<std::string, std::string>;
  EXPECT_EQ(usage_error(flag), (Failure("--otlp", "'collector:4318' is not an http:// or https:// URL")));
  env.set("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://x");
  EXPECT_EQ(usage_error({}).first, "OTEL_EXPORTER_OTLP_ENDPOINT");
  env.set("OTEL_EXPORTER_OTLP_ENDPOINT", "http://x");
  env.set("OTEL_EXPORTER_OTLP_HEADERS", "a=1,novalue");
  EXPECT_EQ(usage_error({}), (Failure("OTEL_EXPORTER_OTLP_HEADERS", "'novalue' is not key=value")));
  env.set("OTEL_EXPORTER_OTLP_HEADERS", "a=%zz");
  EXPECT_EQ(usage_error({}).second, "bad percent-encoding in '%zz'");
  env.set("OTEL_EXPORTER_OTLP_HEADERS", "a=x%0D%0AInjected: 1");
  EXPECT_EQ(usage_error({}).second, "header 'a' has a control character in its value");
  env.set("OTEL_EXPORTER_OTLP_HEADERS", "bad name=1");
  EXPECT_EQ(usage_error({}).second, "header name 'bad name' is not an HTTP token");
  env.set("OTEL_EXPORTER_OTLP_HEADERS", "");
  env.set("OTEL_RESOURCE_ATTRIBUTES", "=v");
  EXPECT_EQ(usage_error({}).first, "OTEL_RESOURCE_ATTRIBUTES");
}

}  // namespace
}  // namespace ecc::test
