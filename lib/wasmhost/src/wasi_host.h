// The WASI preview1 subset in docs/wasm-host-abi.md (module `wasi_snapshot_preview1`):
// args, an empty environment, stdio, clocks, sleeps, random bytes, exit.
// Out-of-bounds pointers or lengths answer EFAULT; nothing traps.
//
// One member function per WASI function, of the same name; funcs() binds
// them to their wasm types. Those returning a WASI errno take the call's
// parameters and return the errno.
#pragma once

#include <cstdint>
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
  using Params = const wi::Values&;

  uint32_t args_get(Params p);
  uint32_t args_sizes_get(Params p);
  uint32_t environ_get(Params p);
  uint32_t environ_sizes_get(Params p);
  uint32_t fd_write(Params p);
  uint32_t fd_read(Params p);
  uint32_t fd_fdstat_get(Params p);
  uint32_t fd_seek(Params p);
  uint32_t fd_close(Params p);
  uint32_t fd_prestat_get(Params p);
  uint32_t fd_prestat_dir_name(Params p);
  uint32_t clock_time_get(Params p);
  uint32_t random_get(Params p);
  uint32_t sched_yield(Params p);
  // These two may end the run (a stop during a sleep, the exit).
  Result poll_oneoff(Params p, uint32_t* err, wi::Trap::Ptr* trap);
  Result proc_exit(Params p, wi::Trap::Ptr* trap);

  // Strings laid out as an array of pointers + one buffer of NUL-terminated
  // strings (args_get, environ_get), and their count and total size.
  uint32_t strings_get(const std::vector<std::string>& list, uint32_t ptrs, uint32_t buf);
  uint32_t sizes_get(const std::vector<std::string>& list, uint32_t count_ptr, uint32_t size_ptr);

  Guest& g_;
  std::vector<std::string> argv_;
  const std::vector<std::string> environ_;  // empty
};

}  // namespace ecc::wasmhost
