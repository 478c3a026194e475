// Output buffering and periodic map sampling (private to the loader).
#pragma once

#include <chrono>
#include <memory>
#include <vector>
#include <string>

#include "ecc/loader.h"

struct bpf_object;

namespace ecc::loader {

// stdout, buffered and flushed after each batch so a pipe sees whole lines.
struct Output {
  std::string buf;
  void line(const std::string& s) {
    buf += s;
    end_line();
  }
  // A line appended to `buf` in place ends here.
  void end_line() {
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
  Sampler(const Package& pkg, const MapInfo& map, const SampleSpec& sample, const RunOptions& ro);
  void start(clock::time_point t) { next_ = t + interval_; }
  clock::time_point next() const { return next_; }
  // Reads the map: prints it (unless -q), gives it to the exporter (with
  // --metrics), clears it (clear_map).
  void print(bpf_object* obj, bool json, Output& out, clock::time_point now);

 private:
  using Kind = SampleSpec::Kind;
  using Rows = std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>>;
  void print_rows(const Rows& rows, bool json, Output& out);
  bool quiet_ = false;
  metrics::Exporter* metrics_ = nullptr;
  std::string map_name_;
  SampleSpec spec_;
  clock::duration interval_;
  clock::time_point next_;
  uint32_t key_size_ = 0, value_size_ = 0;
  Field key_, value_;
  const Field* slots_ = nullptr;  // the value's array of counters (histograms)
  // top: key and value as one record (the value after the key), its table,
  // the sort column and whether it sorts descending.
  Field row_;
  std::unique_ptr<TextTable> table_;
  const Field* sort_ = nullptr;
  bool descending_ = false;
  uint32_t max_rows_ = 0;
  void init_top(const Package& pkg, const std::string& sort, const std::string& where);
  void print_top(const std::vector<std::vector<uint8_t>>& rows, bool json, Output& out);
};

}  // namespace ecc::loader
