#include "run_gadget.h"

#include <deque>
#include <iostream>

#include "ecc/error.h"
#include "ecc/wasmhost.h"

namespace ecc::ecli {

int run_gadget(const gadget::Parts& parts, const std::vector<std::string>& program_args,
               const loader::RunOptions& run, std::optional<uint64_t> mntns) {
  // A Wasm layer calls Inspektor Gadget's host API: the first import ecli
  // does not provide is named (docs/gadget.md).
  if (!parts.wasm.empty())
    for (const std::string& import : wasm_imports(parts.wasm, parts.where + " (wasm layer)"))
      if (!import.starts_with("wasi_snapshot_preview1.") && !import.starts_with("wasm_bpf."))
        throw Error(Exit::bad_input, "the gadget's Wasm layer imports " + import +
                                         ", which ecli does not implement (Inspektor Gadget's Wasm API)", parts.where);
  loader::Package pkg = gadget::read_gadget(parts);
  auto opts = loader::program_options(pkg);
  bool help = false;
  auto settings = loader::parse_program_args(opts, program_args, help);
  if (help) {
    std::cout << loader::program_usage(pkg, opts);
    return 0;
  }
  loader::RunOptions ro = run;
  std::deque<loader::ProgOption> extra;
  if (mntns) gadget::add_mntns_filter(pkg, *mntns, settings, ro, extra);
  return loader::run_package(pkg, settings, ro);
}

}  // namespace ecc::ecli
