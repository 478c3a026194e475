#include "listen.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <civetweb.h>

#include "ecc/error.h"

namespace ecc::metrics {

namespace {

[[noreturn]] void bad(const std::string& addr, const std::string& why) {
  throw Error(Exit::usage, "--metrics '" + addr + "': " + why + " (HOST:PORT, :PORT or [IPV6]:PORT)");
}

int parse_port(const std::string& addr, const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
    bad(addr, "no port");
  int port = std::stoi(text);
  if (port < 1 || port > 65535) bad(addr, "the port must be 1 to 65535");
  return port;
}

bool is_v6(const ListenAddress& a) { return a.host.find(':') != std::string::npos; }

// The socket address of `host` (v4 or v6, "" for INADDR_ANY) and `port`.
socklen_t socket_address(const std::string& host, bool v6, int port, sockaddr_storage& out) {
  out = {};
  if (v6) {
    auto& sa = reinterpret_cast<sockaddr_in6&>(out);
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, host.c_str(), &sa.sin6_addr);
    return sizeof sa;
  }
  auto& sa = reinterpret_cast<sockaddr_in&>(out);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_ANY);
  if (!host.empty()) inet_pton(AF_INET, host.c_str(), &sa.sin_addr);
  return sizeof sa;
}

}  // namespace

ListenAddress parse_listen(const std::string& addr) {
  ListenAddress a;
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) bad(addr, "no port");
  std::string host = addr.substr(0, colon);
  a.port = parse_port(addr, addr.substr(colon + 1));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    a.host = host.substr(1, host.size() - 2);
    in6_addr v6;
    if (inet_pton(AF_INET6, a.host.c_str(), &v6) != 1) bad(addr, "'" + a.host + "' is no IPv6 address");
    a.civetweb = "[" + a.host + "]:" + std::to_string(a.port);
    return a;
  }
  if (host.find(':') != std::string::npos) bad(addr, "an IPv6 address goes in brackets");
  a.host = host == "localhost" ? "127.0.0.1" : host;
  in_addr v4;
  if (!a.host.empty() && inet_pton(AF_INET, a.host.c_str(), &v4) != 1)
    bad(addr, "'" + host + "' is no IPv4 address");
  a.civetweb = a.host.empty() ? std::to_string(a.port) : a.host + ":" + std::to_string(a.port);
  return a;
}

void check_can_listen(const ListenAddress& a, const std::string& addr) {
  bool v6 = is_v6(a);
  constexpr unsigned kCivetwebIpv6 = 8;  // mg_check_feature's bit for IPv6
  if (v6 && !mg_check_feature(kCivetwebIpv6))
    throw Error(Exit::tool_failed, "--metrics '" + addr + "': the HTTP server this ecli uses (civetweb " +
                                       mg_version() + ") was built without IPv6; listen on an IPv4 address");
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(Exit::tool_failed, "--metrics '" + addr + "': socket: " + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage sa;
  socklen_t len = socket_address(a.host, v6, a.port, sa);
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), len);
  int err = errno;
  ::close(fd);
  if (rc != 0) throw Error(Exit::tool_failed, "--metrics '" + addr + "': cannot listen: " + std::strerror(err));
}

bool knock(const ListenAddress& a, int port) {
  bool v6 = is_v6(a);
  std::string host = a.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  else if (host == "::") host = "::1";
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval bound{0, 100 * 1000};  // connect's own limit: never hold the stop
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
  sockaddr_storage sa;
  socklen_t len = socket_address(host, v6, port, sa);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), len) == 0;
  ::close(fd);
  return ok;
}

}  // namespace ecc::metrics
