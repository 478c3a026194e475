// libbpf prints through one process-wide callback. While a LibbpfLog is
// alive, libbpf's messages are kept (not printed) so that a failure can be
// reported as one ecc::Error with libbpf's own reason, and the tail of what
// libbpf said (a verifier log) can be shown. The one capture of ecc and ecli.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

namespace ecc {

class LibbpfLog {
 public:
  // `echo`: also print every message (debug ones included) on stderr, as -v does.
  explicit LibbpfLog(bool echo = false);
  ~LibbpfLog();
  LibbpfLog(const LibbpfLog&) = delete;
  LibbpfLog& operator=(const LibbpfLog&) = delete;

  // The last warning libbpf printed (or the last message of any level when
  // there was no warning), without the "libbpf: " prefix and the newline;
  // empty when libbpf said nothing.
  std::string last() const;

  // The last `n` lines of libbpf's info and warning messages (debug ones
  // too when echoing), each message ending with a newline so that two never
  // run together; empty when libbpf said nothing.
  std::string tail(size_t n) const;

  // Forgets what was captured so far.
  void clear();

 private:
  std::unique_lock<std::recursive_mutex> lock_;  // one capture at a time: the callback is global
  void* previous_;
};

}  // namespace ecc
