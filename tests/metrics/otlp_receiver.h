// A loopback OTLP/HTTP receiver for the pusher tests (docs/metrics.md):
// an HTTP/1.1 server on 127.0.0.1 (port 0, plain sockets, keep-alive, a
// thread per connection) that records every request and checks each body
// with otlp_schema_violation.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "otlp_schema.h"

namespace ecc::test {

struct OtlpRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string violation;  // otlp_schema_violation(body)
  int status = 0;         // the answer given
  int connection = 0;     // which connection it came on, counted from 1
  std::chrono::steady_clock::time_point at;
};

// What an OtlpReceiver answers.
struct ReceiverScript {
  int fail_first = 0;  // answer the first N requests with fail_status
  int fail_status = 503;
  std::chrono::milliseconds delay{0};  // before each answer
};

class OtlpReceiver {
 public:
  using Script = ReceiverScript;
  explicit OtlpReceiver(Script script = {});
  ~OtlpReceiver();
  OtlpReceiver(const OtlpReceiver&) = delete;
  OtlpReceiver& operator=(const OtlpReceiver&) = delete;

  uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<OtlpRequest> requests() const;
  // Waits until `n` requests are recorded; false after `limit`.
  bool wait_for(size_t n, std::chrono::milliseconds limit) const;

 private:
  void accept_loop();
  void serve(int fd, int connection);
  bool answer(int fd, int connection, const std::string& head, std::string body);
  bool paused_for(std::chrono::milliseconds d) const;  // false when stopping

  Script script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex m_;
  mutable std::condition_variable cv_;
  std::vector<OtlpRequest> requests_;
  std::vector<std::thread> connections_;  // under m_
  std::thread acceptor_;
};

// A 127.0.0.1 port nothing listens on (bound, then closed), for
// "connection refused".
uint16_t closed_port();

}  // namespace ecc::test
