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

  // Everything libbpf printed at info and warning level while this capture
  // is alive (debug messages are kept only when echoing), each message
  // ending with a newline so that two never run together (a verifier log
  // has no final newline); at most the last MiB or so of a very long run.
  std::string text() const;
  // The last `lines` lines of text(), every one ending with a newline
  // (also the last); empty when libbpf said nothing.
  std::string tail(size_t lines) const;

  // Forgets what was captured so far.
  void clear();

 private:
  std::unique_lock<std::recursive_mutex> lock_;  // one capture at a time: the callback is global
  void* previous_;
};

}  // namespace ecc
