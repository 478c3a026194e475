// The loopback OTLP/HTTP receiver of otlp_receiver.h: plain sockets, one
// thread accepting, one per connection, requests read by Content-Length.
#include "otlp_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ecc::test {

namespace {

constexpr int kPollMs = 20;  // how often the threads look at stopping_

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The request line and header fields of `head` (the text before the blank line).
OtlpRequest parse_head(const std::string& head) {
  OtlpRequest r;
  size_t eol = head.find("\r\n");
  std::string line = head.substr(0, eol);
  size_t sp1 = line.find(' '), sp2 = line.find(' ', sp1 + 1);
  r.method = line.substr(0, sp1);
  r.target = sp1 == std::string::npos ? "" : line.substr(sp1 + 1, sp2 - sp1 - 1);
  while (eol != std::string::npos) {
    size_t start = eol + 2;
    eol = head.find("\r\n", start);
    std::string field = head.substr(start, eol == std::string::npos ? std::string::npos : eol - start);
    size_t colon = field.find(':');
    if (colon != std::string::npos) r.headers[lower(field.substr(0, colon))] = trimmed(field.substr(colon + 1));
  }
  return r;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

// A socket bound to 127.0.0.1 on a port the kernel picks, and that port.
std::pair<int, uint16_t> bound_socket() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback(0);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("cannot bind a socket on 127.0.0.1");
  return {fd, ntohs(a.sin_port)};
}

}  // namespace

uint16_t closed_port() {
  auto [fd, port] = bound_socket();
  close(fd);  // never listened on: connecting is refused
  return port;
}

OtlpReceiver::OtlpReceiver(Script script) : script_(script) {
  std::tie(listen_fd_, port_) = bound_socket();
  if (listen(listen_fd_, 16) != 0) throw std::runtime_error("cannot listen on 127.0.0.1");
  acceptor_ = std::thread([this] { accept_loop(); });
}

OtlpReceiver::~OtlpReceiver() {
  stopping_ = true;
  acceptor_.join();
  for (auto& t : connections_) t.join();  // the acceptor has ended: no more are added
  close(listen_fd_);
}

std::vector<OtlpRequest> OtlpReceiver::requests() const {
  std::lock_guard lock(m_);
  return requests_;
}

bool OtlpReceiver::wait_for(size_t n, std::chrono::milliseconds limit) const {
  std::unique_lock lock(m_);
  return cv_.wait_for(lock, limit, [&] { return requests_.size() >= n; });
}

void OtlpReceiver::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, kPollMs) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(m_);
    int connection = static_cast<int>(connections_.size()) + 1;
    connections_.emplace_back([this, fd, connection] {
      serve(fd, connection);
      close(fd);
    });
  }
}

bool OtlpReceiver::paused_for(std::chrono::milliseconds d) const {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (stopping_) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
  }
  return !stopping_;
}

// Requests one after another on the connection (HTTP/1.1 keep-alive) until
// the client closes it or the receiver stops.
void OtlpReceiver::serve(int fd, int connection) {
  std::string buf;
  auto read_more = [&] {
    char chunk[65536];
    for (pollfd p{fd, POLLIN, 0}; !stopping_; p.revents = 0) {
      if (poll(&p, 1, kPollMs) <= 0) continue;
      ssize_t n = recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buf.append(chunk, static_cast<size_t>(n));
      return true;
    }
    return false;
  };
  for (;;) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos)
      if (!read_more()) return;
    std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    auto fields = parse_head(head).headers;
    size_t length = fields.count("content-length") ? std::stoul(fields["content-length"]) : 0;
    while (buf.size() < length)
      if (!read_more()) return;
    std::string body = buf.substr(0, length);
    buf.erase(0, length);
    if (!answer(fd, connection, head, std::move(body))) return;
  }
}

// Records the request, then (after the scripted delay) answers the scripted
// failure status, 400 for a body that breaks the schema, or 200.
bool OtlpReceiver::answer(int fd, int connection, const std::string& head, std::string body) {
  OtlpRequest r = parse_head(head);
  r.connection = connection;
  r.violation = otlp_schema_violation(body);
  r.body = std::move(body);
  r.at = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(m_);
    int index = static_cast<int>(requests_.size());
    r.status = index < script_.fail_first ? script_.fail_status : r.violation.empty() ? 200 : 400;
    requests_.push_back(r);
  }
  cv_.notify_all();
  if (!paused_for(script_.delay)) return false;
  std::string reply = "{}";
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) +
                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(reply.size()) +
                    "\r\n\r\n" + reply;
  return send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size());
}

}  // namespace ecc::test
