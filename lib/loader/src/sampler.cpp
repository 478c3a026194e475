// Periodic dumps of maps annotated with `sample` (docs/annotations.md): log2 and linear
// histograms with star bars, or key/value lines; JSON objects with -j.
#include "sampler.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace ecc::loader {

void Output::flush() {
  size_t off = 0;
  while (off < buf.size()) {
    ssize_t n = ::write(STDOUT_FILENO, buf.data() + off, buf.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // stdout closed: drop the output, keep running until stopped
    }
    off += static_cast<size_t>(n);
  }
  buf.clear();
}

std::string clock_text() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char b[16];
  std::strftime(b, sizeof b, "%H:%M:%S", &tm);
  return b;
}

namespace {

Field raw_field(uint32_t size) {
  Field f;
  f.kind = size <= 8 && (size & (size - 1)) == 0 ? Field::Kind::Int : Field::Kind::Raw;
  f.size = size;
  return f;
}

std::vector<uint64_t> counters(const Field& arr, std::span<const uint8_t> value) {
  std::vector<uint64_t> out;
  Json v = decode(arr, value);
  for (const auto& x : v) out.push_back(x.is_number() ? x.get<uint64_t>() : 0);
  return out;
}

}  // namespace

Sampler::Sampler(const Package& pkg, const MapInfo& map, const SampleSpec& sample)
    : map_name_(map.name), spec_(sample), interval_(std::chrono::milliseconds(sample.interval_ms)) {
  std::string where = "map '" + map.name + "': @sample";
  key_size_ = map.key_size;
  value_size_ = map.value_size;
  key_ = map.key_type ? layout_of(pkg.object.types, *map.key_type) : raw_field(key_size_);
  value_ = map.value_type ? layout_of(pkg.object.types, *map.value_type) : raw_field(value_size_);
  if (spec_.kind != Kind::default_kv) {
    // The counters: the value itself when it is an array, else its first
    // array-of-integers member.
    if (value_.kind == Field::Kind::Array) slots_ = &value_;
    for (const Field& f : value_.children)
      if (!slots_ && f.kind == Field::Kind::Array && f.children.at(0).kind == Field::Kind::Int) slots_ = &f;
    if (!slots_) throw Error(Exit::bad_input, where + " histogram needs an array of counters in the map's value", pkg.path);
  }
}

void Sampler::print(bpf_object* obj, bool json, Output& out, clock::time_point now) {
  while (next_ <= now) next_ += interval_;
  int fd = bpf_map__fd(bpf_object__find_map_by_name(obj, map_name_.c_str()));
  std::vector<uint8_t> key(key_size_), next(key_size_), value(value_size_);
  std::vector<std::vector<uint8_t>> keys;
  void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
    keys.push_back(next);
    key = next;
    prev = key.data();
  }
  if (!json) out.line(clock_text() + " " + map_name_);
  for (const auto& k : keys) {
    if (bpf_map_lookup_elem(fd, k.data(), value.data()) != 0) continue;
    Json kj = decode(key_, k);
    if (json) {
      Json line = {{"map", map_name_}, {"key", kj}, {"value", decode(value_, value)}};
      out.line(line.dump(-1, ' ', false, Json::error_handler_t::replace));
      continue;
    }
    std::string head = "key = " + (kj.is_string() ? kj.get<std::string>() : kj.dump());
    if (spec_.kind == Kind::default_kv) {
      out.line(head + "  value = " + decode(value_, value).dump(-1, ' ', false, Json::error_handler_t::replace));
      continue;
    }
    // The value's other members (a comm, say) label the histogram.
    for (const Field& f : value_.children)
      if (&f != slots_) head += "  " + f.name + " = " + decode_text(f, value);
    out.line(head);
    std::vector<uint64_t> c = counters(*slots_, value);
    std::string text = spec_.kind == Kind::log2_hist ? log2_histogram(c, spec_.unit) : linear_histogram(c, spec_.base, spec_.step, spec_.unit);
    text.pop_back();
    out.line(text);
  }
  if (spec_.clear_map)
    for (const auto& k : keys) bpf_map_delete_elem(fd, k.data());
}

}  // namespace ecc::loader
