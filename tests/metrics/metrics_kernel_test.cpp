// ecli --metrics on the kernel (docs/metrics.md), Prometheus as the oracle:
// metricgen's events (getpgid(v) of this process, v = 1..30) counted per
// label set, summed and observed; its log2 histogram as a Prometheus
// histogram in seconds, every bucket; its counts as gauges; the streams'
// counters. The same numbers reach an OTLP receiver with --otlp.
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmath>
#include <thread>

#include "otlp_receiver.h"
#include "prometheus_server.h"

namespace ecc::test {
namespace {

constexpr int kEvents = 30;

class Metrics : public EcliTest {
 protected:
  fs::path package() {
    fs::path dir = source_dir() / "tests/metrics/programs";
    return build_package(dir / "metricgen.bpf.c", dir / "metricgen.h");
  }
  static void make_events() {
    for (long v = 1; v <= kEvents; v++) syscall(SYS_getpgid, v);
  }
  static std::string addr(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }
};

// GET /metrics: ecli's text, before any Prometheus.
std::string scrape(uint16_t port) { return http_get("http://127.0.0.1:" + std::to_string(port) + "/metrics").value_or(""); }

// v's with v % 3 == kind, and their sum.
int count_of(int kind) { return kEvents / 3 + (kind && kind <= kEvents % 3 ? 1 : 0); }
double sum_of(int kind) {
  double s = 0;
  for (int v = 1; v <= kEvents; v++)
    if (v % 3 == kind) s += v;
  return s;
}

TEST_F(Metrics, PrometheusScrapesEveryFamily) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = package();
  uint16_t port = closed_port();
  PrometheusServer prom(addr(port), tmp / "prom");
  ASSERT_TRUE(prom.ready()) << prom.log();
  EcliProcess p({"run", "-q", "--metrics", addr(port), pkg.string(), "--pid", std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  make_events();
  const std::string sel = "{job=\"ecli\",program=\"metricgen\"";
  EXPECT_EQ(prom.wait_value("ecli_events_total" + sel + ",map=\"events\"}", kEvents), kEvents);
  EXPECT_EQ(prom.value("ecli_events_lost_total" + sel + ",map=\"events\"}"), 0);
  EXPECT_EQ(prom.value("ecli_up" + sel + "}"), 1);
  EXPECT_EQ(prom.value("ecli_info" + sel + ",package=\"" + pkg.string() + "\"}"), 1);
  std::string comm = ",comm=\"" + self_comm().substr(0, 15) + "\"";
  for (int kind = 0; kind < 3; kind++) {
    std::string ls = sel + comm + ",kind=\"" + std::to_string(kind) + "\"";
    EXPECT_EQ(prom.wait_value("ecli_event_total" + ls + "}", count_of(kind)), count_of(kind)) << kind;
    EXPECT_EQ(prom.value("ecli_event_value_total" + ls + "}"), sum_of(kind)) << kind;
    EXPECT_EQ(prom.value("ecli_event_observed_count" + ls + "}"), count_of(kind)) << kind;
    EXPECT_EQ(prom.value("ecli_event_observed_sum" + ls + "}"), sum_of(kind)) << kind;
    for (double le : {1.0, 10.0, 100.0}) {
      int n = 0;
      for (int v = 1; v <= kEvents; v++) n += v % 3 == kind && v <= le;
      EXPECT_EQ(prom.value("ecli_event_observed_bucket" + ls + ",le=\"" + std::to_string(int(le)) + "\"}"), n)
          << kind << " le " << le;
    }
    EXPECT_EQ(prom.wait_value("ecli_kinds" + sel + ",key=\"" + std::to_string(kind) + "\"}", count_of(kind)),
              count_of(kind));
  }
  // Three label sets, no other.
  EXPECT_EQ(prom.value("count(ecli_event_total" + sel + "})"), 3);
  // The log2 histogram: slot i holds [2^(i-1), 2^i - 1] usecs, so le is
  // (2^i - 1) microseconds in seconds; every bucket, cumulative.
  EXPECT_EQ(prom.wait_value("ecli_values_seconds_count" + sel + ",key=\"0\"}", kEvents), kEvents);
  nlohmann::json buckets = prom.query("ecli_values_seconds_bucket" + sel + ",key=\"0\"}");
  ASSERT_EQ(buckets.size(), 17u) << buckets.dump();  // 16 slots and +Inf
  for (const auto& b : buckets) {
    std::string le = b["metric"]["le"];
    double v = std::stod(b["value"][1].get<std::string>());
    if (le == "+Inf") {
      EXPECT_EQ(v, kEvents);
      continue;
    }
    double bound = std::stod(le) * 1e6;
    int n = 0;
    for (int x = 1; x <= kEvents; x++) n += x <= std::llround(bound);
    EXPECT_EQ(v, n) << "le " << le;
  }
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << "-q prints nothing: " << r.out;
}


// A Wasm app decodes its own events: the exporter counts its stream, the
// same count as the events it printed.
TEST_F(Metrics, WasmAppStreamsAreCounted) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_wasm_app(source_dir() / "examples/sigsnoop");
  uint16_t port = closed_port();
  EcliProcess p({"run", "--metrics", addr(port), app.string(), "--signal", "12", "--pid", std::to_string(getpid())});
  Sleeper child;
  ASSERT_TRUE(signal_until_seen(p, child, SIGUSR2)) << p.err();
  for (int i = 0; i < 5; i++) child.send(SIGUSR2);
  p.wait_output("no such text", std::chrono::milliseconds(800));  // reads what came
  std::string text = scrape(port);
  size_t printed = 0;
  for (const auto& e : json_lines(p.out())) printed += e.value("sig", 0) == 12;
  EXPECT_GE(printed, 6u) << p.out();
  EXPECT_NE(text.find("ecli_events_total{program=\"sigsnoop\",map=\"events\"} " + std::to_string(printed) + "\n"),
            std::string::npos)
      << printed << " printed:\n" << text;
  EXPECT_NE(text.find("ecli_up{program=\"sigsnoop\"} 1\n"), std::string::npos) << text;
  p.signal(SIGINT);
  EXPECT_EQ(p.finish().exit_code, 0);
}

// A standalone executable (glibc only) loads libecc-metrics.so for
// --metrics: the same series as ecli's; without the library, one line.
TEST_F(Metrics, StandaloneExecutableLoadsTheExporter) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = source_dir() / "tests/metrics/programs";
  RunResult b = run({ecc_binary().string(), "--standalone", "-o", (tmp / "sa").string(),
                     (dir / "metricgen.bpf.c").string(), (dir / "metricgen.h").string()},
                    {"XDG_CACHE_HOME=" + cache().string(), "PATH=" + std::string(std::getenv("PATH"))});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  fs::path exe = tmp / "sa/metricgen";
  std::vector<std::string> env = {"PATH=" + std::string(std::getenv("PATH")), "ECC_METRICS_LIB=" ECC_METRICS_LIBRARY};
  uint16_t port = closed_port();
  EcliProcess p(exe, {"-q", "--metrics", addr(port), "--pid", std::to_string(getpid())}, env);
  ASSERT_TRUE(p.wait_attached()) << p.err();
  make_events();
  std::string text;
  for (int i = 0; i < 20 && text.find("map=\"events\"} 30\n") == std::string::npos; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    text = scrape(port);
  }
  EXPECT_NE(text.find("ecli_events_total{program=\"metricgen\",map=\"events\"} 30\n"), std::string::npos) << text;
  std::string comm = self_comm().substr(0, 15);
  for (int kind = 0; kind < 3; kind++)
    EXPECT_NE(text.find("ecli_event_total{program=\"metricgen\",comm=\"" + comm + "\",kind=\"" + std::to_string(kind) +
                        "\"} " + std::to_string(count_of(kind)) + "\n"),
              std::string::npos)
        << text;
  // Busy: the exporter's own line comes back through the library boundary.
  EcliProcess busy(exe, {"--metrics", addr(port), "--pid", "1"}, env);
  RunResult br = busy.finish();
  EXPECT_EQ(br.exit_code, 3);
  EXPECT_EQ(br.err, "metricgen: error: --metrics '" + addr(port) + "': cannot listen: Address already in use\n");
  p.signal(SIGINT);
  EXPECT_EQ(p.finish().exit_code, 0);
  EcliProcess none(exe, {"--metrics", addr(closed_port())}, {"PATH=" + std::string(std::getenv("PATH"))});
  RunResult nr = none.finish();
  EXPECT_EQ(nr.exit_code, 3);
  EXPECT_TRUE(nr.err.starts_with("metricgen: error: --metrics and --otlp need libecc-metrics.so")) << nr.err;
  EXPECT_EQ(std::count(nr.err.begin(), nr.err.end(), '\n'), 1) << nr.err;
}

// --metrics-max-series: a series past the cap is dropped and counted.
TEST_F(Metrics, SeriesPastTheCapAreDroppedAndCounted) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = package();
  uint16_t port = closed_port();
  EcliProcess p({"run", "-q", "--metrics", addr(port), "--metrics-max-series", "2", pkg.string(), "--pid",
                 std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  make_events();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  std::string text = scrape(port);
  int labelled = 0;
  for (const std::string& line : split_lines(text))
    if (line.rfind("ecli_event_total{", 0) == 0 || line.rfind("ecli_kinds{", 0) == 0 ||
        line.rfind("ecli_values_seconds_count{", 0) == 0)
      labelled++;
  EXPECT_EQ(labelled, 2) << text;
  EXPECT_EQ(text.find("ecli_metrics_dropped_series_total{program=\"metricgen\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ecli_events_total{program=\"metricgen\",map=\"events\"} 30\n"), std::string::npos) << text;
  p.signal(SIGINT);
  EXPECT_EQ(p.finish().exit_code, 0);
}

// --metrics alone keeps the events on stdout; -q is what silences them.
TEST_F(Metrics, MetricsAloneStillPrintsTheEvents) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = package();
  uint16_t port = closed_port();
  EcliProcess p({"run", "-j", "--metrics", addr(port), pkg.string(), "--pid", std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  make_events();
  EXPECT_TRUE(p.wait_output("\"value\":30", std::chrono::seconds(5))) << p.out();
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(json_lines(r.out).size() >= size_t(kEvents), true) << r.out;
}

// The OTLP datapoint of `name` whose attributes hold all of `attrs`.
std::optional<double> otlp_value(const nlohmann::json& body, const std::string& name,
                                 const std::map<std::string, std::string>& attrs) {
  for (const auto& rm : body["resourceMetrics"])
    for (const auto& sm : rm["scopeMetrics"])
      for (const auto& m : sm["metrics"]) {
        if (m["name"] != name) continue;
        const auto& data = m.contains("sum") ? m["sum"] : m["gauge"];
        for (const auto& dp : data["dataPoints"]) {
          size_t matched = 0;
          for (const auto& a : dp["attributes"])
            if (attrs.count(a["key"]) && attrs.at(a["key"]) == a["value"]["stringValue"]) matched++;
          if (matched != attrs.size()) continue;
          if (dp.contains("asDouble")) return dp["asDouble"].get<double>();
          return std::stod(dp["asInt"].get<std::string>());
        }
      }
  return std::nullopt;
}

TEST_F(Metrics, OtlpReceiverGetsTheSameNumbers) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = package();
  OtlpReceiver receiver;
  setenv("OTEL_METRIC_EXPORT_INTERVAL", "300", 1);
  setenv("OTEL_SERVICE_NAME", "metrics-test", 1);
  EcliProcess p({"run", "-q", "--otlp", receiver.base_url(), pkg.string(), "--pid", std::to_string(getpid())});
  unsetenv("OTEL_METRIC_EXPORT_INTERVAL");
  unsetenv("OTEL_SERVICE_NAME");
  ASSERT_TRUE(p.wait_attached()) << p.err();
  make_events();
  std::optional<double> total;
  nlohmann::json last;
  for (int i = 0; i < 40 && total != kEvents; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    auto reqs = receiver.requests();
    if (reqs.empty()) continue;
    EXPECT_EQ(reqs.back().violation, "") << reqs.back().body;
    EXPECT_EQ(reqs.back().target, "/v1/metrics");
    last = nlohmann::json::parse(reqs.back().body);
    total = otlp_value(last, "ecli_events_total", {{"map", "events"}});
  }
  ASSERT_EQ(total, kEvents) << last.dump();
  std::string comm = self_comm().substr(0, 15);
  for (int kind = 0; kind < 3; kind++) {
    std::map<std::string, std::string> a{{"comm", comm}, {"kind", std::to_string(kind)}};
    EXPECT_EQ(otlp_value(last, "ecli_event_total", a), count_of(kind));
    EXPECT_EQ(otlp_value(last, "ecli_event_value_total", a), sum_of(kind));
  }
  EXPECT_NE(last.dump().find("\"metrics-test\""), std::string::npos) << "service.name";
  p.signal(SIGINT);
  EXPECT_EQ(p.finish().exit_code, 0);
}

// Bad input: one line each, before anything is loaded; an unreachable OTLP
// endpoint is counted, never fatal.
TEST_F(Metrics, BadAddressBusyPortAndUnreachableOtlp) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = package();
  RunResult bad = ecli({"run", "--metrics", "localhost", pkg.string()});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_EQ(bad.err, "ecli: error: --metrics 'localhost': no port (HOST:PORT, :PORT or [IPV6]:PORT)\n");
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  std::string busy = addr(ntohs(sa.sin_port));
  RunResult b = ecli({"run", "--metrics", busy, pkg.string()});
  close(fd);
  EXPECT_NE(b.exit_code, 0);
  EXPECT_EQ(b.err, "ecli: error: --metrics '" + busy + "': cannot listen: Address already in use\n");
  EXPECT_EQ(b.err.find("attached"), std::string::npos);
  uint16_t port = closed_port();
  setenv("OTEL_METRIC_EXPORT_INTERVAL", "200", 1);
  EcliProcess u({"run", "-q", "--metrics", addr(port), "--otlp", "http://127.0.0.1:" + std::to_string(closed_port()),
                 pkg.string(), "--pid", std::to_string(getpid())});
  unsetenv("OTEL_METRIC_EXPORT_INTERVAL");
  ASSERT_TRUE(u.wait_attached()) << u.err();
  make_events();
  std::string text;
  for (int i = 0; i < 20 && (text.empty() || text.find("ecli_otlp_push_failures_total 0\n") != std::string::npos); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    text = scrape(port);
  }
  // The push failures are counted and exported; the event path went on.
  EXPECT_NE(text.find("ecli_otlp_push_failures_total"), std::string::npos) << text;
  EXPECT_EQ(text.find("ecli_otlp_push_failures_total 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ecli_events_total{program=\"metricgen\",map=\"events\"} 30\n"), std::string::npos) << text;
  u.signal(SIGINT);
  RunResult r = u.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace ecc::test
