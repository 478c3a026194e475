// The WASI preview1 subset of SPEC §8 (module `wasi_snapshot_preview1`):
// args, an empty environment, stdio, clocks, sleeps, random bytes, exit.
// Out-of-bounds pointers or lengths answer EFAULT; nothing traps.
#pragma once

#include <string>
#include <vector>

#include "guest.h"

namespace ecc::wasmhost {

class WasiHost {
 public:
  WasiHost(Guest& guest, std::vector<std::string> argv) : g_(guest), argv_(std::move(argv)) {}
  // The host functions, by name.
  HostFuncs funcs();
  // A function the subset lacks: answers ENOSYS (52) when it returns an
  // errno, so binaries that import but never call it still run.
  wi::HostFunc::Ptr nosys(const wi::FuncType& type);

 private:
  Guest& g_;
  std::vector<std::string> argv_;
};

}  // namespace ecc::wasmhost
