// Shared by the libFuzzer targets (tests/fuzz): the one rule every target
// checks — bad input is an ecc::Error (a one-line message of ours), and any
// other exception is an internal error that must abort so that the fuzzer
// keeps the input — and the seed files some targets build their fixed
// half from (the package and object corpora in the source tree).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <typeinfo>
#include <vector>

#include "ecc/error.h"

namespace ecc::fuzz {

// Runs `body`; an ecc::Error must say something; anything else thrown
// aborts with its type and message. (An error may quote a newline the input
// itself carries, so the one-line rule is not checked here.)
template <class F>
void expect_only_our_errors(F&& body) {
  try {
    body();
  } catch (const ecc::Error& e) {
    if (*e.what() == '\0') {
      std::fprintf(stderr, "fuzz: an ecc::Error without a message (%s)\n", e.file().c_str());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: internal error (%s): %s\n", typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz: internal error (a non-std exception)\n");
    std::abort();
  }
}

inline std::vector<uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The regular files of corpus/<name> in the source tree, sorted by name.
inline std::vector<std::filesystem::path> corpus_files(const std::string& name) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(ECC_FUZZ_CORPUS_DIR) / name))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  if (out.empty()) {
    std::fprintf(stderr, "fuzz: no seed files in %s/%s\n", ECC_FUZZ_CORPUS_DIR, name.c_str());
    std::abort();
  }
  return out;
}

}  // namespace ecc::fuzz
