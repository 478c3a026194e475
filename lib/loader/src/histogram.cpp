// Text histograms in the style of bcc/libbpf-tools: a range, a count and a
// bar of stars scaled to the largest count.
#include <cstdio>

#include "ecc/loader.h"

namespace ecc::loader {

namespace {

constexpr int kBarWidth = 40;

std::string bar(uint64_t count, uint64_t max) {
  int stars = max ? static_cast<int>(count * kBarWidth / max) : 0;
  return "|" + std::string(stars, '*') + std::string(kBarWidth - stars, ' ') + "|";
}

struct Row {
  uint64_t low, high, count;
};

std::string render(const std::vector<Row>& rows, const std::string& unit) {
  uint64_t max = 0;
  for (const Row& r : rows) max = std::max(max, r.count);
  char buf[256];
  std::string out;
  std::snprintf(buf, sizeof buf, "%*s%-*s : count    distribution\n", 10, "", 14, unit.empty() ? "value" : unit.c_str());
  out += buf;
  for (const Row& r : rows) {
    std::snprintf(buf, sizeof buf, "%10llu -> %-10llu : %-8llu %s\n", static_cast<unsigned long long>(r.low),
                  static_cast<unsigned long long>(r.high), static_cast<unsigned long long>(r.count),
                  bar(r.count, max).c_str());
    out += buf;
  }
  return out;
}

}  // namespace

// Slot i counts values whose highest set bit is bit i-1 ([2^(i-1), 2^i)),
// slot 0 counts zeros: the "highest bit plus one" convention of the
// examples. Rows run up to the last non-empty slot.
std::string log2_histogram(const std::vector<uint64_t>& slots, const std::string& unit) {
  size_t last = 0;
  for (size_t i = 0; i < slots.size(); i++)
    if (slots[i]) last = i + 1;
  std::vector<Row> rows;
  for (size_t i = 0; i < last && i < 64; i++) {
    uint64_t low = i == 0 ? 0 : uint64_t{1} << (i - 1);
    uint64_t high = i == 0 ? 0 : (i == 64 ? ~uint64_t{0} : (uint64_t{1} << i) - 1);
    rows.push_back({low, high, slots[i]});
  }
  return render(rows, unit);
}

std::string linear_histogram(const std::vector<uint64_t>& slots, uint64_t base, uint64_t step, const std::string& unit) {
  size_t last = 0;
  for (size_t i = 0; i < slots.size(); i++)
    if (slots[i]) last = i + 1;
  std::vector<Row> rows;
  for (size_t i = 0; i < last; i++) rows.push_back({base + i * step, base + (i + 1) * step - 1, slots[i]});
  return render(rows, unit);
}

}  // namespace ecc::loader
