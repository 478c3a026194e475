// Running the built ecc on a copy of an example or test program, for the
// wasmgen tests (ecc_wasm_test.cpp, golden_test.cpp).
#pragma once

#include <string>
#include <vector>

#include "test_util.h"

namespace ecc::test {

// One compile cache for the whole test binary: each test pays for its
// compile only.
const fs::path& shared_cache();

// ecc with `args` in `cwd`, on shared_cache(), without colours or a
// background cache warmer.
RunResult ecc(const std::vector<std::string>& args, const fs::path& cwd);

// examples/<name>, tests/programs/<name> or tests/wasmgen/programs/<name>.
fs::path program_dir(const std::string& name);

// A copy of program_dir(name) in tmp/<name>; returns that directory.
fs::path copy_program(const TempDir& tmp, const std::string& name);

}  // namespace ecc::test
