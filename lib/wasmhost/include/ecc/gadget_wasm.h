// A gadget's Wasm layer (docs/gadget.md, "The Wasm layer"): the module is
// instantiated in the interpreter with WASI and the part of Inspektor
// Gadget's host API that ecli implements (module `ig`, or `env` as older
// gadgets import it), and its lifecycle functions are called around the
// eBPF run. C++17-clean, like wasmhost_options.h.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ecc/wasmhost_options.h"

namespace ecc {

// What the module may ask of the run.
struct GadgetWasmEnv {
  std::map<std::string, std::string> params;  // getParamValue: by key, the text given or the default
  // setConfig("programs.<name>.attach_to", target): where program <name> attaches.
  std::function<void(const std::string& program, const std::string& target)> set_attach_to;
  bool verbose = false;  // gadgetLog's debug and trace levels are shown
};

class GadgetWasm {
 public:
  // Reads and checks the module (an import ecli does not implement is one
  // Error naming it), instantiates it, runs its _initialize or _start, and
  // checks gadgetAPIVersion() is 1. Throws Error naming `name`.
  GadgetWasm(const uint8_t* data, size_t size, const std::string& name, GadgetWasmEnv env);
  ~GadgetWasm();
  GadgetWasm(const GadgetWasm&) = delete;
  GadgetWasm& operator=(const GadgetWasm&) = delete;

  // Calls the lifecycle function `fn` (gadgetInit, gadgetPreStart,
  // gadgetStart, gadgetStop, gadgetPostStop) when the module exports it:
  // ()->(i32), 0 for success. A non-zero result, a trap or more than 5 s is
  // an Error naming the function.
  void call(const std::string& fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ecc
