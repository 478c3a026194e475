// Periodic dumps of maps annotated with `sample` (docs/annotations.md): log2 and linear
// histograms with star bars, or key/value lines; JSON objects with -j.
#include "sampler.h"

#include "metrics_export.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
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

Sampler::Sampler(const Package& pkg, const MapInfo& map, const SampleSpec& sample, const RunOptions& ro)
    : map_name_(map.name), spec_(sample), interval_(std::chrono::milliseconds(sample.interval_ms)) {
  quiet_ = ro.quiet;
  metrics_ = ro.metrics;
  std::string where = "map '" + map.name + "': @sample";
  key_size_ = map.key_size;
  value_size_ = map.value_size;
  key_ = map.key_type ? print_layout(pkg, *map.key_type) : raw_field(key_size_);
  value_ = map.value_type ? print_layout(pkg, *map.value_type) : raw_field(value_size_);
  if (spec_.kind == Kind::top) {
    max_rows_ = ro.max_rows ? ro.max_rows : spec_.max_rows;
    init_top(pkg, ro.sort.empty() ? spec_.sort : ro.sort, where);
    return;
  }
  if (spec_.kind != Kind::default_kv) {
    // The counters: the value itself when it is an array, else its first
    // array-of-integers member.
    if (value_.kind == Field::Kind::Array) slots_ = &value_;
    for (const Field& f : value_.children)
      if (!slots_ && f.kind == Field::Kind::Array && f.children.at(0).kind == Field::Kind::Int) slots_ = &f;
    if (!slots_) throw Error(Exit::bad_input, where + " histogram needs an array of counters in the map's value", pkg.path);
  }
}

// The key's members (or the key as "key") and the value's (or "value"),
// the value placed after the key as print() lays rows out.
void Sampler::init_top(const Package& pkg, const std::string& sort, const std::string& where) {
  row_.kind = Field::Kind::Record;
  row_.size = key_size_ + value_size_;
  auto add = [&](const Field& part, const char* whole, uint32_t base) {
    if (part.kind != Field::Kind::Record) {
      Field f = part;
      f.name = whole;
      f.offset = base;
      row_.children.push_back(f);
      return;
    }
    for (Field c : part.children) {
      c.offset += base;
      row_.children.push_back(c);
    }
  };
  add(key_, "key", 0);
  add(value_, "value", key_size_);
  descending_ = !sort.empty() && sort[0] == '-';
  std::string name = descending_ ? sort.substr(1) : sort;
  for (const Field& c : row_.children)
    if (!name.empty() && (c.name == name || c.target == name)) sort_ = &c;
  if (!name.empty() && !sort_)
    throw Error(Exit::bad_input, where + " sorts by '" + name + "', which neither the key nor the value has", pkg.path);
  table_ = std::make_unique<TextTable>(row_, pkg.flatten_tables);
}

void Sampler::print_top(const std::vector<std::vector<uint8_t>>& rows, bool json, Output& out) {
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = i;
  if (sort_) {
    std::vector<double> key(rows.size());  // each row's sort value, decoded once
    for (size_t i = 0; i < rows.size(); i++) {
      Json v = decode(*sort_, rows[i]);
      key[i] = v.is_number() ? v.get<double>() : 0.0;
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return descending_ ? key[a] > key[b] : key[a] < key[b];
    });
  }
  if (max_rows_ && order.size() > max_rows_) order.resize(max_rows_);
  if (!json) out.line(table_->header());
  const std::string now = json ? std::string() : clock_text();
  for (size_t i : order) {
    if (!json) {
      out.line(table_->row(rows[i], now));
      continue;
    }
    std::string line;
    append_json(line, row_, rows[i]);
    out.line(line);
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
  Rows rows;
  for (const auto& k : keys)
    if (bpf_map_lookup_elem(fd, k.data(), value.data()) == 0) rows.emplace_back(k, value);
  if (!quiet_) print_rows(rows, json, out);
  if (metrics_) export_sample(*metrics_, {map_name_, spec_, key_, value_, slots_, rows});
  if (spec_.clear_map)
    for (const auto& k : keys) bpf_map_delete_elem(fd, k.data());
}

void Sampler::print_rows(const Rows& rows, bool json, Output& out) {
  if (spec_.kind == Kind::top) {
    std::vector<std::vector<uint8_t>> joined;
    for (const auto& [k, v] : rows) {
      joined.push_back(k);
      joined.back().insert(joined.back().end(), v.begin(), v.end());
    }
    print_top(joined, json, out);
    return;
  }
  if (!json) out.line(clock_text() + " " + map_name_);
  for (const auto& [k, value] : rows) {
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
}

}  // namespace ecc::loader
