// libbpf prints through one process-wide callback. While a LibbpfLog is
// alive, libbpf's messages are kept (not printed) so that a failure can be
// reported as one ecc::Error with libbpf's own reason.
#pragma once

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

 private:
  std::unique_lock<std::recursive_mutex> lock_;  // one capture at a time: the callback is global
  void* previous_;
};

}  // namespace ecc
