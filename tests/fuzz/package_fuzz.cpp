// What `ecli run package.json` does to a package before anything is loaded:
// decode (JSON, base64, zlib, the embedded ELF behind the crash guard, the
// object read into the model), the meta applied (json_types, annotations,
// event types), then the program options and the usage text built from it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ecc/loader.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  ecc::fuzz::expect_only_our_errors([&] {
    ecc::loader::Package pkg = ecc::loader::decode_package(text, "fuzz.json");
    auto opts = ecc::loader::program_options(pkg);
    (void)ecc::loader::program_usage(pkg, opts);
    bool help = false;
    (void)ecc::loader::parse_program_args(opts, {}, help);  // the cmdarg defaults
    for (const auto& m : pkg.object.maps)
      if (m.event_type) (void)ecc::loader::layout_of(pkg.object.types, *m.event_type);
  });
  return 0;
}
