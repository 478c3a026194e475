// The exporter's HTTP side, without a kernel (docs/metrics.md): /metrics has
// no ecli_ series before the first attach and the run's families after it; the
// server stops at once when the exporter goes (civetweb's listener polls in
// 2-second quanta); [IPV6]:PORT is served, or refused in one line when
// civetweb has no IPv6.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "ecc/error.h"
#include "ecc/metrics.h"
#include "otlp_receiver.h"

namespace ecc::test {
namespace {

using Clock = std::chrono::steady_clock;

// GET /metrics over HTTP/1.0: the body, or nothing when no connection.
std::optional<std::string> get_metrics(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return std::nullopt;
  }
  std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", response;
  EXPECT_EQ(write(fd, request.data(), request.size()), ssize_t(request.size()));
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) response.append(buf, size_t(n));
  close(fd);
  EXPECT_EQ(response.rfind("HTTP/1.", 0), 0u) << response;
  size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : response.substr(body + 4);
}

void serves_then_stops_at_once(const std::string& listen, int port) {
  metrics::Options o;
  o.listen = listen;
  o.program = "probe";
  o.package = "probe.json";
  auto e = metrics::start_exporter(o);
  std::optional<std::string> before = get_metrics(port);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->find("ecli_"), std::string::npos) << *before;
  EXPECT_NE(before->find("exposer_scrapes_total"), std::string::npos) << *before;
  e->attached();
  std::optional<std::string> text = get_metrics(port);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("ecli_up{program=\"probe\"} 1\n"), std::string::npos) << *text;
  auto t0 = Clock::now();
  e.reset();
  auto took = Clock::now() - t0;
  EXPECT_LT(took, std::chrono::milliseconds(500)) << "stopping took "
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  EXPECT_FALSE(get_metrics(port));
}

TEST(Exporter, ServesFromTheFirstAttachAndStopsAtOnce) {
  int port = closed_port();
  serves_then_stops_at_once("127.0.0.1:" + std::to_string(port), port);
}

TEST(Exporter, EveryInterfaceIsServedAndStopsAtOnce) {
  int port = closed_port();
  serves_then_stops_at_once(":" + std::to_string(port), port);
}

TEST(Exporter, Ipv6IsServedOrRefusedInOneLine) {
  int port = closed_port();
  std::string addr = "[::1]:" + std::to_string(port);
  metrics::Options o;
  o.listen = addr;
  try {
    auto e = metrics::start_exporter(o);
    e->attached();
    EXPECT_NE(e->text().find("ecli_up"), std::string::npos);
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), Exit::tool_failed);
    std::string what = err.what();
    EXPECT_EQ(what.rfind("--metrics '" + addr + "': the HTTP server this ecli uses (civetweb ", 0), 0u) << what;
    EXPECT_NE(what.find(") was built without IPv6; listen on an IPv4 address"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace ecc::test
