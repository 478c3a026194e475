// libbpf prints through one process-wide callback. While a LibbpfLog is
// alive, libbpf's messages are kept (not printed) so that a failure can be
// reported as one ecc::Error with libbpf's own reason.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

namespace ecc {

class LibbpfLog {
 public:
  LibbpfLog();
  ~LibbpfLog();
  LibbpfLog(const LibbpfLog&) = delete;
  LibbpfLog& operator=(const LibbpfLog&) = delete;

  // The last warning libbpf printed (or the last message of any level when
  // there was no warning), without the "libbpf: " prefix and the newline;
  // empty when libbpf said nothing.
  std::string last() const;

  // Everything libbpf printed at info and warning level while this capture
  // is alive (debug messages are not kept), as printed; at most the last
  // MiB or so of a very long run.
  std::string text() const;
  // The last `lines` lines of text(), every one ending with a newline
  // (also the last); empty when libbpf said nothing.
  std::string tail(size_t lines) const;

 private:
  std::unique_lock<std::recursive_mutex> lock_;  // one capture at a time: the callback is global
  void* previous_;
};

}  // namespace ecc
