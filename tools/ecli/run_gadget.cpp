#include "run_gadget.h"

#include <deque>
#include <iostream>

namespace ecc::ecli {

int run_gadget(const gadget::Parts& parts, const std::vector<std::string>& program_args,
               const loader::RunOptions& run, std::optional<uint64_t> mntns) {
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
