// The ecli argv -> global variable values path: program_options() of one of
// the seed packages (corpus/package, picked by the first byte) and
// parse_program_args() on the rest of the input, one argument per line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecc/loader.h"
#include "fuzz_util.h"

namespace {

struct Seed {
  ecc::loader::Package pkg;
  std::vector<ecc::loader::ProgOption> opts;
};

std::vector<Seed>& seeds() {
  static std::vector<Seed> all = [] {
    std::vector<Seed> v;
    for (const auto& p : ecc::fuzz::corpus_files("package")) {
      auto bytes = ecc::fuzz::read_bytes(p);
      Seed s{ecc::loader::decode_package(std::string(bytes.begin(), bytes.end()), p.string()), {}};
      s.opts = ecc::loader::program_options(s.pkg);
      v.push_back(std::move(s));
    }
    return v;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Seed& seed = seeds()[data[0] % seeds().size()];
  std::vector<std::string> args;
  std::string cur;
  for (size_t i = 1; i < size; i++) {
    if (data[i] == '\n') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(data[i]);
    }
  }
  if (!cur.empty()) args.push_back(cur);
  ecc::fuzz::expect_only_our_errors([&] {
    bool help = false;
    auto settings = ecc::loader::parse_program_args(seed.opts, args, help);
    for (const auto& s : settings)
      if (s.bytes.size() != s.option->size) {
        std::fprintf(stderr, "fuzz: option %s encoded as %zu bytes, not %u\n", s.option->var.c_str(), s.bytes.size(),
                     s.option->size);
        std::abort();
      }
  });
  return 0;
}
