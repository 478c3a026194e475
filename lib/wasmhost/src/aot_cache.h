// The AOT cache of docs/wasm-host-abi.md, Engines: module -> C (wasm2c) -> shared object
// (the host's C compiler), under $XDG_CACHE_HOME/ecc/aot/ (else
// ~/.cache/ecc/aot/), keyed by the module's hash and the toolchain's
// identity (compiler path and --version, wasm2c, the runtime, the glue).
// Entries are written under a temporary name and renamed into place, so
// concurrent runs are safe: a runner that finds the entry just uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecc/wasmhost_options.h"

namespace ecc::wasmhost {

// The version of the glue's entry shape (struct AotEntry in aot_engine.cpp).
constexpr unsigned kAotGlueVersion = 1;

struct AotToolchain {
  std::string cc;           // resolved path of $CC, else cc
  std::string wasm2c;       // resolved path of wasm2c
  std::string runtime_dir;  // wasm-rt-impl.c and its headers
  std::string identity;     // hashed into every cache key
};

// The toolchain, looked up once per process; nullptr with `why` when a part
// is missing.
const AotToolchain* find_aot_toolchain(std::string* why);

// What the glue needs of a checked module (engine.h CheckedModule), kept
// free of wabt's headers so that this part builds as C++20.
struct AotImport {
  std::string module, name;
  std::string params, results;  // one letter per value: i i32, l i64, f f32, d f64, ? other
};
struct AotModule {
  const uint8_t* data = nullptr;
  size_t size = 0;
  std::string name;
  std::vector<AotImport> imports;
  bool go_callback = false;  // the Go convention: the glue calls the exported go-callback
};

// The cache entry for `m`, compiled first unless it is there (`compiled`
// says which). Throws Error(tool_failed) naming m.name when a tool is
// missing or fails.
std::string aot_shared_object(const AotModule& m, const WasmRunOptions& opts, bool* compiled);

}  // namespace ecc::wasmhost
