// `ecc --standalone` (docs/ecc-standalone.md): one executable that runs the package (or,
// with build-wasm, the app) by itself: the runner (tools/standalone) with
// the payload appended (tools/standalone/payload.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "payload.h"

namespace ecc {

// ecc-standalone beside the ecc binary (build tree) or in ../libexec/ecc
// (install tree). Throws Error(tool_failed) naming the places tried.
std::filesystem::path find_standalone_runner();

// The runner's bytes with `payload` appended. Throws Error(tool_failed) for a
// runner that cannot be read or is not a bare runner.
std::vector<uint8_t> standalone_executable(const std::filesystem::path& runner, standalone::PayloadKind kind,
                                           std::span<const uint8_t> payload);

}  // namespace ecc
