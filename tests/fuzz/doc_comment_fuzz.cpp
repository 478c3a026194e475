// Doc comments (docs/annotations.md): lib/srcscan's parse_doc_comment on the raw comment
// text, and the annotations it yields read into the model (first byte: which
// seed object).
#include <cstddef>
#include <cstdint>
#include <string>

#include "ecc/srcscan.h"
#include "skeleton_seeds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ecc::Json doc;
  ecc::fuzz::expect_only_our_errors(
      [&] { doc = ecc::parse_doc_comment(std::string(reinterpret_cast<const char*>(data + 1), size - 1)); });
  if (!doc.is_object()) {
    std::fprintf(stderr, "fuzz: parse_doc_comment returned a non-object\n");
    std::abort();
  }
  ecc::fuzz::annotate_seed(data[0], doc);
  return 0;
}
