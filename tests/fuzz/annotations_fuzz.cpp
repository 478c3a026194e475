// The annotations of a package's meta (JSON, as another tool may write them)
// read into the model: read_annotations, read_metrics and assign_event_types
// on a seed object (first byte) whose every declaration and record member
// carries the fuzzed JSON doc.
#include <cstddef>
#include <cstdint>

#include "skeleton_seeds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ecc::Json doc = ecc::Json::parse(data + 1, data + size, nullptr, false);
  if (doc.is_discarded()) return 0;
  ecc::fuzz::annotate_seed(data[0], doc);
  return 0;
}
