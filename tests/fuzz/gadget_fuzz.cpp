// Inspektor Gadget image parts from outside (docs/gadget.md), one parser per
// input picked by its first byte:
//   y  gadget.yaml text (lib/gadget parse_metadata, both generations)
//   t  a tar (read_tar), then the same bytes as a btfgen layer
//      (btfgen_archive_json)
// Any other first byte picks one of these by its value.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "ecc/gadget.h"
#include "ecc/tar.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::span<const uint8_t> rest(data + 1, size - 1);
  char which = data[0] == 'y' || data[0] == 't' ? static_cast<char>(data[0]) : (data[0] & 1 ? 'y' : 't');
  ecc::fuzz::expect_only_our_errors([&] {
    if (which == 'y') {
      ecc::gadget::parse_metadata(std::string(rest.begin(), rest.end()), "gadget.yaml");
      return;
    }
    ecc::read_tar(rest, "layer.tar");
  });
  if (which == 't') ecc::fuzz::expect_only_our_errors([&] { ecc::gadget::btfgen_archive_json(rest, "btfgen"); });
  return 0;
}
