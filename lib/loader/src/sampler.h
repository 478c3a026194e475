// Output buffering and periodic map sampling (private to the loader).
#pragma once

#include <chrono>
#include <string>

#include "ecc/loader.h"

struct bpf_object;

namespace ecc::loader {

// stdout, buffered and flushed after each batch so a pipe sees whole lines.
struct Output {
  std::string buf;
  void line(const std::string& s) {
    buf += s;
    buf += '\n';
    if (buf.size() > (1u << 16)) flush();
  }
  void flush();
};

std::string clock_text();  // HH:MM:SS, local time

// A map with a `sample` annotation, printed every `interval_ms`.
class Sampler {
 public:
  using clock = std::chrono::steady_clock;
  Sampler(const Package& pkg, const MapInfo& map, const SampleSpec& sample);
  void start(clock::time_point t) { next_ = t + interval_; }
  clock::time_point next() const { return next_; }
  void print(bpf_object* obj, bool json, Output& out, clock::time_point now);

 private:
  using Kind = SampleSpec::Kind;
  std::string map_name_;
  SampleSpec spec_;
  clock::duration interval_;
  clock::time_point next_;
  uint32_t key_size_ = 0, value_size_ = 0;
  Field key_, value_;
  const Field* slots_ = nullptr;  // the value's array of counters (histograms)
};

}  // namespace ecc::loader
