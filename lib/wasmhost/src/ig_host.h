// The part of Inspektor Gadget's Wasm host API that ecli implements
// (docs/gadget.md, "The Wasm layer"), for module `ig` and, as older gadgets
// import it, `env`. Strings and buffers are IG's 64-bit "bufPtr": the
// address in the low 32 bits, the length in the high 32 bits. A bad pointer
// answers the function's error value; nothing traps.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "ecc/gadget_wasm.h"
#include "guest.h"

namespace ecc::wasmhost {

class IgHost {
 public:
  IgHost(Guest& guest, const GadgetWasmEnv& env, std::string name) : g_(guest), env_(env), name_(std::move(name)) {}
  // The host functions, by name.
  HostFuncs funcs();

 private:
  using Params = const wi::Values&;
  // gadgetLog(level i32, msg bufPtr): error, warn and info on stderr,
  // debug and trace with -v.
  void gadgetLog(Params p);
  // getParamValue(key bufPtr, dst bufPtr) -> 0, or 1 for an unknown key or
  // a value (with its NUL) longer than dst.
  uint32_t getParamValue(Params p);
  // setConfig(key bufPtr, value bufPtr, kind i32) -> 0 or 1: a string value
  // of programs.<name>.attach_to; other keys are said and refused.
  uint32_t setConfig(Params p);
  // kallsymsSymbolExists(name bufPtr) -> 1 when /proc/kallsyms has it.
  uint32_t kallsymsSymbolExists(Params p);

  // The bytes a bufPtr names, or nothing when they are outside the memory.
  std::optional<std::string> text(uint64_t buf);
  void say(const std::string& line);

  Guest& g_;
  const GadgetWasmEnv& env_;
  std::string name_;
  std::optional<std::set<std::string>> kallsyms_;  // read on the first question
};

}  // namespace ecc::wasmhost
